//! The state dir's files: private to their owner from the first byte (dirs 0700, files 0600),
//! never half-written or lost to a concurrent writer (a unique temp file, fsync, rename, fsync
//! the dir; an exclusive lock for read-check-write sequences), and tightened when they are
//! found readable by others.

pub mod upload_paths;

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Creates `dir` and any missing parents as 0700. An existing dir keeps its mode (see
/// [`tighten`]).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Creates `path` as an empty 0600 file unless it exists (for files another library then
/// opens, such as a SQLite database, whose companions copy its mode).
pub fn private_file(path: &Path) -> std::io::Result<()> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Takes group and other permissions away from each of `paths` that exists and has any
/// (dirs become 0700, files 0600). Answers a line for each one it changed, to tell the user.
pub fn tighten(paths: &[PathBuf]) -> Vec<String> {
    let mut changed = Vec::new();
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o777;
        if meta.file_type().is_symlink() || mode & 0o077 == 0 {
            continue;
        }
        let private = if meta.is_dir() { 0o700 } else { 0o600 };
        if std::fs::set_permissions(path, std::fs::Permissions::from_mode(private)).is_ok() {
            changed.push(format!(
                "{} was readable by others (mode {mode:o}); it is now {private:o}",
                path.display()
            ));
        }
    }
    changed
}

/// Replaces `path` with `bytes` in one step. The temp file is private (0600) from its first
/// byte and named uniquely, so concurrent writers never write into each other's file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let (tmp, mut file) = create_unique(dir, name)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        std::fs::remove_file(&tmp).ok();
    }
    written?;
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
    Ok(())
}

/// Whether `name` is one of the temp files `write_atomically` writes `target` through, in the
/// same dir: while it exists it holds what `target` is about to hold.
pub fn is_temp_of(name: &std::ffi::OsStr, target: &std::ffi::OsStr) -> bool {
    let (Some(name), Some(target)) = (name.to_str(), target.to_str()) else {
        return false;
    };
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(target))
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| rest.ends_with(".tmp"))
}

fn create_unique(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    loop {
        let tmp = dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
        {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// An exclusive advisory lock on `<path>.lock`, held until dropped. It serialises writers in
/// this process and in others (the CLI editing the node's file while the node runs).
pub struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    pub fn acquire(path: &Path) -> std::io::Result<FileLock> {
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        if let Some(dir) = path.parent() {
            private_dir(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(lock_path)?;
        loop {
            // SAFETY: flock(2) on a descriptor this function owns.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(FileLock { _file: file });
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    #[test]
    fn a_files_temps_are_known_by_its_name() {
        let is = |name: &str| super::is_temp_of(OsStr::new(name), OsStr::new("openclaw.json"));
        assert!(is(".openclaw.json.12.ab.tmp"));
        for other in [
            "openclaw.json",
            ".openclaw.json.tmp.x",
            ".openclaw.jsonx.1.tmp",
            ".other.1.tmp",
        ] {
            assert!(!is(other), "{other}");
        }
    }

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_state_is_private_and_loose_state_is_tightened() {
        let root = tempfile::tempdir().unwrap();
        let state = root.path().join("state");
        let secret = state.join("identity/device.json");
        write_atomically(&secret, b"{}").unwrap();
        assert_eq!(mode(&state), 0o700);
        assert_eq!(mode(&state.join("identity")), 0o700);
        assert_eq!(mode(&secret), 0o600);
        private_file(&state.join("db")).unwrap();
        assert_eq!(mode(&state.join("db")), 0o600);

        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
        let said = tighten(&[state.clone(), secret.clone(), state.join("missing")]);
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[1].ends_with("device.json was readable by others (mode 644); it is now 600"));
        assert_eq!((mode(&state), mode(&secret)), (0o700, 0o600));
        assert!(tighten(&[state, secret]).is_empty(), "nothing left to say");
    }
}
