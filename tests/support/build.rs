//! Builds the fixture plugins (`tests/fixtures`) once, for every test and bench that loads
//! them, and tells the crate where they are.

use std::path::PathBuf;

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
    println!("cargo:rustc-env=OPENCLAW_FIXTURES_DIR={}", built.display());
}
