//! `file.write`: base64 bytes written to a file under the plugin's write roots
//! (`handleFileWrite`). A new file is 0600; an existing one is replaced only with
//! `overwrite`, atomically, keeping its mode. `expectedSha256` is checked before anything is
//! written. The gateway's preflight (`preflightOnly`) answers the target's binding, and its
//! second call (`expectedBinding`) writes only if that target is still the same.

use openclaw_plugin_sdk::fs::{self, EntryKind, Existing, Failure as HostFailure, FileInfo};
use openclaw_plugin_sdk::{Call, Failure};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::b64::{decode_strict, Decoded};
use crate::fetch::hex;
use crate::params::{has, is_true, text};
use crate::paths::{
    check_expected_path, follows, join, normalize, parent, IDENTITY_CHANGED, SYMLINK_WRITE,
};
use crate::reply::{error_text, existing_binding, fail, fail_at};

const MAX_BYTES: u64 = 16 * 1024 * 1024;

pub fn write(_call: &Call, params: Value) -> Result<Value, Failure> {
    match answer(&params) {
        Ok(payload) => Ok(payload),
        Err(Outcome::Payload(failure)) => Ok(failure),
        Err(Outcome::Thrown(failure)) => Err(failure),
    }
}

/// A failure is in-band, except where the real throws.
enum Outcome {
    Payload(Value),
    Thrown(Failure),
}

impl From<Value> for Outcome {
    fn from(v: Value) -> Outcome {
        Outcome::Payload(v)
    }
}

/// Where the bytes go: the target with its parents' links resolved, the nearest dir above it
/// that exists, and what is at the target now.
struct Target {
    path: String,
    parent: String,
    parent_exists: bool,
    anchor: (String, FileInfo),
    existing: Option<FileInfo>,
}

fn answer(params: &Value) -> Result<Value, Outcome> {
    let path = write_path(params)?;
    let Some(content) = text(params, "contentBase64") else {
        return Err(fail("INVALID_BASE64", "contentBase64 is required").into());
    };
    let bytes = match decode_strict(content, MAX_BYTES) {
        Decoded::Bytes(bytes) => bytes,
        Decoded::Invalid => {
            return Err(fail("INVALID_BASE64", "contentBase64 is not valid base64").into())
        }
        Decoded::TooLarge(size) => {
            return Err(fail(
                "FILE_TOO_LARGE",
                format!("decoded content is {size} bytes; maximum is {MAX_BYTES} bytes (16 MB)"),
            )
            .into())
        }
    };
    let target = resolve(params, &path)?;
    check_expected_path(params, &target.path)?;
    let binding = has(params, "expectedBinding").then(|| &params["expectedBinding"]);
    if binding.is_some_and(|b| b["kind"] != "write") {
        return Err(fail_at("CANONICAL_PATH_CHANGED", IDENTITY_CHANGED, &target.path).into());
    }
    let preflight = is_true(params, "preflightOnly");
    let create_parents = is_true(params, "createParents");
    if !target.parent_exists && !create_parents {
        let message = format!("parent directory does not exist: {}", target.parent);
        return Err(fail("PARENT_NOT_FOUND", message).into());
    }
    check_existing(params, &target)?;
    let sha256 = hex(&Sha256::digest(&bytes));
    if let Some(expected) = text(params, "expectedSha256").filter(|e| !e.is_empty()) {
        let expected = expected.to_lowercase();
        if expected != sha256 {
            let message = format!("sha256 mismatch: expected {expected}, got {sha256}");
            return Err(fail_at("INTEGRITY_FAILURE", message, &target.path).into());
        }
    }
    let overwritten = target.existing.is_some();
    if preflight {
        let mut payload = json!({
            "ok": true,
            "path": target.path,
            "size": bytes.len(),
            "sha256": sha256,
            "overwritten": overwritten,
            "binding": write_binding(&target),
        });
        if is_true(params, "rejectHardlinks") {
            payload["rejectHardlinks"] = json!(true);
        }
        return Ok(payload);
    }
    if let Some(binding) = binding {
        check_still_bound(binding, &target)?;
    }
    let existing = if is_true(params, "overwrite") {
        Existing::Replace
    } else {
        Existing::Keep
    };
    let written = fs::write_file(&target.path, &bytes, existing, create_parents)
        .map_err(|f| write_failure(&f, &target))?;
    Ok(json!({
        "ok": true,
        "path": target.path,
        "size": bytes.len(),
        "sha256": sha256,
        "overwritten": overwritten,
        "binding": existing_binding(&written),
    }))
}

/// The `path` param as `file.write` checks it (its words differ from the readers').
fn write_path(params: &Value) -> Result<String, Value> {
    let Some(path) = text(params, "path").filter(|p| !p.is_empty()) else {
        return Err(fail("INVALID_PATH", "path is required"));
    };
    if path.contains('\0') {
        return Err(fail("INVALID_PATH", "path must not contain NUL bytes"));
    }
    if !path.starts_with('/') {
        return Err(fail("INVALID_PATH", "path must be absolute"));
    }
    Ok(path.to_string())
}

/// The target with the links above it resolved from the nearest dir that exists; refused
/// when that moved it and links were not to be followed.
fn resolve(params: &Value, path: &str) -> Result<Target, Outcome> {
    let normalized = normalize(path);
    let wanted = normalized.trim_end_matches('/');
    let name = wanted.rsplit('/').next().unwrap_or_default().to_string();
    let wanted_parent = parent(wanted).to_string();
    let (anchor, missing) = nearest_existing(&wanted_parent)?;
    let anchor_canonical = fs::canonical(&anchor).map_err(|f| lookup_failure(&f, &anchor))?;
    let mut parent_path = anchor_canonical.clone();
    for part in missing.iter().rev() {
        parent_path = join(&parent_path, part);
    }
    let target = join(&parent_path, &name);
    let follow = follows(params);
    let existing = match fs::lstat(&target) {
        Ok(info) => Some(info),
        Err(f) if f.code == "ENOENT" => None,
        Err(f) => return Err(lookup_failure(&f, &target)),
    };
    if !follow {
        let redirected = if existing
            .as_ref()
            .is_some_and(|i| i.kind == EntryKind::Symlink)
        {
            Some(fs::canonical(&target).unwrap_or_else(|_| target.clone()))
        } else {
            (target != normalized).then(|| target.clone())
        };
        if let Some(canonical) = redirected {
            return Err(fail_at("SYMLINK_REDIRECT", SYMLINK_WRITE, &canonical).into());
        }
    }
    let anchor_info = fs::lstat(&anchor_canonical).map_err(|f| lookup_failure(&f, &anchor))?;
    Ok(Target {
        path: target,
        parent: parent_path,
        parent_exists: missing.is_empty(),
        anchor: (anchor_canonical, anchor_info),
        existing,
    })
}

/// The nearest existing dir at or above `dir`, and the names below it that are missing
/// (innermost first). A file in the way fails the call, as the real throws there.
fn nearest_existing(dir: &str) -> Result<(String, Vec<String>), Outcome> {
    let mut at = dir.to_string();
    let mut missing = Vec::new();
    loop {
        match fs::lstat(&at) {
            Ok(info) if info.kind == EntryKind::File => {
                return Err(Outcome::Thrown(Failure::new(
                    "INVALID_REQUEST",
                    format!("Error: Path component is not a directory: {at}"),
                )))
            }
            Ok(_) => return Ok((at, missing)),
            Err(f) if f.code == "ENOENT" && at != "/" => {
                missing.push(at.rsplit('/').next().unwrap_or_default().to_string());
                at = parent(&at).to_string();
            }
            Err(f) => return Err(lookup_failure(&f, &at)),
        }
    }
}

fn check_existing(params: &Value, target: &Target) -> Result<(), Value> {
    let Some(info) = &target.existing else {
        return Ok(());
    };
    let path = &target.path;
    match info.kind {
        EntryKind::Symlink => Err(fail(
            "SYMLINK_TARGET_DENIED",
            format!("path is a symlink; refusing to write through it: {path}"),
        )),
        EntryKind::Directory => Err(fail(
            "IS_DIRECTORY",
            format!("path resolves to a directory: {path}"),
        )),
        _ if !is_true(params, "overwrite") => Err(fail(
            "EXISTS_NO_OVERWRITE",
            format!("file already exists and overwrite is false: {path}"),
        )),
        _ if is_true(params, "rejectHardlinks") && info.links > 1 => Err(fail(
            "HARDLINK_TARGET_DENIED",
            "refusing to overwrite a file with hard links",
        )),
        _ => Ok(()),
    }
}

fn write_binding(target: &Target) -> Value {
    let (anchor, info) = &target.anchor;
    let mut binding = json!({
        "kind": "write",
        "anchorPath": anchor,
        "anchorDevice": info.device.to_string(),
        "anchorInode": info.inode.to_string(),
    });
    if let Some(existing) = &target.existing {
        binding["targetDevice"] = json!(existing.device.to_string());
        binding["targetInode"] = json!(existing.inode.to_string());
    }
    binding
}

/// The gateway's second call writes only where its preflight looked: the same file, or
/// still no file under the same dir.
fn check_still_bound(binding: &Value, target: &Target) -> Result<(), Value> {
    let same = |device: &Value, inode: &Value, info: &FileInfo| {
        device.as_str() == Some(&info.device.to_string())
            && inode.as_str() == Some(&info.inode.to_string())
    };
    let unchanged = if binding.get("targetDevice").is_some() {
        target
            .existing
            .as_ref()
            .is_some_and(|i| same(&binding["targetDevice"], &binding["targetInode"], i))
    } else {
        let anchored = binding["anchorPath"].as_str() == Some(&target.anchor.0)
            && same(
                &binding["anchorDevice"],
                &binding["anchorInode"],
                &target.anchor.1,
            );
        anchored && target.existing.is_none()
    };
    if unchanged {
        Ok(())
    } else {
        Err(fail_at(
            "CANONICAL_PATH_CHANGED",
            IDENTITY_CHANGED,
            &target.path,
        ))
    }
}

fn lookup_failure(f: &HostFailure, path: &str) -> Outcome {
    let code = match f.code.as_str() {
        "EACCES" | "EPERM" | "REFUSED" => "PERMISSION_DENIED",
        _ => "WRITE_ERROR",
    };
    fail_at(
        code,
        format!("could not resolve the write target: {}", error_text(f)),
        path,
    )
    .into()
}

fn write_failure(f: &HostFailure, target: &Target) -> Value {
    let path = &target.path;
    match f.code.as_str() {
        "EEXIST" => fail(
            "EXISTS_NO_OVERWRITE",
            format!("file already exists and overwrite is false: {path}"),
        ),
        "EISDIR" => fail(
            "IS_DIRECTORY",
            format!("path resolves to a directory: {path}"),
        ),
        "ELOOP" => fail(
            "SYMLINK_TARGET_DENIED",
            format!("path is a symlink; refusing to write through it: {path}"),
        ),
        "ENOENT" => fail(
            "PARENT_NOT_FOUND",
            format!("parent directory does not exist: {}", target.parent),
        ),
        "EMLINK" => fail_at("WRITE_ERROR", "path alias escape blocked", path),
        "REFUSED" => fail("PERMISSION_DENIED", f.message.clone()),
        "EACCES" | "EPERM" => fail(
            "PERMISSION_DENIED",
            format!("permission denied writing to: {}", target.parent),
        ),
        _ => fail_at(
            "WRITE_ERROR",
            format!("failed to write file: {}", error_text(f)),
            path,
        ),
    }
}
