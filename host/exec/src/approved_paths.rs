//! The paths an approval is bound to, as the real node host binds them: the working
//! directory by its canonical name and its identity (no link on the way that someone else
//! could swap), and a direct command's program by its real path. A person approves what
//! `system.run.prepare` shows; these make sure that is what runs.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The directory an approved run starts in, as it was when the approval was bound.
#[derive(Debug, Clone, PartialEq)]
pub struct CwdSnapshot {
    pub cwd: PathBuf,
    dev: u64,
    ino: u64,
}

pub const CWD_CHANGED: &str = "SYSTEM_RUN_DENIED: approval cwd changed before execution";

/// `dir` (else the node's own directory) by its canonical name, or the real refusal.
pub fn capture_cwd(dir: Option<&str>) -> Result<CwdSnapshot, &'static str> {
    let requested = match dir {
        Some(d) => std::env::current_dir()
            .map(|here| here.join(d))
            .map_err(|_| EXISTING)?,
        None => std::env::current_dir().map_err(|_| EXISTING)?,
    };
    let link = std::fs::symlink_metadata(&requested).map_err(|_| EXISTING)?;
    let target = std::fs::metadata(&requested).map_err(|_| EXISTING)?;
    let real = std::fs::canonicalize(&requested).map_err(|_| EXISTING)?;
    let real_meta = std::fs::metadata(&real).map_err(|_| EXISTING)?;
    if !target.is_dir() {
        return Err("SYSTEM_RUN_DENIED: approval requires cwd to be a directory");
    }
    if link.file_type().is_symlink() || has_mutable_link(&requested) {
        return Err(
            "SYSTEM_RUN_DENIED: approval requires canonical cwd (no symlink path components)",
        );
    }
    let id = |m: &std::fs::Metadata| (m.dev(), m.ino());
    if id(&target) != id(&link) || id(&target) != id(&real_meta) {
        return Err("SYSTEM_RUN_DENIED: approval cwd identity mismatch");
    }
    Ok(CwdSnapshot {
        cwd: real,
        dev: target.dev(),
        ino: target.ino(),
    })
}

const EXISTING: &str = "SYSTEM_RUN_DENIED: approval requires an existing canonical cwd";

impl CwdSnapshot {
    /// Is the directory still the one captured, under the same canonical name?
    pub fn still_holds(&self) -> bool {
        capture_cwd(self.cwd.to_str()).is_ok_and(|now| now == *self)
    }
}

/// Does a link on the way to `path` sit in a directory this node's user could change (as the
/// real node host judges it)? Then the name could be repointed after the approval.
pub fn has_mutable_link(path: &Path) -> bool {
    let mut at = PathBuf::from("/");
    for part in path.components().skip(1) {
        at.push(part);
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            return true;
        };
        if meta.file_type().is_symlink() && at.parent().is_none_or(mutable_by_us) {
            return true;
        }
    }
    false
}

/// Could this process change `path`: may it write there, or does it own it?
pub fn mutable_by_us(path: &Path) -> bool {
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return true;
    };
    // SAFETY: access(2) on a NUL-terminated path this function owns.
    let writable = unsafe { libc::access(c_path.as_ptr(), libc::W_OK) } == 0;
    // SAFETY: geteuid(2) has no preconditions.
    writable || std::fs::metadata(path).is_ok_and(|m| m.uid() == unsafe { libc::geteuid() })
}

/// `argv` with its program pinned to `program` (a real path), when the command runs that
/// program directly: no wrapper before it and no shell script.
pub fn pin_program(argv: &[String], program: &Path, step_argv: &[String]) -> Vec<String> {
    let direct = step_argv.len() == argv.len() && step_argv[1..] == argv[1..];
    let mut pinned = argv.to_vec();
    if direct {
        pinned[0] = program.display().to_string();
    }
    pinned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cwd_is_bound_by_its_canonical_name_and_identity() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        let sub = real.join("work");
        std::fs::create_dir(&sub).unwrap();
        let snapshot = capture_cwd(sub.to_str()).unwrap();
        assert_eq!(snapshot.cwd, sub);
        assert!(snapshot.still_holds());

        // A link in a directory this process can change is a name that could be repointed.
        std::os::unix::fs::symlink(&sub, real.join("link")).unwrap();
        assert_eq!(
            capture_cwd(real.join("link").to_str()),
            Err("SYSTEM_RUN_DENIED: approval requires canonical cwd (no symlink path components)")
        );
        std::fs::write(real.join("file"), "").unwrap();
        assert_eq!(
            capture_cwd(real.join("file").to_str()),
            Err("SYSTEM_RUN_DENIED: approval requires cwd to be a directory")
        );
        assert_eq!(
            capture_cwd(real.join("gone").to_str()),
            Err("SYSTEM_RUN_DENIED: approval requires an existing canonical cwd")
        );

        // Replaced by another directory under the same name: not the one approved.
        std::fs::rename(&sub, real.join("old")).unwrap();
        std::fs::create_dir(&sub).unwrap();
        assert!(!snapshot.still_holds());
    }

    #[test]
    fn only_a_direct_program_is_pinned() {
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let uname = Path::new("/usr/bin/uname");
        assert_eq!(
            pin_program(&argv(&["uname", "-a"]), uname, &argv(&["uname", "-a"])),
            argv(&["/usr/bin/uname", "-a"])
        );
        // `nice uname -a`: the wrapper stays what the person saw.
        assert_eq!(
            pin_program(
                &argv(&["nice", "uname", "-a"]),
                uname,
                &argv(&["uname", "-a"])
            ),
            argv(&["nice", "uname", "-a"])
        );
    }
}
