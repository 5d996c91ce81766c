//! `openclaw plugins new NAME`: a plugin project whose example command `NAME.greet` answers
//! `{"greeting": ...}`, with a test of its own.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::{js, python, rust, sdk_files, valid_name, Lang, NAME_RULE};

/// Writes the project into `parent/NAME`, which must not exist yet.
pub fn new(name: &str, lang: Lang, parent: &Path) -> Result<()> {
    if !valid_name(name) {
        bail!("plugin name {name:?} is not usable: {NAME_RULE}");
    }
    let dir = parent.join(name);
    if dir.exists() {
        bail!("{} already exists; nothing written", dir.display());
    }
    let (template, sdk) = match lang {
        Lang::Rust => (rust::TEMPLATE, sdk_files::RUST),
        Lang::Python => (python::TEMPLATE, sdk_files::PYTHON),
        Lang::Js => (js::TEMPLATE, sdk_files::JS),
    };
    let fill = |text: &str| {
        text.replace("__NAME__", name)
            .replace("__MODULE__", &name.replace('-', "_"))
    };
    let own = template.iter().map(|(path, text)| (fill(path), fill(text)));
    let carried = sdk
        .iter()
        .map(|(path, text)| (format!(".openclaw/sdk/{path}"), text.to_string()));
    // A project is source to share and commit, with nothing secret in it: default modes.
    for (path, text) in own.chain(carried) {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
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
