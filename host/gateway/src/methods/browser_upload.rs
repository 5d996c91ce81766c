//! A file chooser request whose `paths` are this gateway's files: the gateway reads them (only
//! from its upload dir and inbound media, by the rule the node applies to its own) and sends
//! them to the node inside the request, as `browser.proxy.upload.v1`, as the real gateway does.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::Engine;
use openclaw_files::upload_paths::UploadRoots;
use serde_json::{json, Map, Value};

pub const COMMAND: &str = "browser.proxy.upload.v1";

const MAX_FILES: usize = 256;
const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
const MAX_TOTAL_BYTES: u64 = 16 * 1024 * 1024;

/// The `paths` of a file chooser request, when it carries any.
pub fn requested_paths(method: &str, path: &str, body: Option<&Value>) -> Option<Vec<String>> {
    if (method, path) != ("POST", "/hooks/file-chooser") {
        return None;
    }
    let paths: Vec<String> = body?
        .get("paths")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .map(String::from)
        .collect();
    (!paths.is_empty()).then_some(paths)
}

/// Why the node cannot take the upload, in the real gateway's words.
pub fn unavailable(declared: &[String]) -> String {
    if declared.iter().any(|c| c == COMMAND) {
        "browser node remote upload transfer is pending approval; approve the node's pending \
         command update before retrying"
            .into()
    } else {
        "browser node does not support remote upload transfer; update the node or approve its \
         pending command update before retrying"
            .into()
    }
}

/// The body without `paths`, and the envelope carrying the files they name.
pub fn prepare(state_dir: &Path, body: &Value, paths: &[String]) -> Result<(Value, Value), String> {
    if paths.len() > MAX_FILES {
        return Err("browser proxy request exceeds 256 file limit".into());
    }
    let roots = UploadRoots::in_state_dir(state_dir);
    let mut files = Vec::with_capacity(paths.len());
    let mut total = 0;
    for requested in paths {
        let path = roots.resolve(requested)?;
        let content = read_limited(&path)
            .map_err(|_| format!("browser proxy upload file not found: {requested}"))?;
        if content.len() as u64 > MAX_FILE_BYTES {
            return Err("browser proxy file exceeds 10 MiB limit".into());
        }
        total += content.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err("browser proxy files exceed 16 MiB aggregate limit".into());
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push(json!({
            "name": name,
            "contentBase64": base64::engine::general_purpose::STANDARD.encode(&content),
        }));
    }
    let mut body: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    body.remove("paths");
    let upload = json!({"envelope": "browser-upload-v1", "files": files});
    Ok((Value::Object(body), upload))
}

/// Reads the file without following a link in its place, and no more than one byte past the
/// limit.
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let mut content = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut content)?;
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateway_sends_only_its_upload_files_without_their_paths() {
        let state = tempfile::tempdir().unwrap();
        let roots = UploadRoots::in_state_dir(state.path());
        openclaw_files::private_dir(&roots.uploads).unwrap();
        openclaw_files::write_atomically(&roots.uploads.join("cv.txt"), b"hello upload\n").unwrap();
        openclaw_files::write_atomically(&state.path().join("token"), b"secret").unwrap();
        std::os::unix::fs::symlink(state.path().join("token"), roots.uploads.join("t.txt"))
            .unwrap();
        let body = json!({"ref": "e3", "targetId": "t1", "paths": ["cv.txt"]});
        let (sent, upload) = prepare(state.path(), &body, &["cv.txt".into()]).unwrap();
        assert_eq!(sent, json!({"ref": "e3", "targetId": "t1"}));
        assert_eq!(
            upload,
            json!({"envelope": "browser-upload-v1", "files": [{"name": "cv.txt", "contentBase64": "aGVsbG8gdXBsb2FkCg=="}]})
        );
        let refusal = roots.refusal();
        for bad in ["t.txt", "../token", "/etc/passwd", "missing.txt"] {
            assert_eq!(
                prepare(state.path(), &body, &[bad.into()]).unwrap_err(),
                refusal,
                "{bad}"
            );
        }
    }

    #[test]
    fn only_file_chooser_requests_with_paths_are_uploads() {
        let body = json!({"paths": ["a.txt"]});
        assert_eq!(
            requested_paths("POST", "/hooks/file-chooser", Some(&body)),
            Some(vec!["a.txt".to_string()])
        );
        assert_eq!(requested_paths("POST", "/act", Some(&body)), None);
        let empty = json!({"paths": []});
        assert_eq!(
            requested_paths("POST", "/hooks/file-chooser", Some(&empty)),
            None
        );
    }
}
