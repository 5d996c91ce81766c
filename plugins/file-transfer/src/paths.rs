//! The real handlers' path rules: absolute paths only (no `~`), normalised as Node.js's
//! `path.normalize` does (a trailing `/` kept), resolved with `realpath`, and refused with
//! `SYMLINK_REDIRECT` when the two differ and links were not to be followed.

use openclaw_plugin_sdk::fs::{self, FileInfo};
use serde_json::Value;

use crate::params::{has, is_true, text};
use crate::reply::{error_text, fail, fail_at};

pub const SYMLINK_READ: &str = "path traverses a symlink; refusing because followSymlinks=false (set plugins.entries.file-transfer.config.nodes.<node>.followSymlinks=true to allow, or update allowReadPaths to the canonical path)";
pub const SYMLINK_WRITE: &str = "path traverses a symlink; refusing because followSymlinks=false (set plugins.entries.file-transfer.config.nodes.<node>.followSymlinks=true to allow, or update allowWritePaths to the canonical path)";
pub const PATH_CHANGED: &str = "canonical path differs from the authorized target";
pub const IDENTITY_CHANGED: &str = "filesystem identity differs from the authorized target";

/// The `path` param of the read commands, checked as `readAbsolutePath` checks it.
pub fn read_path(params: &Value) -> Result<String, Value> {
    let path = text(params, "path").filter(|p| !p.is_empty());
    let Some(path) = path else {
        return Err(fail("INVALID_PATH", "path required"));
    };
    if path.contains('\0') {
        return Err(fail("INVALID_PATH", "path contains NUL byte"));
    }
    if !path.starts_with('/') {
        return Err(fail("INVALID_PATH", "path must be absolute"));
    }
    Ok(path.to_string())
}

/// How a command names the failures of `realpath`.
pub struct RealpathWords {
    /// The message for a path that does not exist.
    pub not_found: &'static str,
    /// Whether `ENOTDIR` (a file where a dir should be) counts as not found.
    pub enotdir_not_found: bool,
    /// Whether `EACCES` is `PERMISSION_DENIED` rather than `READ_ERROR`.
    pub permission_code: bool,
}

/// Resolves `path` for reading: `realpath`, the link rule, and `expectedCanonicalPath`.
pub fn resolve_read(params: &Value, path: &str, words: &RealpathWords) -> Result<String, Value> {
    let normalized = normalize(path);
    let canonical = fs::canonical(&normalized).map_err(|f| {
        let code = f.code.as_str();
        if code == "ENOENT" || (words.enotdir_not_found && code == "ENOTDIR") {
            fail("NOT_FOUND", words.not_found)
        } else {
            let permission = matches!(code, "EACCES" | "EPERM" | "REFUSED");
            let named = if permission && words.permission_code {
                "PERMISSION_DENIED"
            } else {
                "READ_ERROR"
            };
            fail(named, format!("realpath failed: {}", error_text(&f)))
        }
    })?;
    if !follows(params) && canonical != normalized {
        return Err(fail_at("SYMLINK_REDIRECT", SYMLINK_READ, &canonical));
    }
    check_expected_path(params, &canonical)?;
    Ok(canonical)
}

/// Links are followed when the caller asks and the operator's grant allows: the caller can
/// only turn following off, as the real gateway's policy has it.
pub fn follows(params: &Value) -> bool {
    is_true(params, "followSymlinks") && fs::follows_symlinks()
}

pub fn check_expected_path(params: &Value, canonical: &str) -> Result<(), Value> {
    match text(params, "expectedCanonicalPath") {
        Some(expected) if expected != canonical => {
            Err(fail_at("CANONICAL_PATH_CHANGED", PATH_CHANGED, canonical))
        }
        _ => Ok(()),
    }
}

/// `expectedBinding`, when present at all, must name this existing file.
pub fn check_existing_binding(
    params: &Value,
    info: &FileInfo,
    canonical: &str,
) -> Result<(), Value> {
    if !has(params, "expectedBinding") {
        return Ok(());
    }
    let binding = &params["expectedBinding"];
    let same = binding["kind"] == "existing"
        && binding["device"].as_str() == Some(&info.device.to_string())
        && binding["inode"].as_str() == Some(&info.inode.to_string());
    if same {
        Ok(())
    } else {
        Err(fail_at(
            "CANONICAL_PATH_CHANGED",
            IDENTITY_CHANGED,
            canonical,
        ))
    }
}

/// Node.js's `path.posix.normalize` of an absolute path: repeated `/`, `.` and `..` folded, a
/// trailing `/` kept.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if path.ends_with('/') && out != "/" {
        out.push('/');
    }
    out
}

/// `path.join(dir, name)`.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// `path.dirname`.
pub fn parent(path: &str) -> &str {
    match path.trim_end_matches('/').rfind('/') {
        Some(0) | None => "/",
        Some(cut) => &path[..cut],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_as_node_normalizes_them() {
        assert_eq!(normalize("/srv//data/./x/../y"), "/srv/data/y");
        assert_eq!(normalize("/srv/data/"), "/srv/data/");
        assert_eq!(normalize("/srv/data/."), "/srv/data");
        assert_eq!(normalize("/.."), "/");
        assert_eq!(parent("/srv/data/f"), "/srv/data");
        assert_eq!(parent("/f"), "/");
        assert_eq!(join("/", "etc"), "/etc");
    }
}
