//! Builds a Cargo workspace of plugins for `wasm32-wasip2` from a build script: the built-in
//! plugins the node embeds, and the test fixtures. Both go through this one function so that
//! they are built the same way. Each component's imports are checked against the capabilities
//! its `Cargo.toml` declares (`[package.metadata.openclaw] capabilities`), as
//! `openclaw plugins build` checks a project's.

pub mod declared;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Builds every member of the workspace at `manifest` in release mode into `target_dir`, and
/// asks Cargo to run the calling build script again when any of `watched` changes. Answers
/// the directory holding the `.wasm` files. Panics with the reason, as a build script should.
pub fn build_components(manifest: &Path, target_dir: &Path, watched: &[PathBuf]) -> PathBuf {
    for path in watched {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir)
        // The host build's flags are for the host, not for wasm.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {}: {e}", manifest.display()));
    if !status.success() {
        panic!(
            "building {} for wasm32-wasip2 failed (is the target installed? `rustup target add wasm32-wasip2`)",
            manifest.display()
        );
    }
    let built = target_dir.join("wasm32-wasip2/release");
    for (name, capabilities) in members(&cargo, manifest) {
        let wasm = built.join(format!("{}.wasm", name.replace('-', "_")));
        let manifest = format!("[package.metadata.openclaw] capabilities of {name}");
        if let Err(why) = declared::check_imports(&wasm, &capabilities, &manifest) {
            panic!("{why}");
        }
    }
    built
}

/// Each member of the workspace, with the capabilities it declares.
fn members(cargo: &str, manifest: &Path) -> Vec<(String, Vec<String>)> {
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo metadata: {e}"));
    assert!(
        out.status.success(),
        "cargo metadata failed for {}",
        manifest.display()
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON");
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    packages
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            let capabilities = declared::of_package(p).unwrap_or_else(|| {
                panic!("[package.metadata.openclaw] capabilities of {name} is not a list of names")
            });
            (name, capabilities)
        })
        .collect()
}

/// The repository root, from a crate `depth` levels below it.
pub fn repo_root(depth: usize) -> PathBuf {
    let mut dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"));
    for _ in 0..depth {
        dir.pop();
    }
    dir
}
