//! What a resolved program really is, decided by its file and never by the word that named
//! it: `./timeout` linking to `env` is `env`, `rbash` is `bash`, an applet link to `busybox`
//! is `busybox`. A file in a system dir is known by its real name there; any other file is
//! known by its identity (a hard link of a system wrapper, shell or carrier shares its inode,
//! a copy its bytes). Everything else is a plain program.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::wrappers;

/// Where the system's own wrappers and shells live.
pub const SYSTEM_DIRS: &[&str] = &["/usr/bin", "/bin", "/usr/sbin", "/sbin"];
/// Shells whose `-c` script the node can read and run itself.
const SCRIPT_SHELLS: &[&str] = &["ash", "bash", "dash", "ksh", "mksh", "sh", "yash"];
/// Every other shell: its script is opaque (startup files run code).
const OTHER_SHELLS: &[&str] = &["csh", "elvish", "fish", "nu", "osh", "tcsh", "xonsh", "zsh"];
/// Wrappers the analysis unwraps (the shell builtins `command` and `exec` are not files).
const WRAPPERS: &[&str] = &["env", "nice", "nohup", "timeout", "stdbuf", "flock", "time"];
/// How long the table of the system's special files is trusted before it is read again.
const TABLE_TTL: Duration = Duration::from_secs(30);

/// What a program is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Program,
    /// A wrapper whose options the analysis parses (`env`, `nice`, ...).
    Wrapper(&'static str),
    /// A shell whose `-c` script is read.
    ScriptShell(&'static str),
    /// A shell whose script is not read.
    OpaqueShell(&'static str),
    /// A program that runs others in ways the allowlist cannot follow.
    Refused(&'static str),
    /// `find`, which runs commands with `-exec` and its kin.
    Find,
}

impl Kind {
    pub fn is_shell(self) -> bool {
        matches!(self, Kind::ScriptShell(_) | Kind::OpaqueShell(_))
    }
}

/// The kind a real file name has when the file is the system's own.
pub fn kind_of_name(name: &str) -> Kind {
    let known = |list: &[&'static str]| list.iter().copied().find(|n| *n == name);
    if let Some(n) = known(wrappers::REFUSED) {
        Kind::Refused(n)
    } else if let Some(n) = known(WRAPPERS) {
        Kind::Wrapper(n)
    } else if let Some(n) = known(SCRIPT_SHELLS) {
        Kind::ScriptShell(n)
    } else if let Some(n) = known(OTHER_SHELLS) {
        Kind::OpaqueShell(n)
    } else if name == "rbash" {
        Kind::ScriptShell("bash")
    } else if name == "find" {
        Kind::Find
    } else {
        Kind::Program
    }
}

fn in_system_dir(path: &Path) -> bool {
    path.parent()
        .is_some_and(|dir| SYSTEM_DIRS.iter().any(|d| dir == Path::new(d)))
}

/// The kind of the file at `real_path` (already canonical: every link resolved).
pub fn classify(real_path: &Path) -> Kind {
    let name = real_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if in_system_dir(real_path) {
        let kind = kind_of_name(&name);
        if kind != Kind::Program {
            return kind;
        }
    }
    let Ok(meta) = std::fs::metadata(real_path) else {
        return Kind::Program;
    };
    let mut table = TABLE.lock().unwrap_or_else(|p| p.into_inner());
    let entries = table.fresh();
    if let Some(e) = entries
        .iter()
        .find(|e| e.dev == meta.dev() && e.ino == meta.ino())
    {
        return e.kind;
    }
    // A copy: the same size first (rarely true), then the same bytes.
    let same_size: Vec<(Kind, PathBuf)> = entries
        .iter()
        .filter(|e| e.size == meta.len())
        .map(|e| (e.kind, e.path.clone()))
        .collect();
    drop(table);
    if same_size.is_empty() {
        return Kind::Program;
    }
    let Ok(bytes) = std::fs::read(real_path) else {
        // Executable but unreadable: it cannot be told apart from a carrier.
        return Kind::Refused("unreadable");
    };
    same_size
        .into_iter()
        .find(|(_, path)| std::fs::read(path).is_ok_and(|other| other == bytes))
        .map_or(Kind::Program, |(kind, _)| kind)
}

/// One special file of the system.
struct Entry {
    dev: u64,
    ino: u64,
    size: u64,
    kind: Kind,
    path: PathBuf,
}

struct Table {
    read_at: Option<Instant>,
    entries: Vec<Entry>,
}

static TABLE: Mutex<Table> = Mutex::new(Table {
    read_at: None,
    entries: Vec::new(),
});

impl Table {
    /// The entries, read again when older than [`TABLE_TTL`] (a package upgrade replaces
    /// files, and their inodes with them).
    fn fresh(&mut self) -> &[Entry] {
        if self.read_at.is_none_or(|at| at.elapsed() > TABLE_TTL) {
            self.entries = read_table();
            self.read_at = Some(Instant::now());
        }
        &self.entries
    }
}

/// The system's special files: every known name in every system dir, links resolved.
fn read_table() -> Vec<Entry> {
    let names = wrappers::REFUSED
        .iter()
        .chain(WRAPPERS)
        .chain(SCRIPT_SHELLS)
        .chain(OTHER_SHELLS)
        .chain(&["rbash", "find"]);
    let mut entries: Vec<Entry> = Vec::new();
    for name in names {
        for dir in SYSTEM_DIRS {
            let Ok(real) = std::fs::canonicalize(Path::new(dir).join(name)) else {
                continue;
            };
            let real_name = real.file_name().unwrap_or_default().to_string_lossy();
            let kind = match kind_of_name(&real_name) {
                Kind::Program => kind_of_name(name),
                kind => kind,
            };
            let Ok(meta) = std::fs::metadata(&real) else {
                continue;
            };
            if entries.iter().any(|e| e.path == real) {
                continue;
            }
            entries.push(Entry {
                dev: meta.dev(),
                ino: meta.ino(),
                size: meta.len(),
                kind,
                path: real,
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_decides_not_the_name() {
        let bash = std::fs::canonicalize("/usr/bin/bash").unwrap();
        assert_eq!(classify(&bash), Kind::ScriptShell("bash"));
        let rbash = std::fs::canonicalize("/usr/bin/rbash").unwrap();
        assert_eq!(classify(&rbash), Kind::ScriptShell("bash"));
        let env = std::fs::canonicalize("/usr/bin/env").unwrap();
        assert_eq!(classify(&env), Kind::Wrapper("env"));

        let dir = tempfile::tempdir().unwrap();
        // A file merely named like a wrapper is a plain program.
        let planted = dir.path().join("env");
        std::fs::write(&planted, "#!/bin/sh\n").unwrap();
        assert_eq!(classify(&planted), Kind::Program);
        // A copy of a wrapper under another name is that wrapper.
        let copy = dir.path().join("innocent");
        std::fs::copy(&env, &copy).unwrap();
        assert_eq!(classify(&copy), Kind::Wrapper("env"));
    }
}
