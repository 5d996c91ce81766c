//! `openclaw plugins new NAME`: a plugin project whose example command `NAME.greet` answers
//! `{"greeting": ...}`, with a test of its own.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::{js, python, rust, valid_name, Lang};

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
    let files = match lang {
        Lang::Rust => rust::template(name),
        Lang::Python => python::template(name),
        Lang::Js => js::template(name),
    };
    for (path, text) in files {
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
