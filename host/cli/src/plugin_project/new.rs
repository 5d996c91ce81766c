//! `openclaw plugins new NAME`: a plugin project whose example command `NAME.greet` answers
//! `{"greeting": ...}`, with a test of its own.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::sdk_files::SDK_FILES;
use super::valid_name;

/// The languages a project can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
        }
    }
}

const CARGO_TOML: &str = r#"[package]
name = "__NAME__"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["cdylib"]

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

    fn call() -> Call {
        Call {
            invoke_id: "test".into(),
            node_id: "local".into(),
            timeout_ms: 1000,
            idempotency_key: None,
        }
    }

    #[test]
    fn greets_by_name() {
        let answer = greet(&call(), Greet { name: "Ada".into() }).unwrap();
        assert_eq!(answer, json!({ "greeting": "Hello, Ada!" }));
        let refused = greet(&call(), Greet { name: " ".into() }).unwrap_err();
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

The SDK is in `.openclaw/sdk` (the contract this node host serves, `wit/plugin.wit`).
"#;

const GITIGNORE: &str = "/target\n/*.wasm\n";

/// Writes the project into `parent/NAME`, which must not exist yet.
pub fn new(name: &str, lang: Lang, parent: &Path) -> Result<()> {
    if !valid_name(name) {
        bail!(
            "plugin name {name:?} is not usable: use lowercase letters, digits and dashes, starting with a letter"
        );
    }
    let dir = parent.join(name);
    if dir.exists() {
        bail!("{} already exists; nothing written", dir.display());
    }
    match lang {
        Lang::Rust => write_rust(name, &dir)?,
    }
    println!("Created {name} ({}) in {}", lang.name(), dir.display());
    println!("Next:");
    println!("  openclaw plugins build {}", dir.display());
    println!(
        "  openclaw plugins invoke {} {name}.greet '{{\"name\":\"Ada\"}}'",
        dir.join(format!("{name}.wasm")).display()
    );
    println!("  then copy {name}.wasm into the node's plugins dir");
    Ok(())
}

fn write_rust(name: &str, dir: &Path) -> Result<()> {
    let fill = |text: &str| text.replace("__NAME__", name);
    let mut files: Vec<(String, String)> = vec![
        ("Cargo.toml".into(), fill(CARGO_TOML)),
        ("src/lib.rs".into(), fill(LIB_RS)),
        ("README.md".into(), fill(README_MD)),
        (".gitignore".into(), GITIGNORE.into()),
    ];
    for (path, text) in SDK_FILES {
        files.push((format!(".openclaw/sdk/{path}"), text.to_string()));
    }
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
