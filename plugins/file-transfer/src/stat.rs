//! `file.stat`: a regular file's or a directory's type, size and modification time, without
//! reading it (`handleFileStat`).

use openclaw_plugin_sdk::fs::{self, EntryKind};
use openclaw_plugin_sdk::{Call, Failure};
use serde_json::{json, Value};

use crate::params::is_true;
use crate::paths::{check_existing_binding, read_path, resolve_read, RealpathWords};
use crate::reply::{existing_binding, fail_at, finish, mtime_ms_bigint, Answer};

const WORDS: RealpathWords = RealpathWords {
    not_found: "path not found",
    enotdir_not_found: true,
    permission_code: true,
};

pub fn stat(_call: &Call, params: Value) -> Result<Value, Failure> {
    finish(answer(&params))
}

fn answer(params: &Value) -> Answer {
    let path = read_path(params)?;
    let canonical = resolve_read(params, &path, &WORDS)?;
    let info = fs::lstat(&canonical).map_err(|f| {
        let code = match f.code.as_str() {
            "ENOENT" | "ENOTDIR" => "NOT_FOUND",
            "EACCES" | "EPERM" | "REFUSED" => "PERMISSION_DENIED",
            _ => "READ_ERROR",
        };
        fail_at(code, "could not read file metadata", &canonical)
    })?;
    let kind = match info.kind {
        EntryKind::File => "file",
        EntryKind::Directory => "directory",
        _ => {
            return Err(fail_at(
                "UNSUPPORTED_FILE_TYPE",
                "only regular files and directories are supported",
                &canonical,
            ))
        }
    };
    check_existing_binding(params, &info, &canonical)?;
    let mut payload = json!({
        "ok": true,
        "path": canonical,
        "type": kind,
        "size": info.size,
        "mtimeMs": mtime_ms_bigint(&info),
        "binding": existing_binding(&info),
    });
    if is_true(params, "preflightOnly") {
        payload["preflightOnly"] = json!(true);
    }
    Ok(payload)
}
