//! One pass over the staging root: what is staged, what is due, what is gone.

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cap_std::fs::{Dir, MetadataExt};
use rustix::fs::{AtFlags, Mode, OFlags, Timespec, Timestamps, UTIME_OMIT};

use crate::RETRY_AFTER;

pub(crate) struct Usage {
    pub dirs: usize,
    pub bytes: u64,
    pub next_due: Option<SystemTime>,
}

/// Removes staged dirs past `retention` and empty ones, and counts the rest. A dir's clock
/// starts at its modification time; one set in the future starts now (and is set to now, so
/// that it cannot postpone its own removal).
pub(crate) fn scan(
    root: &Dir,
    prefix: &str,
    retention: Duration,
    now: SystemTime,
) -> io::Result<Usage> {
    let uid = rustix::process::getuid().as_raw();
    let mut usage = Usage {
        dirs: 0,
        bytes: 0,
        next_due: None,
    };
    for entry in root.entries()? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str().filter(|n| n.starts_with(prefix)) else {
            continue;
        };
        let meta = match root.symlink_metadata(name) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        // Links and other users' dirs are not ours to count or remove.
        if !meta.is_dir() || meta.uid() != uid {
            continue;
        }
        let modified = UNIX_EPOCH + Duration::new(meta.mtime().max(0) as u64, 0);
        let started = if modified > now {
            set_mtime(root, name, now)?;
            now
        } else {
            modified
        };
        let due = started + retention;
        if due <= now {
            match root.remove_dir_all(name) {
                Ok(()) => continue,
                Err(_) => {
                    note_due(&mut usage, now + RETRY_AFTER);
                    usage.dirs += 1;
                    continue;
                }
            }
        }
        let dir = open_dir_nofollow(root, name)?;
        let (bytes, empty) = staged_bytes(&dir)?;
        if empty {
            match root.remove_dir(name) {
                Ok(()) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        usage.dirs += 1;
        usage.bytes += bytes;
        note_due(&mut usage, due);
    }
    Ok(usage)
}

fn note_due(usage: &mut Usage, due: SystemTime) {
    usage.next_due = Some(usage.next_due.map_or(due, |next| next.min(due)));
}

/// The bytes of the regular files under `dir`, without following links, and whether it is
/// empty.
fn staged_bytes(dir: &Dir) -> io::Result<(u64, bool)> {
    let mut bytes = 0;
    let mut empty = true;
    for entry in dir.entries()? {
        let entry = entry?;
        empty = false;
        let meta = match dir.symlink_metadata(entry.file_name()) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if meta.is_file() {
            bytes += meta.len();
        } else if meta.is_dir() {
            bytes += staged_bytes(&open_dir_nofollow(dir, entry.file_name())?)?.0;
        }
    }
    Ok((bytes, empty))
}

fn set_mtime(root: &Dir, name: &str, to: SystemTime) -> io::Result<()> {
    let since = to.duration_since(UNIX_EPOCH).unwrap_or_default();
    let times = Timestamps {
        last_access: Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        },
        last_modification: Timespec {
            tv_sec: since.as_secs() as i64,
            tv_nsec: since.subsec_nanos().into(),
        },
    };
    rustix::fs::utimensat(root, name, &times, AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(())
}

/// Opens a dir below `dir` without following a link in its place.
pub(crate) fn open_dir_nofollow<P: rustix::path::Arg>(dir: &Dir, name: P) -> io::Result<Dir> {
    let fd = rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(Dir::from_std_file(std::fs::File::from(fd)))
}
