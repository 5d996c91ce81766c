//! Which granted root a path lies in, and the path below it.

use std::ffi::OsString;
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

/// How many links in a row are followed before giving up, as the kernel's `ELOOP` does.
const MAX_LINKS: usize = 40;

/// `rel` beneath `root` with its links followed in form, so that a link written as an absolute
/// path back into the root (`/home/me/work` inside `/home/me`) leads where it says, as it does
/// for the real node host. The answer is only ever a path for the root's handle to open: the
/// kernel resolves it beneath the root again, so a link swapped meanwhile still cannot leave.
/// `None` when a link leads out of the root (or loops): the caller keeps `rel`, which the
/// handle refuses as before. `root_paths` are the root's own names (as granted, and real).
pub fn follow_in_root(root: &Dir, root_paths: &[PathBuf], rel: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    // What is left to walk, last part first.
    let mut rest = Vec::new();
    push_parts(&mut rest, rel);
    let mut links = 0;
    while let Some(part) = rest.pop() {
        if part == ".." {
            // Above the root is out of it.
            if !out.pop() {
                return None;
            }
            continue;
        }
        let here = out.join(&part);
        let is_link = root
            .symlink_metadata(&here)
            .is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            // A dir, a file, or nothing: the handle says which, with the right error.
            out = here;
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return None;
        }
        let target = root.read_link_contents(&here).ok()?;
        if target.has_root() {
            // Its `..` are walked like the rest, so a way up and out is seen as one.
            let below = root_paths
                .iter()
                .find_map(|r| target.strip_prefix(r).ok())?;
            out = PathBuf::new();
            push_parts(&mut rest, below);
        } else {
            push_parts(&mut rest, &target);
        }
    }
    Some(out)
}

/// Pushes `path`'s parts onto the walk's stack so that its first part comes off first.
fn push_parts(rest: &mut Vec<OsString>, path: &Path) {
    let parts = path.components().filter_map(|c| match c {
        Component::Normal(n) => Some(n.to_os_string()),
        Component::ParentDir => Some(OsString::from("..")),
        Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
    });
    let parts: Vec<OsString> = parts.collect();
    rest.extend(parts.into_iter().rev());
}
