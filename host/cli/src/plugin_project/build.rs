//! `openclaw plugins build [DIR]`: builds the plugin project in DIR into `DIR/NAME.wasm`, in
//! whichever language it is written (told by its manifest).

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::{js, python, rust};

pub fn build(dir: &Path) -> Result<()> {
    let (name, wasm) = if dir.join("Cargo.toml").is_file() {
        rust::build(&dir.join("Cargo.toml"))?
    } else if dir.join("pyproject.toml").is_file() {
        let project = python::project(dir)?;
        let work = fresh_work_dir(dir)?;
        let wasm = work.join(format!("{}.wasm", project.name));
        python::build(&project, &work, &wasm)?;
        (project.name, wasm)
    } else if dir.join("package.json").is_file() {
        let (project, entry) = js::project(dir)?;
        let work = fresh_work_dir(dir)?;
        let wasm = work.join(format!("{}.wasm", project.name));
        js::build(&project, &entry, &work, &wasm)?;
        (project.name, wasm)
    } else {
        bail!(
            "{} holds no plugin project (no Cargo.toml, pyproject.toml or package.json); make one with `openclaw plugins new NAME`",
            dir.display()
        );
    };
    // Copied only once built whole, so a failed build leaves the last good file in place.
    let out = dir.join(format!("{name}.wasm"));
    std::fs::copy(&wasm, &out)
        .with_context(|| format!("cannot copy {} to {}", wasm.display(), out.display()))?;
    let size = std::fs::metadata(&out)?.len();
    println!("Built {} ({} KiB)", out.display(), size.div_ceil(1024));
    Ok(())
}

/// `DIR/.openclaw/build`, emptied: what the last build left is not mixed into this one.
fn fresh_work_dir(dir: &Path) -> Result<std::path::PathBuf> {
    let work = dir.join(".openclaw/build");
    match std::fs::remove_dir_all(&work) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot empty {}", work.display())),
    }
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    Ok(work)
}
