//! The `fs` capability: files and directories under the roots the operator granted to a
//! plugin, reached through `cap-std` directory handles. A request's path picks its root by
//! whole components; from there the kernel resolves it beneath the root's handle, so `..`,
//! absolute links and links swapped mid-call cannot leave it. Reading needs a read root,
//! writing a write root, looking an entry up either. The node's private dirs (its state, its
//! keys) and files (its config, approvals, grants, service env file, wherever they live) are
//! recognised by identity (device and inode) on what was opened: a private dir is never
//! entered, listed or written; a private file is never read, looked up, written, made or
//! listed, while its dir, not otherwise private, still lists without it.

mod errors;
mod files;
pub(crate) mod grant;
mod private;
mod roots;

use grant::FsRoots;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cap_std::ambient_authority;
use cap_std::fs::{Dir, FileType, MetadataExt};
use openclaw_protocol::errors::ErrorCode;
use wasmtime::component::{HasSelf, Linker};

use self::errors::{errno_failure, os_failure, REFUSED};
use self::files::Located;
use self::private::{id_of_fd, Private};
use self::roots::{follow_in_root, lexical, open_dir, root_of};
use super::view::{Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::fs::{
    self, DirEntry, EntryKind, Existing, FileContent, FileInfo,
};
use crate::bindings::{host_failure, Failure};

pub const NAME: &str = "fs";
pub const INTERFACES: &[&str] = &["openclaw:plugin/fs"];

pub fn link<T: Holds<Fs>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    fs::add_to_linker::<T, HasSelf<Fs>>(linker, T::holds)
}

pub struct Fs {
    plugin: Arc<str>,
    roots: FsRoots,
    /// The node's private dirs and files, read once per call.
    private: Private,
}

/// What a call needs of a root.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Read,
    Write,
    Lookup,
}

impl CapabilityState for Fs {
    fn new(caller: &Caller) -> Fs {
        Fs {
            plugin: caller.plugin.clone(),
            roots: caller.fs_roots.clone(),
            private: Private::new(
                &caller.services.private_dirs,
                &caller.services.private_files,
            ),
        }
    }
}

impl fs::Host for Fs {
    async fn home(&mut self) -> String {
        home_dir().display().to_string()
    }

    async fn list_dir(&mut self, path: String) -> Result<Vec<DirEntry>, Failure> {
        let requested = absolute(&path)?;
        let (root, root_paths, rel) = self.open_root(&requested)?;
        let private = &self.private;
        let scandir = |e: std::io::Error| os_failure(&e, "scandir", &requested);
        let dir = open_dir(&root, &rel).map_err(scandir)?;
        if private.reaches(&dir).map_err(scandir)? {
            return Err(self.list_refused(&requested));
        }
        let dir_id = id_of_fd(&dir).map_err(scandir)?;
        let mut listed = Vec::new();
        for entry in dir.entries().map_err(scandir)? {
            let entry = entry.map_err(scandir)?;
            // A private file is left out of its dir's listing, like a private dir.
            if private.is_place(dir_id, &entry.file_name()) {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(own) = entry.metadata() else { continue };
            let mut at = rel.join(entry.file_name());
            if own.file_type().is_symlink() {
                at = follow_in_root(&root, &root_paths, &at).unwrap_or(at);
            }
            // Through the root's handle, so a link may lead anywhere inside it but no further.
            let followed = root.metadata(&at).ok();
            if [Some(&own), followed.as_ref()]
                .into_iter()
                .flatten()
                .any(|m| private.is((m.dev(), m.ino())))
            {
                continue;
            }
            let kind = kind_of(own.file_type());
            // A link to a directory inside a private dir is hidden like the dir itself.
            if kind == EntryKind::Symlink && followed.as_ref().is_some_and(|m| m.is_dir()) {
                let inside = root
                    .open_dir(&at)
                    .and_then(|target| private.reaches(&target));
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

    async fn follows_symlinks(&mut self) -> bool {
        self.roots.follow_symlinks
    }

    async fn canonical(&mut self, path: String) -> Result<String, Failure> {
        self.canonical_at(self.locate(&path, Need::Lookup, "realpath")?)
    }

    async fn lstat(&mut self, path: String) -> Result<FileInfo, Failure> {
        self.lstat_at(self.locate(&path, Need::Lookup, "lstat")?)
    }

    async fn read_file(&mut self, path: String, max_bytes: u64) -> Result<FileContent, Failure> {
        self.read_file_at(self.locate(&path, Need::Read, "open")?, max_bytes)
    }

    async fn write_file(
        &mut self,
        path: String,
        content: Vec<u8>,
        existing: Existing,
        create_parents: bool,
    ) -> Result<FileInfo, Failure> {
        let loc = self.locate(&path, Need::Write, "open")?;
        self.write_file_at(loc, &content, existing, create_parents)
    }
}

impl Fs {
    fn roots_for(&self, need: Need) -> Vec<PathBuf> {
        match need {
            Need::Read => self.roots.read.clone(),
            Need::Write => self.roots.write.clone(),
            Need::Lookup => [&self.roots.read[..], &self.roots.write[..]].concat(),
        }
    }

    /// The refusal of `list-dir` (contract 0.1.2): a caller's mistake.
    fn list_refused(&self, path: &Path) -> Failure {
        host_failure(
            ErrorCode::InvalidRequest,
            format!(
                "{} is outside the directories granted to plugin {}",
                path.display(),
                self.plugin
            ),
        )
    }

    /// The refusal of the file functions: `REFUSED`.
    fn refused(&self, path: &Path, need: Need) -> Failure {
        let verb = match need {
            Need::Read => "read",
            Need::Write => "write",
            Need::Lookup => "reach",
        };
        Failure {
            code: REFUSED.into(),
            message: format!(
                "{} is outside the directories plugin {} may {verb}",
                path.display(),
                self.plugin
            ),
        }
    }

    /// The granted root holding `path` for `list-dir`, opened; the root's own names (as
    /// granted, and real); and the rest of the path, its links back into the root followed.
    fn open_root(&self, path: &Path) -> Result<(Dir, Vec<PathBuf>, PathBuf), Failure> {
        let Some((root, rel)) = root_of(&self.roots.read, path) else {
            return Err(self.list_refused(path));
        };
        let root_path = lexical(root);
        let dir = Dir::open_ambient_dir(&root_path, ambient_authority())
            .map_err(|e| os_failure(&e, "scandir", path))?;
        let mut names = vec![root_path.clone()];
        names.extend(std::fs::canonicalize(&root_path).ok());
        let rel = follow_in_root(&dir, &names, &rel).unwrap_or(rel);
        Ok((dir, names, rel))
    }

    /// `path` under a root that serves `need`, opened.
    fn locate(&self, path: &str, need: Need, syscall: &str) -> Result<Located, Failure> {
        if !path.starts_with('/') {
            return Err(errors::named_failure(
                "EINVAL",
                "path must be absolute",
                syscall,
                Path::new(path),
            ));
        }
        let requested = lexical(Path::new(path));
        let roots = self.roots_for(need);
        let Some((root, rel)) = root_of(&roots, &requested) else {
            return Err(self.refused(&requested, need));
        };
        let root_path = lexical(root);
        let root = Dir::open_ambient_dir(&root_path, ambient_authority()).map_err(|e| {
            errno_failure(&e, syscall, &requested, || self.refused(&requested, need))
        })?;
        Ok(Located {
            requested,
            root_path,
            root,
            rel,
        })
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

/// The node user's home: `HOME`, else `/`.
pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}
