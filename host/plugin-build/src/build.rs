//! `openclaw plugins build [DIR]`: builds the plugin project in DIR into `DIR/NAME.wasm`, in
//! whichever language it is written (told by its manifest).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use openclaw_wasm_build::declared;

use super::{js, python, rust, world};

pub fn build(dir: &Path) -> Result<()> {
    let (name, wasm) = if dir.join("Cargo.toml").is_file() {
        let (name, capabilities, wasm) = rust::build(&dir.join("Cargo.toml"))?;
        world::check_known(&capabilities)?;
        declared::check_imports(&wasm, &capabilities, rust::CAPABILITIES_KEY)
            .map_err(anyhow::Error::msg)?;
        (name, wasm)
    } else if dir.join("pyproject.toml").is_file() {
        let project = python::project(dir)?;
        in_work_dir(dir, &project.name, |work, wasm| {
            python::build(&project, work, wasm)
        })?
    } else if dir.join("package.json").is_file() {
        let (project, entry) = js::project(dir)?;
        in_work_dir(dir, &project.name, |work, wasm| {
            js::build(&project, &entry, work, wasm)
        })?
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

/// Runs `build(work, wasm)` in `DIR/.openclaw/build`, emptied first so that what the last
/// build left is not mixed into this one; answers the name and the component it made.
fn in_work_dir(
    dir: &Path,
    name: &str,
    build: impl FnOnce(&Path, &Path) -> Result<()>,
) -> Result<(String, PathBuf)> {
    let own = dir.join(".openclaw");
    // The build empties and makes dirs in it: through a link the project planted there, it
    // would remove and write wherever the link points.
    if std::fs::symlink_metadata(&own).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(
            "{} is a link; the build writes only into a directory of the project's own",
            own.display()
        );
    }
    let work = own.join("build");
    match std::fs::remove_dir_all(&work) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot empty {}", work.display())),
    }
    // Build scratch for a project's own source: nothing secret goes here.
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let wasm = work.join(format!("{name}.wasm"));
    build(&work, &wasm)?;
    Ok((name.to_string(), wasm))
}
