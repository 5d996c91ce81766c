//! Answers as the real file-transfer commands give them: success and failure alike are a
//! payload with `ok`; a failure names its `code`, and the resolved path when it is known.

use openclaw_plugin_sdk::fs::{Failure as HostFailure, FileInfo};
use openclaw_plugin_sdk::Failure;
use serde_json::{json, Value};

/// A command's answer: the payload, or the in-band failure payload.
pub type Answer = Result<Value, Value>;

pub fn fail(code: &str, message: impl Into<String>) -> Value {
    json!({"ok": false, "code": code, "message": message.into()})
}

pub fn fail_at(code: &str, message: impl Into<String>, canonical: &str) -> Value {
    json!({"ok": false, "code": code, "message": message.into(), "canonicalPath": canonical})
}

/// What the real node host calls an existing file's binding: its identity, as decimal text.
pub fn existing_binding(info: &FileInfo) -> Value {
    json!({"kind": "existing", "device": info.device.to_string(), "inode": info.inode.to_string()})
}

/// Both kinds of answer are payloads.
pub fn finish(answer: Answer) -> Result<Value, Failure> {
    Ok(answer.unwrap_or_else(|failure| failure))
}

/// A host failure as Node.js prints a thrown error: `Error: ENOENT: ...`. Our own refusal is
/// passed on as it is.
pub fn error_text(f: &HostFailure) -> String {
    if f.code == "REFUSED" {
        f.message.clone()
    } else {
        format!("Error: {}", f.message)
    }
}

/// Milliseconds since the epoch as Node.js's bigint stat gives them: `Number(ns) / 1e6`.
pub fn mtime_ms_bigint(info: &FileInfo) -> Value {
    let ns = info.mtime_sec as i128 * 1_000_000_000 + info.mtime_nsec as i128;
    js_number(ns as f64 / 1e6)
}

/// Milliseconds since the epoch as Node.js's plain stat gives them: `sec * 1e3 + nsec / 1e6`.
pub fn mtime_ms(info: &FileInfo) -> Value {
    js_number(info.mtime_sec as f64 * 1e3 + info.mtime_nsec as f64 / 1e6)
}

/// A number as JavaScript prints it: whole numbers without `.0`.
fn js_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        json!(n as i64)
    } else {
        json!(n)
    }
}
