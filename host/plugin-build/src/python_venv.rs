//! The venv a Python build runs componentize-py from, `DIR/.openclaw/venv`. It lies inside a
//! project that may come from someone else, who can ship a venv of their own there: a fake
//! `componentize-py`, `pip` or `python`, a `.pth` file that runs at start-up. So the build
//! runs nothing from a venv it did not make: when it makes one, it keeps the venv's
//! fingerprint in the state dir, outside the project; before each use it compares, and a venv
//! that differs (planted, copied, edited, or made for another componentize-py) is removed and
//! made again, without running anything in it.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::fail_unless_ok;

/// The componentize-py release builds are made with.
const COMPONENTIZE_PY: &str = "0.25.1";

/// componentize-py in the project's venv, which this build made, or makes now.
pub fn componentize_py(dir: &Path) -> Result<PathBuf> {
    let venv = dir.join(".openclaw/venv");
    let records = openclaw_config::state_dir().join("plugin-venvs");
    let record = record_path(&records, &venv);
    let tool = venv.join("bin/componentize-py");
    if made_by_this_build(&venv, &record) {
        return Ok(tool);
    }
    remove(&venv)?;
    make(&venv)?;
    let made = fingerprint(&venv)
        .with_context(|| format!("cannot read the venv just made, {}", venv.display()))?;
    openclaw_files::write_atomically(&record, made.as_bytes())
        .with_context(|| format!("cannot write {}", record.display()))?;
    Ok(tool)
}

/// Where the fingerprint of the venv at `venv` is kept: named by the venv's path, so each
/// project has its own, and none is inside a project.
fn record_path(records: &Path, venv: &Path) -> PathBuf {
    records.join(hex(&Sha256::digest(venv.as_os_str().as_bytes())))
}

/// The venv is, entry for entry, the one this build made and recorded.
fn made_by_this_build(venv: &Path, record: &Path) -> bool {
    let Ok(recorded) = std::fs::read_to_string(record) else {
        return false;
    };
    fingerprint(venv).is_ok_and(|now| now == recorded)
}

/// Takes away whatever is at `venv`: a dir, a link (not what it points to) or a file.
fn remove(venv: &Path) -> Result<()> {
    let removed = match std::fs::symlink_metadata(venv) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => Err(e),
        Ok(meta) => {
            println!(
                "Remaking {}: it is not the venv this build made",
                venv.display()
            );
            if meta.is_dir() {
                std::fs::remove_dir_all(venv)
            } else {
                std::fs::remove_file(venv)
            }
        }
    };
    removed.with_context(|| format!("cannot remove {}", venv.display()))
}

/// A new venv with componentize-py. Python runs isolated (`-I`): neither the current dir,
/// which may be the project, nor `PYTHON*` variables add modules to what it imports.
fn make(venv: &Path) -> Result<()> {
    println!(
        "Making {} with componentize-py {COMPONENTIZE_PY}",
        venv.display()
    );
    let mut make = Command::new("python3");
    make.args(["-I", "-m", "venv"]).arg(venv);
    fail_unless_ok(
        &mut make,
        "python3 -m venv (is Python 3.10+ installed, with venv?)",
    )?;
    let mut install = Command::new(venv.join("bin/python"));
    install
        .args(["-I", "-m", "pip", "install", "--quiet"])
        .arg("--disable-pip-version-check")
        .arg(format!("componentize-py=={COMPONENTIZE_PY}"));
    fail_unless_ok(&mut install, "pip install componentize-py")
}

/// What the venv is now, for componentize-py `COMPONENTIZE_PY`: every entry's name, kind,
/// mode, size, times and link target, and its identity (device, inode, change time), which
/// neither a copy nor an edit keeps, nor anyone but the kernel sets.
fn fingerprint(venv: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(format!("componentize-py {COMPONENTIZE_PY}\n"));
    let root = std::fs::symlink_metadata(venv)?;
    if !root.is_dir() {
        return Err(std::io::Error::other("not a directory"));
    }
    entry(&mut hasher, Path::new("."), venv, &root)?;
    walk(&mut hasher, venv, Path::new(""))?;
    Ok(hex(&hasher.finalize()))
}

/// Every entry under `dir`, sorted by name; links are recorded, never followed.
fn walk(hasher: &mut Sha256, dir: &Path, relative: &Path) -> std::io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        let (path, relative) = (dir.join(&name), relative.join(&name));
        let meta = std::fs::symlink_metadata(&path)?;
        entry(hasher, &relative, &path, &meta)?;
        if meta.is_dir() {
            walk(hasher, &path, &relative)?;
        }
    }
    Ok(())
}

fn entry(
    hasher: &mut Sha256,
    relative: &Path,
    path: &Path,
    meta: &std::fs::Metadata,
) -> std::io::Result<()> {
    // A NUL ends each name and link target: no name holds one.
    hasher.update(relative.as_os_str().as_bytes());
    hasher.update([0]);
    hasher.update(format!(
        "{:o} {} {} {} {}.{} {}.{}\n",
        meta.mode(),
        meta.size(),
        meta.dev(),
        meta.ino(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec()
    ));
    if meta.file_type().is_symlink() {
        hasher.update(std::fs::read_link(path)?.as_os_str().as_bytes());
        hasher.update([0]);
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small tree standing in for a venv: a script, a link, a package dir.
    fn venv_in(dir: &Path) -> PathBuf {
        let venv = dir.join("venv");
        openclaw_files::private_dir(&venv.join("bin")).unwrap();
        openclaw_files::private_dir(&venv.join("lib/site-packages/tool")).unwrap();
        let file = |path: &str, text: &str| {
            openclaw_files::write_atomically(&venv.join(path), text.as_bytes()).unwrap()
        };
        file("bin/componentize-py", "#!/bin/sh\n");
        file("lib/site-packages/tool/__init__.py", "");
        // Link targets are recorded, never followed: a name beside it serves.
        std::os::unix::fs::symlink("python3", venv.join("bin/python")).unwrap();
        venv
    }

    fn recorded(dir: &Path, venv: &Path) -> PathBuf {
        let record = record_path(&dir.join("records"), venv);
        openclaw_files::write_atomically(&record, fingerprint(venv).unwrap().as_bytes()).unwrap();
        record
    }

    #[test]
    fn only_the_venv_that_was_recorded_is_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let venv = venv_in(dir.path());
        let record = record_path(&dir.path().join("records"), &venv);
        assert!(!made_by_this_build(&venv, &record), "nothing recorded");
        let record = recorded(dir.path(), &venv);
        assert!(made_by_this_build(&venv, &record));
        assert!(
            made_by_this_build(&venv, &record),
            "reading changes nothing"
        );

        // The same tree made again (a copy, an unpacked archive) has other identities.
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        let copy = venv_in(&other);
        std::fs::rename(&venv, dir.path().join("gone")).unwrap();
        std::fs::rename(&copy, &venv).unwrap();
        assert!(!made_by_this_build(&venv, &record), "a copy");
    }

    #[test]
    fn any_change_after_the_record_is_noticed() {
        let changes: [fn(&Path); 6] = [
            |v| std::fs::write(v.join("bin/componentize-py"), "#!/bin/sh\n").unwrap(),
            |v| std::fs::write(v.join("lib/site-packages/evil.pth"), "import os\n").unwrap(),
            |v| std::fs::remove_file(v.join("lib/site-packages/tool/__init__.py")).unwrap(),
            |v| {
                std::fs::remove_file(v.join("bin/python")).unwrap();
                std::os::unix::fs::symlink("python3-planted", v.join("bin/python")).unwrap();
            },
            |v| {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::Permissions::from_mode(0o755);
                std::fs::set_permissions(v.join("bin/componentize-py"), mode).unwrap();
            },
            |v| {
                let script = v.join("bin/componentize-py");
                std::fs::rename(&script, v.join("x")).unwrap();
                std::fs::rename(v.join("x"), &script).unwrap();
            },
        ];
        for (n, change) in changes.into_iter().enumerate() {
            let dir = tempfile::tempdir().unwrap();
            let venv = venv_in(dir.path());
            let record = recorded(dir.path(), &venv);
            // File times tick coarsely (a jiffy); a project's files change long after.
            std::thread::sleep(std::time::Duration::from_millis(30));
            change(&venv);
            assert!(!made_by_this_build(&venv, &record), "change {n}");
        }
    }

    #[test]
    fn a_link_or_a_file_in_the_venvs_place_is_never_trusted_and_removing_it_spares_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = venv_in(dir.path());
        let record = recorded(dir.path(), &real);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(!made_by_this_build(
            &link,
            &record_path(&dir.path().join("records"), &link)
        ));
        assert!(fingerprint(&link).is_err());
        remove(&link).unwrap();
        assert!(!link.exists() && made_by_this_build(&real, &record));
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(fingerprint(&file).is_err());
        remove(&file).unwrap();
        assert!(!file.exists());
    }
}
