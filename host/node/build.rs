//! Builds the first-party plugins (`plugins/`) for wasm32-wasip2 so the binary can embed them.

use std::path::PathBuf;

use openclaw_wasm_build::{build_components, repo_root};
use sha2::{Digest, Sha256};

/// The plugins to embed (members of `plugins/Cargo.toml`).
const PLUGINS: &[&str] = &[
    "system",
    "canvas",
    "browser",
    "notify",
    "location",
    "screen",
    "camera",
    "files",
    "file_transfer",
    "mcp",
];

fn main() {
    let root = repo_root(2);
    let watched: Vec<PathBuf> = [
        "plugins",
        "sdk/rust/src",
        "sdk/rust/wit",
        "sdk/rust/Cargo.toml",
        "wit",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    // Beside the host's target dir, never inside a watched folder.
    let built = build_components(
        &root.join("plugins/Cargo.toml"),
        &root.join("target/wasm-plugins"),
        &watched,
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for name in PLUGINS {
        let wasm = built.join(format!("{name}.wasm"));
        let bytes = std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
        std::fs::write(out.join(format!("{name}.wasm")), &bytes).unwrap();
        // The cache key, so that a start need not hash the embedded bytes.
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        std::fs::write(out.join(format!("{name}.sha256")), digest).unwrap();
    }
}
