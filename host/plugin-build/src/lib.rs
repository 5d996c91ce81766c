//! What `openclaw plugins new` and `openclaw plugins build` do: a plugin project in Rust, Python or
//! JavaScript, from nothing to a `.wasm` file the node host loads, with no tool installed
//! globally. The SDK goes into the project itself (`.openclaw/sdk`), so the project needs no
//! SDK from a registry and builds against the contract this binary serves.

mod build;
mod js;
mod new;
mod python;
mod python_venv;
mod rust;
#[cfg(test)]
mod sdk_contract;
mod sdk_files;
mod world;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

pub use build::build;
pub use new::new;

/// The languages a project can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    Python,
    Js,
}

impl Lang {
    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::Js => "js",
        }
    }
}

/// A Python or JavaScript project, as its manifest declares it.
pub struct Project {
    pub dir: PathBuf,
    pub name: String,
    /// The capabilities its world imports.
    pub capabilities: Vec<String>,
    /// Where its SDK is.
    pub sdk: PathBuf,
}

impl Project {
    fn new(dir: &Path, name: &str, capabilities: Vec<String>, sdk: PathBuf) -> Result<Project> {
        if !valid_name(name) {
            bail!("the project's name {name:?} is not a plugin name: {NAME_RULE}");
        }
        let dir =
            std::fs::canonicalize(dir).with_context(|| format!("cannot open {}", dir.display()))?;
        Ok(Project {
            dir,
            name: name.to_string(),
            capabilities,
            sdk,
        })
    }
}

/// Runs a tool of the build, its output passed through; `what` names it in the error.
fn fail_unless_ok(command: &mut Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// What [`valid_name`] takes, in the words of its errors.
const NAME_RULE: &str =
    "use words of lowercase letters and digits, each starting with a letter, joined by single dashes";

/// A plugin name: words of lowercase ASCII letters and digits, each starting with a letter,
/// joined by single dashes (a WIT identifier too). It names the project dir, the package, the
/// `.wasm` file, the world and the commands (`NAME.greet`).
fn valid_name(name: &str) -> bool {
    name.len() <= 64
        && name.split('-').all(|word| {
            let mut chars = word.chars();
            chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn plugin_names_are_plain() {
        for good in ["hello", "my-plugin2", "a"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            "Hello",
            "1st",
            "my_plugin",
            "a-",
            "a--b",
            "my-2nd",
            "../x",
            "a b",
            "é",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
