//! The files a node's browser route result points to (`path`, `imagePath`, `download.path`,
//! `downloads[].path`) arrive inlined in `files`. They are checked against the result one for
//! one, kept in `<state>/media/browser/` under names the gateway makes, and the result is
//! rewritten to point there. The node is not trusted with names: only a sanitised stem and
//! extension of its path survive.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;
use serde_json::Value;

const MAX_FILES: usize = 256;
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// The real gateway's one message for every broken file envelope.
pub const TRANSFER_FAILED: &str = "browser proxy file transfer failed";

#[derive(Deserialize)]
struct InlineFile {
    path: String,
    base64: String,
}

/// The places in a result that name a file, in the real node's order.
fn referenced(result: &mut Value) -> Vec<&mut Value> {
    let mut places = Vec::new();
    let Some(object) = result.as_object_mut() else {
        return places;
    };
    let mut downloads = None;
    let mut download = None;
    for (key, value) in object.iter_mut() {
        match key.as_str() {
            "path" | "imagePath" => places.push(value),
            "download" => download = value.get_mut("path"),
            "downloads" => downloads = value.as_array_mut(),
            _ => {}
        }
    }
    places.extend(download);
    for item in downloads.into_iter().flatten() {
        places.extend(item.get_mut("path"));
    }
    places.retain(|v| v.as_str().is_some_and(|s| !s.is_empty()));
    places
}

/// Stores the files and rewrites `result` to their gateway paths.
pub fn persist(state_dir: &Path, result: &mut Value, files: Option<&Value>) -> Result<(), String> {
    let files: Vec<InlineFile> = match files {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| TRANSFER_FAILED.to_string())?,
    };
    let mut places = referenced(result);
    let mut wanted: Vec<String> = places
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut sent: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    sent.sort();
    if wanted != sent || files.len() > MAX_FILES {
        return Err(TRANSFER_FAILED.into());
    }
    let mut decoded = Vec::with_capacity(files.len());
    let mut total = 0;
    for file in &files {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&file.base64)
            .map_err(|_| TRANSFER_FAILED.to_string())?;
        total += bytes.len();
        if bytes.len() > MAX_FILE_BYTES || total > MAX_TOTAL_BYTES {
            return Err(TRANSFER_FAILED.into());
        }
        decoded.push((file.path.as_str(), bytes));
    }
    let dir = state_dir.join("media/browser");
    let mut stored = Vec::new();
    for (node_path, bytes) in decoded {
        let local = dir.join(local_name(node_path));
        openclaw_files::write_atomically(&local, &bytes).map_err(|e| {
            tracing::warn!("cannot keep a browser file in {}: {e}", dir.display());
            TRANSFER_FAILED.to_string()
        })?;
        stored.push((node_path.to_string(), local));
    }
    for place in places.iter_mut() {
        let from = place.as_str().unwrap_or_default().to_string();
        if let Some((_, local)) = stored.iter().find(|(node_path, _)| *node_path == from) {
            **place = Value::String(local.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// `<stem>---<uuid><.ext>`, from the node's file name with anything but letters, digits, `-`
/// and `_` dropped.
fn local_name(node_path: &str) -> PathBuf {
    let name = node_path.rsplit(['/', '\\']).next().unwrap_or_default();
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext),
        _ => (name, ""),
    };
    let clean = |s: &str, max: usize| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(max)
            .collect()
    };
    let stem = clean(stem, 64);
    let ext = clean(ext, 10);
    let stem = if stem.is_empty() { "file".into() } else { stem };
    let ext = if ext.is_empty() {
        String::new()
    } else {
        format!(".{ext}")
    };
    PathBuf::from(format!("{stem}---{}{ext}", uuid::Uuid::new_v4()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_hostile_name_stays_in_the_media_dir() {
        let name = local_name("../../etc/pass wd.p/ng");
        assert!(name.to_str().unwrap().starts_with("ng---"), "{name:?}");
        let name = local_name("/x/..\\..\\evil..sh");
        assert!(!name.to_str().unwrap().contains(".."), "{name:?}");
        assert!(name.to_str().unwrap().ends_with(".sh"));
    }

    #[test]
    fn too_many_or_too_large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let one = base64::engine::general_purpose::STANDARD.encode(b"x");
        let paths: Vec<String> = (0..=MAX_FILES).map(|i| format!("/n/{i}.png")).collect();
        let mut result =
            json!({"downloads": paths.iter().map(|p| json!({"path": p})).collect::<Vec<_>>()});
        let files: Vec<_> = paths
            .iter()
            .map(|p| json!({"path": p, "base64": one}))
            .collect();
        assert!(persist(dir.path(), &mut result, Some(&json!(files))).is_err());
        let big = base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_FILE_BYTES + 1]);
        let mut result = json!({"path": "/n/big.bin"});
        let files = json!([{"path": "/n/big.bin", "base64": big}]);
        assert!(persist(dir.path(), &mut result, Some(&files)).is_err());
        let nine = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 9 * 1024 * 1024]);
        let mut result = json!({"path": "/n/a.bin", "imagePath": "/n/b.bin"});
        let files =
            json!([{"path": "/n/a.bin", "base64": nine}, {"path": "/n/b.bin", "base64": nine}]);
        assert!(
            persist(dir.path(), &mut result, Some(&files)).is_err(),
            "18 MiB in all"
        );
        assert!(
            !dir.path().join("media/browser").exists(),
            "nothing kept of a refused envelope"
        );
    }

    #[test]
    fn files_must_match_the_result_one_for_one() {
        let dir = tempfile::tempdir().unwrap();
        let png = base64::engine::general_purpose::STANDARD.encode(b"png");
        let mut result = json!({"ok": true, "path": "/n/a.png", "download": {"path": "/n/b.bin"}});
        let files = json!([{"path": "/n/a.png", "base64": png}]);
        assert_eq!(
            persist(dir.path(), &mut result, Some(&files)),
            Err(TRANSFER_FAILED.into())
        );
        let files = json!([{"path": "/n/a.png", "base64": png}, {"path": "/n/b.bin", "base64": png},
                           {"path": "/etc/shadow", "base64": png}]);
        assert!(persist(dir.path(), &mut result, Some(&files)).is_err());
        let files =
            json!([{"path": "/n/a.png", "base64": png}, {"path": "/n/b.bin", "base64": "!!"}]);
        assert!(persist(dir.path(), &mut result, Some(&files)).is_err());
        let files =
            json!([{"path": "/n/a.png", "base64": png}, {"path": "/n/b.bin", "base64": png}]);
        persist(dir.path(), &mut result, Some(&files)).unwrap();
        let local = PathBuf::from(result["path"].as_str().unwrap());
        assert!(local.starts_with(dir.path().join("media/browser")));
        assert_eq!(std::fs::read(&local).unwrap(), b"png");
        assert!(result["download"]["path"]
            .as_str()
            .unwrap()
            .ends_with(".bin"));
        let mut plain = json!({"ok": true});
        persist(dir.path(), &mut plain, None).unwrap();
        assert_eq!(plain, json!({"ok": true}));
    }
}
