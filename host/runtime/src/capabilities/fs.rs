//! The `fs` capability: directories under the roots the operator granted to a plugin, read
//! through `cap-std` directory handles. A request's path picks its root by whole components;
//! from there the kernel resolves it beneath the root's handle, so `..`, absolute links and
//! links swapped mid-call cannot leave it. The node's private dirs (its state, its keys) are
//! recognised by identity (device and inode), on the real parent chain of what was opened,
//! and are never entered or listed.

use std::collections::BTreeSet;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use cap_std::ambient_authority;
use cap_std::fs::{Dir, FileType, MetadataExt};
use openclaw_protocol::errors::ErrorCode;
use rustix::fs::{Mode, OFlags};
use wasmtime::component::{HasSelf, Linker};

use super::Capability;
use crate::bindings::openclaw::plugin::fs::{self, DirEntry, EntryKind};
use crate::bindings::{host_failure, Failure};
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "fs",
    interface: "openclaw:plugin/fs",
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    fs::add_to_linker::<_, HasSelf<Fs>>(linker, CallState::capability::<Fs>)
}

/// A file's identity: device and inode.
type Id = (u64, u64);

pub struct Fs {
    plugin: Arc<str>,
    roots: Vec<PathBuf>,
    private_dirs: Arc<Vec<PathBuf>>,
}

impl CapabilityState for Fs {
    fn new(caller: &Caller) -> Fs {
        Fs {
            plugin: caller.plugin.clone(),
            roots: caller.fs_roots.clone(),
            private_dirs: caller.services.private_dirs.clone(),
        }
    }
}

impl fs::Host for Fs {
    async fn home(&mut self) -> String {
        home_dir().display().to_string()
    }

    async fn list_dir(&mut self, path: String) -> Result<Vec<DirEntry>, Failure> {
        let requested = absolute(&path)?;
        let (root, rel) = self.open_root(&requested)?;
        let private = private_ids(&self.private_dirs);
        let dir = open_dir(&root, &rel).map_err(|e| os_failure(&e, "scandir", &requested))?;
        if reaches_private(&dir, &private).map_err(|e| os_failure(&e, "scandir", &requested))? {
            return Err(self.refused(&requested));
        }
        let entries = dir
            .entries()
            .map_err(|e| os_failure(&e, "scandir", &requested))?;
        let mut listed = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| os_failure(&e, "scandir", &requested))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(own) = entry.metadata() else { continue };
            // Through the root's handle, so a link may lead anywhere inside it but no further.
            let followed = root.metadata(rel.join(&name)).ok();
            if [Some(&own), followed.as_ref()]
                .into_iter()
                .flatten()
                .any(|m| private.contains(&(m.dev(), m.ino())))
            {
                continue;
            }
            let kind = kind_of(own.file_type());
            // A link to a directory inside a private dir is hidden like the dir itself.
            if kind == EntryKind::Symlink && followed.as_ref().is_some_and(|m| m.is_dir()) {
                let inside = root
                    .open_dir(rel.join(&name))
                    .and_then(|target| reaches_private(&target, &private));
                if !matches!(inside, Ok(false)) {
                    continue;
                }
            }
            listed.push(DirEntry {
                name,
                kind,
                target_kind: match kind {
                    EntryKind::Symlink => followed.map(|m| kind_of(m.file_type())),
                    _ => None,
                },
            });
        }
        Ok(listed)
    }
}

impl Fs {
    fn refused(&self, path: &Path) -> Failure {
        host_failure(
            ErrorCode::InvalidRequest,
            format!(
                "{} is outside the directories granted to plugin {}",
                path.display(),
                self.plugin
            ),
        )
    }

    /// The granted root holding `path` (the longest, by whole components), opened, and the
    /// rest of the path below it.
    fn open_root(&self, path: &Path) -> Result<(Dir, PathBuf), Failure> {
        let best = self
            .roots
            .iter()
            .filter_map(|root| {
                let rel = path.strip_prefix(lexical(root)).ok()?;
                Some((root, rel.to_path_buf()))
            })
            .max_by_key(|(root, _)| root.components().count());
        let Some((root, rel)) = best else {
            return Err(self.refused(path));
        };
        let dir = Dir::open_ambient_dir(lexical(root), ambient_authority())
            .map_err(|e| os_failure(&e, "scandir", path))?;
        Ok((dir, rel))
    }
}

/// `path` made absolute in form only (`.` and `..` folded, as the real node host's
/// `path.resolve` does); links are left for the kernel to resolve beneath a root.
fn absolute(path: &str) -> Result<PathBuf, Failure> {
    let path = Path::new(path);
    if !path.is_absolute() {
        return Err(host_failure(
            ErrorCode::InvalidRequest,
            "path must be absolute",
        ));
    }
    Ok(lexical(path))
}

fn lexical(path: &Path) -> PathBuf {
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

fn open_dir(root: &Dir, rel: &Path) -> io::Result<Dir> {
    if rel.as_os_str().is_empty() {
        root.try_clone()
    } else {
        root.open_dir(rel)
    }
}

fn private_ids(dirs: &[PathBuf]) -> BTreeSet<Id> {
    use std::os::unix::fs::MetadataExt as _;
    dirs.iter()
        .filter_map(|d| std::fs::metadata(d).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect()
}

/// Whether `dir` is a private dir or lies inside one: its real parent chain, walked by
/// handle up to `/`.
fn reaches_private(dir: &Dir, private: &BTreeSet<Id>) -> io::Result<bool> {
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

fn kind_of(t: FileType) -> EntryKind {
    if t.is_symlink() {
        EntryKind::Symlink
    } else if t.is_dir() {
        EntryKind::Directory
    } else if t.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

/// A system error worded as Node.js words it (`ENOENT: no such file or directory, scandir
/// '/x'`), which is how the real node host reports it; a caller's mistake.
fn os_failure(e: &io::Error, syscall: &str, path: &Path) -> Failure {
    let (code, text) = match e.raw_os_error() {
        Some(libc_code) => (errno_name(libc_code), describe(e)),
        None => ("EACCES", "permission denied".to_string()),
    };
    Failure {
        code: ErrorCode::InvalidRequest.into(),
        message: format!("{code}: {text}, {syscall} '{}'", path.display()),
    }
}

fn describe(e: &io::Error) -> String {
    let text = e.to_string();
    // `No such file or directory (os error 2)` -> `no such file or directory`
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn errno_name(code: i32) -> &'static str {
    match rustix::io::Errno::from_raw_os_error(code) {
        rustix::io::Errno::NOENT => "ENOENT",
        rustix::io::Errno::NOTDIR => "ENOTDIR",
        rustix::io::Errno::ACCESS => "EACCES",
        rustix::io::Errno::PERM => "EPERM",
        rustix::io::Errno::LOOP => "ELOOP",
        // cap-std refuses a path that would leave the root with EPERM or EACCES-like errors;
        // anything else is named generically.
        _ => "EIO",
    }
}

/// The node user's home: `HOME`, else `/`.
pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}
