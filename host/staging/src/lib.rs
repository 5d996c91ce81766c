//! Uploads staged on the node, kept as the real node host keeps them: each upload in a fresh
//! private dir (`openclaw-terminal-upload-XXXXXX` under the system temp dir for a terminal
//! upload, `upload-XXXXXX` under the browser's upload dir for a browser proxy upload), its
//! files created new with mode 0600, the dir removed 24 hours later. All staged uploads of a
//! kind together hold at most 64 dirs and 256 MiB.
//!
//! The disk is the record, across restarts, other node processes of the same user and files an
//! operator moved away, so every admission and every sweep scans it, under an exclusive lock
//! that those processes share. The temp dir is shared with other local users: only dirs this
//! user owns count or get removed, nothing there is followed through a link, and the lock
//! lives in a dir that must be this user's own and private.

mod scan;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use cap_std::ambient_authority;
use cap_std::fs::{Dir, DirBuilder, DirBuilderExt, File, MetadataExt, OpenOptions, OpenOptionsExt};
use rand::distributions::{Alphanumeric, DistString};
use rustix::fs::FlockOperation;

/// The largest file one upload may stage.
pub const MAX_UPLOAD_BYTES: u64 = 16_777_216;
/// How long a staged upload stays.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
#[cfg(test)]
const PREFIX: &str = TERMINAL.prefix;
const MAX_STAGED_DIRS: usize = 64;
const MAX_STAGED_BYTES: u64 = 256 * 1024 * 1024;
/// A removal that failed is tried again this much later.
const RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("terminal upload exceeds {MAX_UPLOAD_BYTES} bytes")]
    TooLarge,
    #[error("terminal upload name {0:?} is not a plain file name")]
    BadName(String),
    #[error(
        "terminal upload staging limit reached (256 MiB or 64 files). Move or remove staged \
         files, then retry, or wait for the 24-hour cleanup."
    )]
    LimitReached,
    #[error("terminal upload staging is busy; retry after other uploads finish")]
    Busy,
    #[error("terminal upload staging lock dir {0} is not a private dir of this user")]
    LockDirNotPrivate(PathBuf),
    #[error("terminal upload staging failed: {0}")]
    Io(#[from] io::Error),
}

/// What one kind of upload is called on disk.
#[derive(Debug, Clone, Copy)]
struct Kind {
    prefix: &'static str,
    lock_dir: &'static str,
    lock_file: &'static str,
    /// A file each staged dir carries, saying what made it.
    marker: Option<(&'static str, &'static str)>,
}

const TERMINAL: Kind = Kind {
    prefix: "openclaw-terminal-upload-",
    lock_dir: ".openclaw-terminal-staging",
    lock_file: "terminal-upload.lock",
    marker: None,
};

const BROWSER_PROXY: Kind = Kind {
    prefix: "upload-",
    lock_dir: ".openclaw-browser-proxy-staging",
    lock_file: "browser-proxy-upload.lock",
    marker: Some((
        ".openclaw-browser-proxy-upload-v1",
        "openclaw-browser-proxy-upload-v1\n",
    )),
};

/// Where a staged upload lies, and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    pub path: PathBuf,
    pub size: u64,
}

/// The staging area under one temp root.
#[derive(Debug, Clone)]
pub struct UploadStaging {
    kind: Kind,
    root: PathBuf,
    retention: Duration,
    lock_wait: Duration,
}

impl UploadStaging {
    /// Under the system temp dir (`TMPDIR`, else `/tmp`), as the real node host's
    /// `os.tmpdir()`.
    pub fn in_temp_dir() -> UploadStaging {
        UploadStaging::new(std::env::temp_dir())
    }

    pub fn new(root: PathBuf) -> UploadStaging {
        UploadStaging {
            kind: TERMINAL,
            root,
            retention: RETENTION,
            lock_wait: Duration::from_secs(5),
        }
    }

    /// Browser proxy uploads, under `root` (`<upload dir>/.proxy-uploads`): each request's
    /// files in `upload-XXXXXX/<i>/<name>`, with a marker file.
    pub fn browser_proxy(root: PathBuf) -> UploadStaging {
        UploadStaging {
            kind: BROWSER_PROXY,
            ..UploadStaging::new(root)
        }
    }

    pub fn with_retention(mut self, retention: Duration) -> UploadStaging {
        self.retention = retention;
        self
    }

    /// How long an admission waits for another process's lock before it answers busy.
    pub fn with_lock_wait(mut self, wait: Duration) -> UploadStaging {
        self.lock_wait = wait;
        self
    }

    /// Stages `content` as `name`, one plain file name (the caller sanitises it; anything
    /// with a separator, or `.`, `..` or empty, is refused here as well).
    pub fn stage(&self, name: &str, content: &[u8]) -> Result<Staged, StageError> {
        let size = content.len() as u64;
        if size > MAX_UPLOAD_BYTES {
            return Err(StageError::TooLarge);
        }
        check_name(name)?;
        let (root_path, root, _lock) = self.admit(size)?;
        let dir_name = create_unique_dir(&root, self.kind.prefix)?;
        if let Err(e) = write_new(&root, &dir_name, name, content) {
            // Nothing half-staged stays behind; should this fail too, the sweep retries it.
            let _ = root.remove_dir_all(&dir_name);
            return Err(e.into());
        }
        Ok(Staged {
            path: root_path.join(dir_name).join(name),
            size,
        })
    }

    /// Stages one request's files together, each as `<i>/<name>` in one new dir, all or none.
    /// Answers their paths in order.
    pub fn stage_files(&self, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>, StageError> {
        let size: u64 = files.iter().map(|(_, c)| c.len() as u64).sum();
        if size > MAX_UPLOAD_BYTES {
            return Err(StageError::TooLarge);
        }
        for (name, _) in files {
            check_name(name)?;
        }
        let (root_path, root, _lock) = self.admit(size)?;
        let dir_name = create_unique_dir(&root, self.kind.prefix)?;
        let written = (|| {
            let dir = scan::open_dir_nofollow(&root, dir_name.as_str())?;
            if let Some((marker, content)) = self.kind.marker {
                write_new(&root, &dir_name, marker, content.as_bytes())?;
            }
            let mut builder = DirBuilder::new();
            builder.mode(0o700);
            let mut paths = Vec::with_capacity(files.len());
            for (i, (name, content)) in files.iter().enumerate() {
                let index = i.to_string();
                dir.create_dir_with(&index, &builder)?;
                write_new(&dir, &index, name, content)?;
                paths.push(root_path.join(&dir_name).join(index).join(name));
            }
            io::Result::Ok(paths)
        })();
        written
            .inspect_err(|_| {
                let _ = root.remove_dir_all(&dir_name);
            })
            .map_err(StageError::from)
    }

    /// Opens the root and takes the lock (held while the returned file lives), once what is
    /// staged leaves room for one more dir of `size` bytes.
    fn admit(&self, size: u64) -> Result<(PathBuf, Dir, File), StageError> {
        let (root_path, root) = self.open_root()?;
        let lock = self.lock(&root, &root_path)?;
        let usage = scan::scan(&root, self.kind.prefix, self.retention, SystemTime::now())?;
        if usage.dirs >= MAX_STAGED_DIRS || usage.bytes + size > MAX_STAGED_BYTES {
            return Err(StageError::LimitReached);
        }
        Ok((root_path, root, lock))
    }

    /// Removes at once the staged dir that holds `path` (its request failed).
    pub fn discard(&self, path: &Path) -> Result<(), StageError> {
        let (root_path, root) = self.open_root()?;
        let staged = path
            .strip_prefix(&root_path)
            .ok()
            .and_then(|below| below.components().next())
            .and_then(|first| first.as_os_str().to_str())
            .filter(|name| name.starts_with(self.kind.prefix) && *name != self.kind.prefix)
            .ok_or_else(|| {
                StageError::Io(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a staged upload", path.display()),
                ))
            })?;
        let _lock = self.lock(&root, &root_path)?;
        let meta = root.symlink_metadata(staged)?;
        if meta.is_dir() && meta.uid() == rustix::process::getuid().as_raw() {
            root.remove_dir_all(staged)?;
        }
        Ok(())
    }

    /// Removes the uploads whose time is up. Answers when the next one is due, if any is
    /// staged.
    pub fn sweep(&self) -> Result<Option<SystemTime>, StageError> {
        let (root_path, root) = match self.open_root() {
            Ok(opened) => opened,
            // Nothing was ever staged here.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let _lock = self.lock(&root, &root_path)?;
        Ok(scan::scan(&root, self.kind.prefix, self.retention, SystemTime::now())?.next_due)
    }

    fn open_root(&self) -> io::Result<(PathBuf, Dir)> {
        let path = std::fs::canonicalize(&self.root)?;
        let dir = Dir::open_ambient_dir(&path, ambient_authority())?;
        Ok((path, dir))
    }

    /// The exclusive lock every process of this user shares for this root, held until the
    /// file is dropped. `flock` goes with the process, so a crash leaves no stale lock.
    fn lock(&self, root: &Dir, root_path: &Path) -> Result<File, StageError> {
        let uid = rustix::process::getuid().as_raw();
        let name = format!("{}-{uid}", self.kind.lock_dir);
        let mut builder = DirBuilder::new();
        builder.mode(0o700);
        match root.create_dir_with(&name, &builder) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
        // Another user may have made it first, or planted a link by that name.
        let meta = root.symlink_metadata(&name)?;
        if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
            return Err(StageError::LockDirNotPrivate(root_path.join(name)));
        }
        let lock_dir = scan::open_dir_nofollow(root, &name)?;
        let file = lock_dir.open_with(
            self.kind.lock_file,
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .mode(0o600)
                .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32),
        )?;
        let deadline = Instant::now() + self.lock_wait;
        loop {
            match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(file),
                Err(rustix::io::Errno::WOULDBLOCK) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(rustix::io::Errno::WOULDBLOCK) => return Err(StageError::Busy),
                Err(e) => return Err(io::Error::from(e).into()),
            }
        }
    }
}

fn check_name(name: &str) -> Result<(), StageError> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\0'])
        && name.len() <= 255;
    if plain {
        Ok(())
    } else {
        Err(StageError::BadName(name.to_string()))
    }
}

/// `mkdtemp(<root>/<prefix>XXXXXX)`: a new 0700 dir no one else made.
fn create_unique_dir(root: &Dir, prefix: &str) -> io::Result<String> {
    let mut builder = DirBuilder::new();
    builder.mode(0o700);
    loop {
        let suffix = Alphanumeric.sample_string(&mut rand::thread_rng(), 6);
        let name = format!("{prefix}{suffix}");
        match root.create_dir_with(&name, &builder) {
            Ok(()) => return Ok(name),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

fn write_new(root: &Dir, dir_name: &str, name: &str, content: &[u8]) -> io::Result<()> {
    let dir = scan::open_dir_nofollow(root, dir_name)?;
    let mut file = dir.open_with(
        name,
        OpenOptions::new().write(true).create_new(true).mode(0o600),
    )?;
    file.write_all(content)?;
    file.sync_all()
}

#[cfg(test)]
mod tests;
