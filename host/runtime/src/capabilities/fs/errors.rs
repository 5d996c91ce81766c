//! System errors worded as Node.js words them (`ENOENT: no such file or directory, open
//! '/x'`), which is how the real node host reports them.

use std::io;
use std::path::Path;

use openclaw_protocol::errors::ErrorCode;

use crate::bindings::Failure;

/// The code of a failure for a path outside the call's roots or inside a private dir.
pub const REFUSED: &str = "REFUSED";

/// For `list-dir` (contract 0.1.2): a caller's mistake, `INVALID_REQUEST`.
pub fn os_failure(e: &io::Error, syscall: &str, path: &Path) -> Failure {
    Failure {
        code: ErrorCode::InvalidRequest.into(),
        message: node_words(e, syscall, path),
    }
}

/// For the file functions: the errno name as the code. cap-std's refusal of a path that would
/// leave its root is `REFUSED`.
pub fn errno_failure(
    e: &io::Error,
    syscall: &str,
    path: &Path,
    refused: impl Fn() -> Failure,
) -> Failure {
    if left_the_root(e) {
        return refused();
    }
    Failure {
        code: errno_of(e).to_string(),
        message: node_words(e, syscall, path),
    }
}

/// A failure of our own making, in the same form: `EMLINK: hardlinked path not allowed, open
/// '/x'`.
pub fn named_failure(code: &str, text: &str, syscall: &str, path: &Path) -> Failure {
    Failure {
        code: code.to_string(),
        message: format!("{code}: {text}, {syscall} '{}'", path.display()),
    }
}

fn left_the_root(e: &io::Error) -> bool {
    match e.raw_os_error() {
        Some(code) => rustix::io::Errno::from_raw_os_error(code) == rustix::io::Errno::XDEV,
        None => e.kind() == io::ErrorKind::PermissionDenied,
    }
}

fn node_words(e: &io::Error, syscall: &str, path: &Path) -> String {
    format!(
        "{}: {}, {syscall} '{}'",
        errno_of(e),
        describe(e),
        path.display()
    )
}

fn errno_of(e: &io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(code) => errno_name(code),
        None => "EACCES",
    }
}

fn describe(e: &io::Error) -> String {
    if e.raw_os_error().is_none() {
        return "permission denied".into();
    }
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
    use rustix::io::Errno;
    match Errno::from_raw_os_error(code) {
        Errno::NOENT => "ENOENT",
        Errno::NOTDIR => "ENOTDIR",
        Errno::ACCESS => "EACCES",
        Errno::PERM => "EPERM",
        Errno::LOOP => "ELOOP",
        Errno::ISDIR => "EISDIR",
        Errno::EXIST => "EEXIST",
        Errno::MLINK => "EMLINK",
        Errno::NOSPC => "ENOSPC",
        Errno::ROFS => "EROFS",
        Errno::NAMETOOLONG => "ENAMETOOLONG",
        Errno::INVAL => "EINVAL",
        Errno::BUSY => "EBUSY",
        _ => "EIO",
    }
}
