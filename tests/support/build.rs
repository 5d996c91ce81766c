//! Builds the fixture plugins (`tests/fixtures`) once, for every test and bench that loads
//! them, and names each by a generated constant (`ECHO`, `RELEASED_0_1_0`, ...) with a
//! `for_each_fixture!` macro over all of them, as wasmtime's test-programs do: a test naming a
//! fixture that does not exist fails to compile, and so does a fixture no test runs.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use openclaw_wasm_build::{build_components, repo_root};

fn main() {
    let root = repo_root(2);
    let fixtures = root.join("tests/fixtures");
    // Each fixture crate, the SDK and the contract; never the fixtures' own target dir.
    let mut watched: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("tests/fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n != "target"))
        .collect();
    watched.extend(
        ["sdk/rust/src", "sdk/rust/wit", "sdk/rust/Cargo.toml", "wit"].map(|p| root.join(p)),
    );
    let built = build_components(
        &fixtures.join("Cargo.toml"),
        &root.join("target/wasm-fixtures"),
        &watched,
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("run by cargo"));
    std::fs::write(out.join("fixtures.rs"), constants(&fixtures, &built)).expect("OUT_DIR");
}

/// The fixtures' names: each dir of `tests/fixtures` that holds a crate, sorted.
fn names(fixtures: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures)
        .expect("tests/fixtures")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn constants(fixtures: &Path, built: &Path) -> String {
    let names = names(fixtures);
    let mut text = String::new();
    for name in &names {
        let ident = name.replace('-', "_");
        let path = built.join(format!("fixture_{ident}.wasm"));
        writeln!(
            text,
            "/// The fixture `{name}` (`tests/fixtures/{name}`).\n\
             pub const {}: Fixture = Fixture {{ name: {name:?}, path: {:?} }};",
            ident.to_uppercase(),
            path.display().to_string(),
        )
        .unwrap();
    }
    let all: Vec<String> = names
        .iter()
        .map(|n| n.replace('-', "_").to_uppercase())
        .collect();
    writeln!(
        text,
        "/// Every fixture.\npub const ALL: &[Fixture] = &[{}];",
        all.join(", ")
    )
    .unwrap();
    let calls: String = names
        .iter()
        .map(|n| format!("$m!({});", n.replace('-', "_")))
        .collect();
    writeln!(
        text,
        "/// Calls `$m!(name)` for each fixture, by its name in snake case.\n\
         #[macro_export]\nmacro_rules! for_each_fixture {{ ($m:ident) => {{ {calls} }}; }}"
    )
    .unwrap();
    text
}
