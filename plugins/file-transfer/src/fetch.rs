//! `file.fetch`: a regular file's bytes as base64, with their SHA-256 and media type
//! (`handleFileFetch`). 8 MiB unless `maxBytes` says otherwise, 16 MiB at most. The answer is
//! built as text directly, so that a 16 MiB file fits the plugin's memory: the bytes and
//! their base64 are all it holds at once.

use base64::Engine as _;
use openclaw_plugin_sdk::fs::{self, Failure as HostFailure};
use openclaw_plugin_sdk::{Call, Failure, JsonText};
use serde_json::{json, Value};

use crate::mime;
use crate::params::{is_true, limit, text};
use crate::paths::{
    check_existing_binding, normalize, read_path, resolve_read, RealpathWords, SYMLINK_READ,
};
use crate::reply::{error_text, existing_binding, fail, fail_at};

pub const DEFAULT_MAX_BYTES: u64 = 8 * 1024 * 1024;
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

const WORDS: RealpathWords = RealpathWords {
    not_found: "file not found",
    enotdir_not_found: true,
    permission_code: true,
};

pub fn fetch(_call: &Call, params: Value) -> Result<JsonText, Failure> {
    Ok(JsonText(
        answer(&params).unwrap_or_else(|failure| failure.to_string()),
    ))
}

fn answer(params: &Value) -> Result<String, Value> {
    let path = read_path(params)?;
    if let Some(transport) = params.get("transport") {
        return Err(unsupported_transport(params, transport));
    }
    let max = limit(params, "maxBytes", DEFAULT_MAX_BYTES, MAX_BYTES);
    let root = confinement_root(params)?;
    let canonical = resolve_read(params, &path, &WORDS)?;
    if let Some(root) = root {
        if !canonical.starts_with(&format!("{}/", root.trim_end_matches('/'))) {
            return Err(fail_at(
                "READ_ERROR",
                "open failed: file is outside workspace root",
                &canonical,
            ));
        }
    }
    let preflight = is_true(params, "preflightOnly");
    let read = fs::read_file(&canonical, if preflight { 0 } else { max })
        .map_err(|f| open_failure(&f, &canonical))?;
    check_existing_binding(params, &read.info, &canonical)?;
    if read.info.size > max {
        return Err(fail_at(
            "FILE_TOO_LARGE",
            format!("file size {} exceeds limit {max}", read.info.size),
            &canonical,
        ));
    }
    let binding = existing_binding(&read.info);
    if preflight {
        return Ok(json!({
            "ok": true,
            "path": canonical,
            "size": read.info.size,
            "mimeType": "",
            "base64": "",
            "sha256": "",
            "preflightOnly": true,
            "binding": binding,
        })
        .to_string());
    }
    let content = read.content;
    let sha256 = read.sha256;
    let mime_type = mime::detect(&canonical, &content);
    let mut out = String::with_capacity(content.len() / 3 * 4 + 4 + 512 + canonical.len());
    out.push_str(r#"{"ok":true,"path":"#);
    out.push_str(&Value::from(canonical.as_str()).to_string());
    out.push_str(&format!(
        r#","size":{},"mimeType":"{mime_type}","base64":""#,
        content.len()
    ));
    base64::engine::general_purpose::STANDARD.encode_string(&content, &mut out);
    drop(content);
    out.push_str(&format!(r#"","sha256":"{sha256}","binding":{binding}}}"#));
    Ok(out)
}

/// Only the unary transport is served: the binary one streams over a duplex channel that this
/// node does not offer.
fn unsupported_transport(params: &Value, transport: &Value) -> Value {
    if transport != "binary" {
        return fail(
            "INVALID_PARAMS",
            "Error: file.fetch transport must be \"binary\" when supplied",
        );
    }
    let max = params.get("maxBytes").and_then(Value::as_u64);
    if !max.is_some_and(|m| m > 0 && m <= 9_007_199_254_740_991) {
        return fail(
            "INVALID_PARAMS",
            "Error: binary file.fetch maxBytes must be a positive safe integer",
        );
    }
    fail(
        "INVALID_PARAMS",
        "binary file.fetch requires duplex IO and an authorized filesystem binding",
    )
}

/// `rootPath`: a canonical dir the file must lie in (the workspace bridge's confinement).
fn confinement_root(params: &Value) -> Result<Option<String>, Value> {
    if params.get("rootPath").is_none() {
        return Ok(None);
    }
    let root = read_path(&json!({"path": text(params, "rootPath")}))?;
    let normalized = normalize(&root);
    let canonical = fs::canonical(&normalized).map_err(|f| match f.code.as_str() {
        "ENOENT" => fail("NOT_FOUND", WORDS.not_found),
        _ => fail("READ_ERROR", format!("realpath failed: {}", error_text(&f))),
    })?;
    if canonical != normalized {
        return Err(fail_at("SYMLINK_REDIRECT", SYMLINK_READ, &canonical));
    }
    Ok(Some(canonical))
}

fn open_failure(f: &HostFailure, canonical: &str) -> Value {
    let code = match f.code.as_str() {
        "EISDIR" | "EINVAL" => return fail_at("IS_DIRECTORY", "path is a directory", canonical),
        "ENOENT" | "ENOTDIR" => "NOT_FOUND",
        "EACCES" | "EPERM" | "REFUSED" => "PERMISSION_DENIED",
        "ELOOP" => "SYMLINK_REDIRECT",
        _ => "READ_ERROR",
    };
    fail_at(code, format!("open failed: {}", error_text(f)), canonical)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
