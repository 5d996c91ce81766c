//! `dir.list`: one page of a directory's entries (`handleDirList`). Every entry, hidden ones
//! too, in the ICU collation order of JavaScript's `localeCompare`; each described by its own
//! metadata (a link is not followed). The page token is the decimal offset of the next page.

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use openclaw_plugin_sdk::fs::{self, EntryKind};
use openclaw_plugin_sdk::{Call, Failure};
use serde_json::{json, Value};

use crate::mime;
use crate::params::{is_true, limit};
use crate::paths::{check_existing_binding, join, read_path, resolve_read, RealpathWords};
use crate::reply::{error_text, existing_binding, fail_at, finish, mtime_ms, Answer};

const DEFAULT_ENTRIES: u64 = 200;
const MAX_ENTRIES: u64 = 5000;

const WORDS: RealpathWords = RealpathWords {
    not_found: "path not found",
    enotdir_not_found: false,
    permission_code: true,
};

pub fn list(_call: &Call, params: Value) -> Result<Value, Failure> {
    finish(answer(&params))
}

fn answer(params: &Value) -> Answer {
    let path = read_path(params)?;
    let canonical = resolve_read(params, &path, &WORDS)?;
    let info = directory(params, &canonical)?;
    let binding = existing_binding(&info);
    if is_true(params, "preflightOnly") {
        return Ok(json!({
            "ok": true,
            "path": canonical,
            "entries": [],
            "truncated": false,
            "preflight": true,
            "binding": binding,
        }));
    }
    let max = limit(params, "maxEntries", DEFAULT_ENTRIES, MAX_ENTRIES) as usize;
    let offset = page_offset(params);
    let list_failed = || fail_at("READ_ERROR", "list failed", &canonical);
    let mut names: Vec<String> = fs::list_dir(&canonical)
        .map_err(|_| list_failed())?
        .into_iter()
        .map(|e| e.name)
        .collect();
    let collator = collator();
    names.sort_by(|a, b| collator.compare(a, b));
    let total = names.len();
    let mut entries = Vec::new();
    for name in names.into_iter().skip(offset).take(max) {
        let path = join(&canonical, &name);
        let info = fs::lstat(&path).map_err(|_| list_failed())?;
        let is_dir = info.kind == EntryKind::Directory;
        entries.push(json!({
            "name": name,
            "path": path,
            "size": if is_dir { 0 } else { info.size },
            "mimeType": if is_dir { "inode/directory" } else { mime::from_name(&name) },
            "isDir": is_dir,
            "mtime": mtime_ms(&info),
        }));
    }
    let truncated = offset.saturating_add(max) < total;
    let mut payload = json!({"ok": true, "path": canonical, "entries": entries});
    if truncated {
        payload["nextPageToken"] = json!((offset + max).to_string());
    }
    payload["truncated"] = json!(truncated);
    payload["binding"] = binding;
    Ok(payload)
}

/// The dir's own metadata, which must be a dir (`IS_FILE` otherwise) bound as expected.
pub fn directory(params: &Value, canonical: &str) -> Result<fs::FileInfo, Value> {
    let info = fs::lstat(canonical).map_err(|f| {
        let code = match f.code.as_str() {
            "EACCES" | "EPERM" | "REFUSED" => "PERMISSION_DENIED",
            "ENOENT" => "NOT_FOUND",
            _ => "READ_ERROR",
        };
        fail_at(code, format!("stat failed: {}", error_text(&f)), canonical)
    })?;
    if info.kind != EntryKind::Directory {
        return Err(fail_at("IS_FILE", "path is not a directory", canonical));
    }
    check_existing_binding(params, &info, canonical)?;
    Ok(info)
}

/// `pageToken`: a whole number in decimal, possibly padded or signed; anything else starts
/// over at 0, as the real does, without an error.
fn page_offset(params: &Value) -> usize {
    let Some(token) = params.get("pageToken").and_then(Value::as_str) else {
        return 0;
    };
    let token = token.trim();
    let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    match token.parse::<i64>() {
        Ok(n) if (0..=9_007_199_254_740_991).contains(&n) => n as usize,
        _ => 0,
    }
}

/// The root collation, which is JavaScript's `localeCompare` in an English or C locale.
pub fn collator() -> CollatorBorrowed<'static> {
    Collator::try_new(Default::default(), CollatorOptions::default())
        .expect("the root collation is compiled in")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_as_locale_compare_sorts_them() {
        let mut names = vec![
            "中", "Ω", "Z", "z", "x\u{301}", "ß", "ss", "é", "e", "B", "b", "ab", "aa", "a.b",
            "a-b", "a_b", "ä", "A", "a", "2", "10", "1", "😀", "~", "#", ".x", "-x", "_x", " sp",
        ];
        let c = collator();
        names.sort_by(|a, b| c.compare(a, b));
        assert_eq!(
            names,
            [
                " sp", "_x", "-x", ".x", "#", "~", "😀", "1", "10", "2", "a", "A", "ä", "a_b",
                "a-b", "a.b", "aa", "ab", "b", "B", "e", "é", "ss", "ß", "x\u{301}", "z", "Z", "Ω",
                "中"
            ]
        );
    }

    #[test]
    fn page_tokens_are_offsets_and_bad_ones_start_over() {
        let offset = |t: Value| page_offset(&json!({ "pageToken": t }));
        assert_eq!(offset(json!("3")), 3);
        assert_eq!(offset(json!(" 3 ")), 3);
        assert_eq!(offset(json!("+3")), 3);
        assert_eq!(offset(json!("007")), 7);
        for bad in [
            json!("abc"),
            json!("-3"),
            json!("3.0"),
            json!("1e2"),
            json!(3),
        ] {
            assert_eq!(offset(bad.clone()), 0, "{bad}");
        }
    }
}
