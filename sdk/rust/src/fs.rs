//! Directories under the roots the operator granted this plugin (the `fs` capability). Paths
//! are absolute; the host resolves each inside a root, so no link leads out of it. The
//! functions that can fail answer the SDK's [`Failure`], whose code names the cause: an errno
//! name (`ENOENT`, `EACCES`, `ELOOP`, ...) or `REFUSED` for a path outside the roots.

use crate::bindings::openclaw::plugin::fs as raw;

/// The failure these functions answer (named here too, as this module named the contract's).
pub use crate::Failure;
pub use raw::{follows_symlinks, home, DirEntry, EntryKind, Existing, FileContent, FileInfo};

/// `realpath`: `path` with every link below its root resolved.
pub fn canonical(path: &str) -> Result<String, Failure> {
    Ok(raw::canonical(path)?)
}

/// `lstat`: the metadata of the entry at `path` itself.
pub fn lstat(path: &str) -> Result<FileInfo, Failure> {
    Ok(raw::lstat(path)?)
}

/// Reads the regular file at `path` (not a link, one name only); reads nothing when it is
/// larger than `max_bytes`.
pub fn read_file(path: &str, max_bytes: u64) -> Result<FileContent, Failure> {
    Ok(raw::read_file(path, max_bytes)?)
}

/// Writes `content` to the file at `path` under a write root (a new file is made 0600);
/// `existing` says what happens to one already there. With `create_parents`, missing parent
/// dirs are made. Answers the written file's metadata.
pub fn write_file(
    path: &str,
    content: &[u8],
    existing: Existing,
    create_parents: bool,
) -> Result<FileInfo, Failure> {
    Ok(raw::write_file(path, content, existing, create_parents)?)
}

/// The entries of the directory at `path`, in the file system's order.
pub fn list_dir(path: &str) -> Result<Vec<DirEntry>, Failure> {
    Ok(raw::list_dir(path)?)
}
