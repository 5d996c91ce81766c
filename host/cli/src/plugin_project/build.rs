//! `openclaw plugins build [DIR]`: builds the plugin project in DIR into `DIR/NAME.wasm`, with
//! the project's own toolchain (Cargo and the `wasm32-wasip2` target for Rust).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

const TARGET: &str = "wasm32-wasip2";

pub fn build(dir: &Path) -> Result<()> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        bail!(
            "{} holds no plugin project (no Cargo.toml); make one with `openclaw plugins new NAME`",
            dir.display()
        );
    }
    let name = package_name(&manifest)?;
    let wasm = cargo_build(&manifest)?;
    let out = dir.join(format!("{name}.wasm"));
    std::fs::copy(&wasm, &out)
        .with_context(|| format!("cannot copy {} to {}", wasm.display(), out.display()))?;
    let size = std::fs::metadata(&out)?.len();
    println!("Built {} ({} KiB)", out.display(), size.div_ceil(1024));
    Ok(())
}

/// The project's package name, as `cargo metadata` reads it.
fn package_name(manifest: &Path) -> Result<String> {
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
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path()))
        .and_then(|p| p["name"].as_str())
        .map(String::from)
        .with_context(|| format!("no package in {}", manifest.display()))
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
