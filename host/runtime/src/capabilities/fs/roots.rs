//! Which granted root a path lies in, and the node's private dirs, recognised by identity on
//! the real parent chain of what was opened.

use std::collections::BTreeSet;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use cap_std::fs::Dir;
use rustix::fs::{Mode, OFlags};

/// A file's identity: device and inode.
pub type Id = (u64, u64);

/// The root holding `path` (the longest, by whole components) and the rest of the path below
/// it, if any root holds it.
pub fn root_of<'r>(roots: &'r [PathBuf], path: &Path) -> Option<(&'r PathBuf, PathBuf)> {
    roots
        .iter()
        .filter_map(|root| {
            let rel = path.strip_prefix(lexical(root)).ok()?;
            Some((root, rel.to_path_buf()))
        })
        .max_by_key(|(root, _)| root.components().count())
}

/// `path` in form only: `.` and `..` folded, as the real node host's `path.resolve` does;
/// links are left for the kernel to resolve beneath a root.
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// The dir at `rel` beneath `root` (the root itself when `rel` is empty).
pub fn open_dir(root: &Dir, rel: &Path) -> io::Result<Dir> {
    if rel.as_os_str().is_empty() {
        root.try_clone()
    } else {
        root.open_dir(rel)
    }
}

pub fn private_ids(dirs: &[PathBuf]) -> BTreeSet<Id> {
    use std::os::unix::fs::MetadataExt as _;
    dirs.iter()
        .filter_map(|d| std::fs::metadata(d).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect()
}

/// Whether `dir` is a private dir or lies inside one: its real parent chain, walked by
/// handle up to `/`.
pub fn reaches_private(dir: &Dir, private: &BTreeSet<Id>) -> io::Result<bool> {
    let mut current: OwnedFd = dir.as_fd().try_clone_to_owned()?;
    loop {
        let stat = rustix::fs::fstat(&current)?;
        let id = (stat.st_dev, stat.st_ino);
        if private.contains(&id) {
            return Ok(true);
        }
        let parent = rustix::fs::openat(
            &current,
            "..",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let up = rustix::fs::fstat(&parent)?;
        if (up.st_dev, up.st_ino) == id {
            return Ok(false);
        }
        current = parent;
    }
}
