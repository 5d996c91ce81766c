//! The file functions of `fs`: `canonical`, `lstat`, `read-file` and `write-file`. Each opens
//! the parent dir of its path beneath the path's root (links there resolve inside the root or
//! fail), checks that parent's real chain against the node's private dirs and the last name
//! against the private files' places, and acts on that name with `*at` calls that never
//! follow a link in its place. A write that makes its parents checks the nearest dir that
//! exists before it makes any.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use cap_std::fs::{Dir, DirBuilder, DirBuilderExt};
use rand::distributions::{Alphanumeric, DistString};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, RenameFlags, Stat};
use sha2::{Digest, Sha256};

use super::errors::{errno_failure, named_failure};
use super::private::id_of_fd;
use super::roots::open_dir;
use super::{Fs, Need};
use crate::bindings::openclaw::plugin::fs::{Existing, FileContent, FileInfo};
use crate::bindings::Failure;

/// A path located under a root: the path as asked (folded), its root opened, and the rest.
pub struct Located {
    pub requested: PathBuf,
    pub root_path: PathBuf,
    pub root: Dir,
    pub rel: PathBuf,
}

impl Located {
    /// The last name, unless the path is its root.
    fn name(&self) -> Option<&OsStr> {
        self.rel.file_name()
    }

    fn parent_rel(&self) -> &Path {
        self.rel.parent().unwrap_or(Path::new(""))
    }
}

impl Fs {
    /// Refuses a path whose dirs pass through a link, unless the grant follows links: the
    /// nearest of them that exists, resolved beneath the root, must be where it is written.
    fn check_no_links(&self, loc: &Located, syscall: &str) -> Result<(), Failure> {
        if self.roots.follow_symlinks {
            return Ok(());
        }
        let mut dir = loc.parent_rel();
        loop {
            if dir.as_os_str().is_empty() {
                return Ok(());
            }
            match loc.root.canonicalize(dir) {
                Ok(real) if real == dir => return Ok(()),
                Ok(_) => {
                    return Err(named_failure(
                        "ELOOP",
                        "path passes through a link, which the grant does not follow",
                        syscall,
                        &loc.requested,
                    ))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    dir = dir.parent().unwrap_or(Path::new(""));
                }
                Err(e) => return Err(self.errno(&e, syscall, loc)),
            }
        }
    }

    /// The parent dir of `loc`, opened beneath its root, after checking that it is not a
    /// private dir nor inside one.
    fn parent(&self, loc: &Located, syscall: &str) -> Result<Dir, Failure> {
        let parent =
            open_dir(&loc.root, loc.parent_rel()).map_err(|e| self.errno(&e, syscall, loc))?;
        match self.private.reaches(&parent) {
            Ok(false) => Ok(parent),
            Ok(true) => Err(self.refused(&loc.requested, Need::Lookup)),
            Err(e) => Err(self.errno(&e, syscall, loc)),
        }
    }

    /// Refuses `name` in `dir` where it is, or would be, a private file.
    fn check_place(&self, dir: &Dir, name: &OsStr, loc: &Located) -> Result<(), Failure> {
        let id = id_of_fd(dir).map_err(|e| self.errno(&e, "lstat", loc))?;
        if self.private.is_place(id, name) {
            return Err(self.refused(&loc.requested, Need::Lookup));
        }
        Ok(())
    }

    /// Before a write makes the parents of `loc`: the nearest of them that exists must be
    /// neither private nor inside a private dir, and the first one to be made must not take
    /// a private file's place (a dir named like the grants file would stop the node).
    fn check_creatable(&self, loc: &Located) -> Result<(), Failure> {
        let mut dir = loc.parent_rel();
        let mut first_missing: Option<&OsStr> = None;
        let existing = loop {
            match open_dir(&loc.root, dir) {
                Ok(existing) => break existing,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if dir.as_os_str().is_empty() {
                        return Err(self.errno(&e, "mkdir", loc));
                    }
                    first_missing = dir.file_name();
                    dir = dir.parent().unwrap_or(Path::new(""));
                }
                Err(e) => return Err(self.errno(&e, "mkdir", loc)),
            }
        };
        match self.private.reaches(&existing) {
            Ok(false) => {}
            Ok(true) => return Err(self.refused(&loc.requested, Need::Lookup)),
            Err(e) => return Err(self.errno(&e, "mkdir", loc)),
        }
        match first_missing {
            Some(name) => self.check_place(&existing, name, loc),
            None => Ok(()),
        }
    }

    fn errno(&self, e: &std::io::Error, syscall: &str, loc: &Located) -> Failure {
        errno_failure(e, syscall, &loc.requested, || {
            self.refused(&loc.requested, Need::Lookup)
        })
    }

    /// The entry's own metadata, refused when it is a private dir or file.
    fn stat_entry(&self, parent: &Dir, loc: &Located) -> Result<Stat, Failure> {
        if let Some(name) = loc.name() {
            self.check_place(parent, name, loc)?;
        }
        let stat = match loc.name() {
            Some(name) => rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW),
            None => rustix::fs::fstat(parent),
        }
        .map_err(|e| self.errno(&e.into(), "lstat", loc))?;
        if self.private.is((stat.st_dev, stat.st_ino)) {
            return Err(self.refused(&loc.requested, Need::Lookup));
        }
        Ok(stat)
    }

    pub(super) fn lstat_at(&self, loc: Located) -> Result<FileInfo, Failure> {
        let parent = self.parent(&loc, "lstat")?;
        Ok(info_of(&self.stat_entry(&parent, &loc)?))
    }

    /// The path with the links below its root resolved; the root stays as granted, so that
    /// the answer lies under it and can be used again.
    pub(super) fn canonical_at(&self, loc: Located) -> Result<String, Failure> {
        let rel_real = if loc.rel.as_os_str().is_empty() {
            PathBuf::new()
        } else {
            loc.root
                .canonicalize(&loc.rel)
                .map_err(|e| self.errno(&e, "realpath", &loc))?
        };
        // What the path resolves to must itself be reachable: not private, not inside.
        let resolved = Located {
            rel: rel_real,
            ..loc
        };
        let parent = self.parent(&resolved, "realpath")?;
        self.stat_entry(&parent, &resolved)?;
        let canonical = if resolved.rel.as_os_str().is_empty() {
            resolved.root_path
        } else {
            resolved.root_path.join(&resolved.rel)
        };
        Ok(canonical.display().to_string())
    }

    pub(super) fn read_file_at(
        &self,
        loc: Located,
        max_bytes: u64,
    ) -> Result<FileContent, Failure> {
        self.check_no_links(&loc, "open")?;
        let parent = self.parent(&loc, "open")?;
        let Some(name) = loc.name() else {
            return Err(is_a_dir("read", &loc.requested));
        };
        self.check_place(&parent, name, &loc)?;
        // Non-blocking, so that a FIFO put in a file's place cannot stall the call.
        let fd = rustix::fs::openat(
            &parent,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| self.errno(&e.into(), "open", &loc))?;
        let stat = rustix::fs::fstat(&fd).map_err(|e| self.errno(&e.into(), "fstat", &loc))?;
        if self.private.is((stat.st_dev, stat.st_ino)) {
            return Err(self.refused(&loc.requested, Need::Lookup));
        }
        match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => {}
            FileType::Directory => return Err(is_a_dir("read", &loc.requested)),
            _ => return Err(not_a_file("open", &loc.requested)),
        }
        // Another name for the same file could be a private file's: its other names are not
        // ours to check.
        if stat.st_nlink > 1 {
            return Err(named_failure(
                "EMLINK",
                "hardlinked path not allowed",
                "open",
                &loc.requested,
            ));
        }
        let info = info_of(&stat);
        let mut content = Vec::new();
        if info.size <= max_bytes {
            content.reserve(info.size as usize);
            std::fs::File::from(fd)
                .take(max_bytes)
                .read_to_end(&mut content)
                .map_err(|e| self.errno(&e, "read", &loc))?;
        }
        let sha256 = Sha256::digest(&content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(FileContent {
            info,
            content,
            sha256,
        })
    }

    pub(super) fn write_file_at(
        &self,
        loc: Located,
        content: &[u8],
        existing: Existing,
        create_parents: bool,
    ) -> Result<FileInfo, Failure> {
        let Some(name) = loc.name().map(OsStr::to_os_string) else {
            return Err(is_a_dir("open", &loc.requested));
        };
        self.check_no_links(&loc, "open")?;
        if create_parents && !loc.parent_rel().as_os_str().is_empty() {
            self.check_creatable(&loc)?;
            let mut builder = DirBuilder::new();
            builder.recursive(true).mode(0o755);
            loc.root
                .create_dir_with(loc.parent_rel(), &builder)
                .map_err(|e| self.errno(&e, "mkdir", &loc))?;
        }
        let parent = self.parent(&loc, "open")?;
        self.check_place(&parent, &name, &loc)?;
        let replaced = match rustix::fs::statat(&parent, &name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Some(self.check_replaceable(&stat, existing, &loc)?),
            Err(rustix::io::Errno::NOENT) => None,
            Err(e) => return Err(self.errno(&e.into(), "lstat", &loc)),
        };
        let temp = format!(
            ".openclaw-write-{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), 12)
        );
        let written = self.write_temp(&parent, &temp, content, replaced, &loc);
        let published = written.and_then(|info| {
            let flags = match existing {
                Existing::Keep => RenameFlags::NOREPLACE,
                Existing::Replace => RenameFlags::empty(),
            };
            rustix::fs::renameat_with(&parent, &temp, &parent, &name, flags)
                .map_err(|e| self.errno(&e.into(), "rename", &loc))?;
            Ok(info)
        });
        if published.is_err() {
            let _ = rustix::fs::unlinkat(&parent, &temp, AtFlags::empty());
        }
        let info = published?;
        // The rename itself survives a crash only once the dir is on disk. (The handle may
        // be `O_PATH`, which cannot be synced: the dir is opened again for it.)
        rustix::fs::openat(
            &parent,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .and_then(rustix::fs::fsync)
        .map_err(|e| self.errno(&e.into(), "fsync", &loc))?;
        Ok(info)
    }

    /// What is at the path may be replaced: answers its mode, to keep.
    fn check_replaceable(
        &self,
        stat: &Stat,
        existing: Existing,
        loc: &Located,
    ) -> Result<u32, Failure> {
        let path = &loc.requested;
        if self.private.is((stat.st_dev, stat.st_ino)) {
            return Err(self.refused(path, Need::Lookup));
        }
        match FileType::from_raw_mode(stat.st_mode) {
            FileType::Symlink => {
                return Err(named_failure("ELOOP", "path is a symlink", "open", path))
            }
            FileType::Directory => return Err(is_a_dir("open", path)),
            _ if existing == Existing::Keep => {
                return Err(named_failure("EEXIST", "file already exists", "open", path))
            }
            FileType::RegularFile => {}
            _ => return Err(not_a_file("open", path)),
        }
        if stat.st_nlink > 1 {
            return Err(named_failure(
                "EMLINK",
                "hardlinked path not allowed",
                "open",
                path,
            ));
        }
        Ok(stat.st_mode & 0o7777)
    }

    /// The content in a new private temp file beside the target, synced; its metadata.
    fn write_temp(
        &self,
        parent: &Dir,
        temp: &str,
        content: &[u8],
        keep_mode: Option<u32>,
        loc: &Located,
    ) -> Result<FileInfo, Failure> {
        let fd: OwnedFd = rustix::fs::openat(
            parent,
            temp,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| self.errno(&e.into(), "open", loc))?;
        let mode = keep_mode.unwrap_or(0o600);
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode))
            .map_err(|e| self.errno(&e.into(), "chmod", loc))?;
        let mut file = std::fs::File::from(fd);
        file.write_all(content)
            .and_then(|()| file.sync_all())
            .map_err(|e| self.errno(&e, "write", loc))?;
        let stat =
            rustix::fs::fstat(file.as_fd()).map_err(|e| self.errno(&e.into(), "fstat", loc))?;
        Ok(info_of(&stat))
    }
}

fn is_a_dir(syscall: &str, path: &Path) -> Failure {
    named_failure("EISDIR", "illegal operation on a directory", syscall, path)
}

fn not_a_file(syscall: &str, path: &Path) -> Failure {
    named_failure("EINVAL", "not a regular file", syscall, path)
}

fn info_of(stat: &Stat) -> FileInfo {
    use crate::bindings::openclaw::plugin::fs::EntryKind;
    let kind = match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => EntryKind::File,
        FileType::Directory => EntryKind::Directory,
        FileType::Symlink => EntryKind::Symlink,
        _ => EntryKind::Other,
    };
    FileInfo {
        kind,
        size: stat.st_size as u64,
        mtime_sec: stat.st_mtime,
        mtime_nsec: stat.st_mtime_nsec as u32,
        device: stat.st_dev,
        inode: stat.st_ino,
        links: stat.st_nlink,
        mode: stat.st_mode & 0o7777,
        blocks: stat.st_blocks as u64,
    }
}
