//! The node's private dirs and files, recognised by identity (device and inode) on what was
//! opened, never by the name a plugin asked for. A private file is also known by its place,
//! its dir's identity and its name, so that one the node has not written yet, or has just
//! replaced with a new inode, cannot be made or read there; where its dir does not exist yet,
//! the place is that of the first dir missing on the way. Read once per call.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};

/// A file's identity: device and inode.
pub type Id = (u64, u64);

/// How many links in a row the kernel follows before `ELOOP`.
const MAX_LINKS: usize = 40;

pub struct Private {
    /// The private dirs, and the private files that exist now.
    ids: BTreeSet<Id>,
    /// Where each private file is or would be: a dir's identity and a name in it.
    places: BTreeSet<(Id, OsString)>,
}

impl Private {
    pub fn new(dirs: &[PathBuf], files: &[PathBuf]) -> Private {
        let mut ids: BTreeSet<Id> = dirs.iter().filter_map(|d| id_of(d)).collect();
        let mut places = BTreeSet::new();
        for file in files {
            ids.extend(id_of(file));
            places.extend(link_chain(file).iter().filter_map(|p| place_of(p)));
        }
        Private { ids, places }
    }

    /// Whether `id` is a private dir's or a private file's.
    pub fn is(&self, id: Id) -> bool {
        self.ids.contains(&id)
    }

    /// Whether `name` in the dir `dir` is where a private file is or would be, or one of the
    /// temp files it is written through (which hold its next content).
    pub fn is_place(&self, dir: Id, name: &OsStr) -> bool {
        self.places.contains(&(dir, name.to_os_string()))
            || self
                .places
                .iter()
                .any(|(d, file)| *d == dir && openclaw_files::is_temp_of(name, file))
    }

    /// Whether `dir` is a private dir or lies inside one: its real parent chain, walked by
    /// handle up to `/`.
    pub fn reaches(&self, dir: &impl AsFd) -> io::Result<bool> {
        let mut current: OwnedFd = dir.as_fd().try_clone_to_owned()?;
        loop {
            let id = id_of_fd(&current)?;
            if self.ids.contains(&id) {
                return Ok(true);
            }
            let parent = rustix::fs::openat(
                &current,
                "..",
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            if id_of_fd(&parent)? == id {
                return Ok(false);
            }
            current = parent;
        }
    }
}

pub fn id_of_fd(fd: &impl AsFd) -> io::Result<Id> {
    let stat = rustix::fs::fstat(fd)?;
    Ok((stat.st_dev, stat.st_ino))
}

/// What the node opens at `path`: links followed, as its own `open` follows them.
fn id_of(path: &Path) -> Option<Id> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Where `path` is, or, when its dir does not exist, where the first dir missing on the way
/// to it would be made.
fn place_of(mut path: &Path) -> Option<(Id, OsString)> {
    loop {
        let name = path.file_name()?;
        let dir = match path.parent()? {
            d if d.as_os_str().is_empty() => Path::new("."),
            d => d,
        };
        if let Some(id) = id_of(dir) {
            return Some((id, name.to_os_string()));
        }
        path = dir;
    }
}

/// `path`, then each path a link in its place leads to: the node reads the last, and a
/// plugin must not make it where it does not exist yet.
fn link_chain(path: &Path) -> Vec<PathBuf> {
    let mut chain = vec![path.to_path_buf()];
    while chain.len() <= MAX_LINKS {
        let last = &chain[chain.len() - 1];
        let Ok(target) = std::fs::read_link(last) else {
            break;
        };
        // An absolute target replaces the dir it is joined to.
        let next = last.parent().unwrap_or(Path::new("/")).join(target);
        chain.push(next);
    }
    chain
}
