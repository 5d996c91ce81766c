//! Which granted root a path lies in, and the path below it.

use std::io;
use std::path::{Component, Path, PathBuf};

use cap_std::fs::Dir;

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
