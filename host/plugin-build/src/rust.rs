//! Rust plugin projects: the template `plugins new --lang rust` writes, and the build, with
//! the project's own toolchain (Cargo and the `wasm32-wasip2` target).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

const TARGET: &str = "wasm32-wasip2";

const CARGO_TOML: &str = r#"[package]
name = "__NAME__"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["cdylib"]

# The capabilities src/ calls (log, exec, fs, ...); the build checks them, and the operator
# must grant each.
[package.metadata.openclaw]
capabilities = []

[dependencies]
openclaw-plugin-sdk = { path = ".openclaw/sdk" }
serde = { version = "1", features = ["derive"] }
serde_json = "1"

# A project of its own, whatever workspace lies above it.
[workspace]

[profile.release]
opt-level = "s"
strip = true
lto = true
"#;

const LIB_RS: &str = r#"//! __NAME__: a plugin for the OpenClaw node host.

use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Greet {
    name: String,
}

fn greet(_call: &Call, p: Greet) -> Result<Value, Failure> {
    let name = p.name.trim();
    if name.is_empty() {
        return Err(Failure::invalid("name must not be empty"));
    }
    Ok(json!({ "greeting": format!("Hello, {name}!") }))
}

plugin! {
    caps: ["__NAME__"],
    commands: {
        "__NAME__.greet" => greet: "Greets someone by name",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name() {
        let answer = greet(&Call::local(), Greet { name: "Ada".into() }).unwrap();
        assert_eq!(answer, json!({ "greeting": "Hello, Ada!" }));
        let refused = greet(&Call::local(), Greet { name: " ".into() }).unwrap_err();
        assert_eq!(refused.code, "INVALID_REQUEST");
    }
}
"#;

const README_MD: &str = r#"# __NAME__

A plugin for the OpenClaw node host.

```sh
cargo test                                              # its own test
openclaw plugins build .                                # -> __NAME__.wasm
openclaw plugins invoke __NAME__.wasm __NAME__.greet '{"name":"Ada"}'
cp __NAME__.wasm ../plugins/                            # live on `openclaw up`'s node
```

The SDK is in `.openclaw/sdk` (the contract this node host serves, `wit/`).
"#;

const GITIGNORE: &str = "/target\n/*.wasm\n";

/// The project's files, by path inside it (`__NAME__` and `__MODULE__` are filled in).
pub const TEMPLATE: &[(&str, &str)] = &[
    ("Cargo.toml", CARGO_TOML),
    ("src/lib.rs", LIB_RS),
    ("README.md", README_MD),
    (".gitignore", GITIGNORE),
];

/// Where a Rust project lists its capabilities, in the words of the build's errors.
pub const CAPABILITIES_KEY: &str = "[package.metadata.openclaw] capabilities in Cargo.toml";

/// Builds the crate of `manifest`; answers its name, its declared capabilities and the
/// component Cargo made.
pub fn build(manifest: &Path) -> Result<(String, Vec<String>, PathBuf)> {
    let (name, capabilities) = package(manifest)?;
    let wasm = cargo_build(manifest)?;
    Ok((name, capabilities, wasm))
}

/// The project's package name and declared capabilities, as `cargo metadata` reads them.
fn package(manifest: &Path) -> Result<(String, Vec<String>)> {
    let out = Command::new(cargo())
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo (is Rust installed?)")?;
    if !out.status.success() {
        bail!("cargo metadata failed for {}", manifest.display());
    }
    let metadata: Value = serde_json::from_slice(&out.stdout)?;
    let manifest = std::fs::canonicalize(manifest)?;
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path()))
        .with_context(|| format!("no package in {}", manifest.display()))?;
    let name = package["name"].as_str().unwrap_or_default().to_string();
    let capabilities = openclaw_wasm_build::declared::of_package(package)
        .with_context(|| format!("{CAPABILITIES_KEY} must be a list of names"))?;
    Ok((name, capabilities))
}

/// Builds for wasm; answers the component Cargo made, as its own report names it.
fn cargo_build(manifest: &Path) -> Result<PathBuf> {
    let mut child = Command::new(cargo())
        .args(["build", "--release", "--target", TARGET])
        .args([
            "--message-format",
            "json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(manifest)
        // Flags for this machine are not for wasm.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot run cargo (is Rust installed?)")?;
    let mut wasm = None;
    let manifest = std::fs::canonicalize(manifest)?;
    for line in std::io::BufReader::new(child.stdout.take().expect("piped")).lines() {
        let message: Value = serde_json::from_str(&line?).unwrap_or_default();
        let ours = message["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path());
        if message["reason"] == "compiler-artifact" && ours {
            wasm = message["filenames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find(|f| f.ends_with(".wasm"))
                .map(PathBuf::from)
                .or(wasm);
        }
    }
    if !child.wait()?.success() {
        bail!("the build failed (is the target installed? `rustup target add {TARGET}`)");
    }
    wasm.context("the build made no .wasm file: is the crate a `cdylib`?")
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
