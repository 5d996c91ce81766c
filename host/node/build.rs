//! Builds the first-party plugins (`plugins/`) for wasm32-wasip2 so the binary can embed them.

use std::path::PathBuf;
use std::process::Command;

/// The plugins to embed (members of `plugins/Cargo.toml`).
const PLUGINS: &[&str] = &[
    "system", "canvas", "browser", "notify", "location", "screen", "camera",
];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.join("../..").canonicalize().unwrap();
    for watched in ["plugins", "sdk/rust/src", "sdk/rust/Cargo.toml", "wit"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    // Beside the host's target dir, never inside a watched folder.
    let target_dir = root.join("target/wasm-plugins");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--manifest-path",
        ])
        .arg(root.join("plugins/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        // The host build's flags are for the host, not for wasm.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("run cargo to build the plugins");
    if !status.success() {
        panic!("building the plugins for wasm32-wasip2 failed (is the target installed? `rustup target add wasm32-wasip2`)");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for name in PLUGINS {
        let built = target_dir.join(format!("wasm32-wasip2/release/{name}.wasm"));
        std::fs::copy(&built, out.join(format!("{name}.wasm")))
            .unwrap_or_else(|e| panic!("{}: {e}", built.display()));
    }
}
