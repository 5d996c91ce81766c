//! `browser.proxy.upload.v1`: a file chooser request that carries its files
//! (`upload: {envelope: "browser-upload-v1", files: [{name, contentBase64}]}`), as the gateway
//! sends it for files it holds. The files are checked in the real node host's order and with
//! its words, staged by the host in a fresh private dir under the node's upload dir, and named
//! to the route as its `paths`.

use openclaw_plugin_sdk::browser_files;
use openclaw_plugin_sdk::browser_files::UploadFile;
use openclaw_plugin_sdk::Failure;
use serde_json::{json, Value};

use crate::files::{base64, unbase64};
use crate::route::Request;

const MAX_FILES: usize = 256;
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;
/// The longest text that can decode to at most 10 MiB.
const MAX_BASE64_CHARS: usize = MAX_FILE_BYTES.div_ceil(3) * 4;

fn thrown(why: &str) -> Failure {
    Failure::new("INVALID_REQUEST", format!("Error: {why}"))
}

fn refused(why: &str) -> Failure {
    thrown(&format!("INVALID_REQUEST: {why}"))
}

/// Standard base64 that reads back exactly as written: no line breaks, canonical padding.
fn strict_base64(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let bytes = unbase64(text)?;
    (base64(&bytes) == text).then_some(bytes)
}

/// The real's `sanitizeUntrustedFileName(name, "upload")` with its extra rules: the last part
/// of the name, no characters file systems or shells trip on, `!` and `%` as `_`, at most 180
/// bytes, no trailing dots or spaces.
pub fn sanitize(name: &str) -> String {
    let clean = |text: &str| -> String {
        let base = text.rsplit(['/', '\\']).next().unwrap_or_default();
        base.chars()
            .filter(|c| !c.is_control() && !"<>:\"/\\|?*".contains(*c))
            .collect::<String>()
            .trim()
            .to_string()
    };
    let mut name: String = clean(name)
        .chars()
        .map(|c| if c == '!' || c == '%' { '_' } else { c })
        .collect();
    let mut end = name.len().min(180);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.truncate(end);
    let name = clean(name.trim_end_matches(['.', ' ']));
    if name.is_empty() || name == "." || name == ".." {
        "upload".into()
    } else {
        name
    }
}

/// The files of an upload envelope, checked.
fn files(upload: &Value) -> Result<Vec<UploadFile>, Failure> {
    let files = match (upload["envelope"].as_str(), upload["files"].as_array()) {
        (Some("browser-upload-v1"), Some(files)) if !files.is_empty() => files,
        _ => return Err(refused("invalid browser proxy upload envelope")),
    };
    if files.len() > MAX_FILES {
        return Err(thrown("browser proxy request exceeds 256 file limit"));
    }
    let mut out = Vec::with_capacity(files.len());
    let mut total = 0;
    for file in files {
        let name = file["name"].as_str().filter(|n| !n.trim().is_empty());
        let text = file["contentBase64"]
            .as_str()
            .filter(|t| t.len() <= MAX_BASE64_CHARS);
        let (Some(name), Some(text)) = (name, text) else {
            return Err(refused("invalid browser proxy upload file"));
        };
        let content =
            strict_base64(text).ok_or_else(|| refused("invalid browser proxy upload encoding"))?;
        if content.len() > MAX_FILE_BYTES {
            return Err(thrown("browser proxy file exceeds 10 MiB limit"));
        }
        total += content.len();
        if total > MAX_TOTAL_BYTES {
            return Err(thrown("browser proxy files exceed 16 MiB aggregate limit"));
        }
        out.push(UploadFile {
            name: sanitize(name),
            content,
        });
    }
    Ok(out)
}

/// Stages the envelope's files and names them as the request body's `paths`.
pub fn stage(upload: &Value, req: &mut Request) -> Result<Vec<String>, Failure> {
    if (req.method.as_str(), req.path.as_str()) != ("POST", "/hooks/file-chooser") {
        return Err(refused(
            "browser proxy upload requires the file chooser route",
        ));
    }
    let body = match &mut req.body {
        Value::Object(body) if !body.contains_key("paths") => body,
        _ => return Err(refused("browser proxy upload body must omit paths")),
    };
    let files = files(upload)?;
    let paths = browser_files::stage_upload(&files).map_err(|f| {
        let message = f
            .message
            .strip_prefix("INVALID_REQUEST: ")
            .unwrap_or(&f.message);
        thrown(message)
    })?;
    body.insert("paths".into(), json!(paths));
    Ok(paths)
}

/// Removes what [`stage`] staged, once the request failed.
pub fn discard(paths: &[String]) {
    if let Some(first) = paths.first() {
        let _ = browser_files::discard_upload(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised_as_the_real_does() {
        assert_eq!(sanitize("../../evil 100%!.txt"), "evil 100__.txt");
        assert_eq!(sanitize("env-up.txt"), "env-up.txt");
        assert_eq!(sanitize("a<b>|c?.txt.. "), "abc.txt");
        assert_eq!(sanitize(".."), "upload");
        assert_eq!(sanitize("dir\\x.bin"), "x.bin");
        assert_eq!(sanitize(&"é".repeat(200)).len(), 180);
    }

    #[test]
    fn only_canonical_base64_is_taken() {
        assert_eq!(strict_base64("YWJj").unwrap(), b"abc");
        assert_eq!(strict_base64("").unwrap(), b"");
        for bad in ["YWJj\nZA==", "YWJjZB==", "YWJjZA=", "YW Jj", "YWJj===="] {
            assert!(strict_base64(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn envelopes_are_checked_with_the_real_words() {
        let message = |upload: Value| files(&upload).err().map(|f| f.message);
        assert_eq!(
            message(json!({"envelope": "v2", "files": []})),
            Some("Error: INVALID_REQUEST: invalid browser proxy upload envelope".into())
        );
        assert_eq!(
            message(
                json!({"envelope": "browser-upload-v1", "files": [{"name": " ", "contentBase64": "YWJj"}]})
            ),
            Some("Error: INVALID_REQUEST: invalid browser proxy upload file".into())
        );
        assert_eq!(
            message(
                json!({"envelope": "browser-upload-v1", "files": [{"name": "x", "contentBase64": "YWJjZB=="}]})
            ),
            Some("Error: INVALID_REQUEST: invalid browser proxy upload encoding".into())
        );
        let many: Vec<Value> = (0..257)
            .map(|_| json!({"name": "x", "contentBase64": ""}))
            .collect();
        assert_eq!(
            message(json!({"envelope": "browser-upload-v1", "files": many})),
            Some("Error: browser proxy request exceeds 256 file limit".into())
        );
        let nine_mib = base64(&vec![0u8; 9 << 20]);
        let two = json!([{"name": "a", "contentBase64": nine_mib}, {"name": "b", "contentBase64": nine_mib}]);
        assert_eq!(
            message(json!({"envelope": "browser-upload-v1", "files": two})),
            Some("Error: browser proxy files exceed 16 MiB aggregate limit".into())
        );
    }
}
