//! Files a route's result points to (a screenshot's `path`, a PDF's), which the answer carries
//! inline as `files: [{path, base64, mimeType}]`, as the real node host sends them. A plugin
//! instance serves one call, so the list belongs to that call.

use std::sync::Mutex;

use openclaw_plugin_sdk::{browser_downloads, browser_page};
use serde_json::{json, Value};

use crate::page::host_error;
use crate::route::RouteError;

static ATTACHED: Mutex<Vec<Value>> = Mutex::new(Vec::new());
/// The largest file and all files' bytes so far, against the real's limits on an answer.
static SIZES: Mutex<(usize, usize)> = Mutex::new((0, 0));

const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// Why the answer cannot carry its files, in the real node's words.
pub fn over_limit() -> Option<&'static str> {
    let (largest, total) = *SIZES.lock().unwrap();
    if largest > MAX_FILE_BYTES {
        Some("browser proxy file exceeds 10 MiB limit")
    } else if total > MAX_TOTAL_BYTES {
        Some("browser proxy files exceed 16 MiB aggregate limit")
    } else {
        None
    }
}

/// Keeps `bytes` with the node's browser media and attaches them to the answer; answers the
/// path the result names.
pub fn save(extension: &str, mime_type: &str, bytes: &[u8]) -> Result<String, RouteError> {
    let path = browser_page::save_media(extension, bytes).map_err(host_error)?;
    attach(&path, Some(mime_type), bytes.len(), Some(bytes));
    Ok(path)
}

/// Attaches a file the browser downloaded; one over the limit leaves no bytes, only its size
/// for [`over_limit`].
pub fn attach_download(download: &browser_downloads::Download) {
    let mime_type = mime_type(&download.path);
    let size = usize::try_from(download.size).unwrap_or(usize::MAX);
    attach(&download.path, mime_type, size, download.content.as_deref());
}

fn attach(path: &str, mime_type: Option<&str>, size: usize, bytes: Option<&[u8]>) {
    let mut sizes = SIZES.lock().unwrap();
    *sizes = (sizes.0.max(size), sizes.1.saturating_add(size));
    let Some(bytes) = bytes else {
        return;
    };
    let mut file = json!({"path": path, "base64": base64(bytes)});
    if let Some(mime_type) = mime_type {
        file["mimeType"] = json!(mime_type);
    }
    ATTACHED.lock().unwrap().push(file);
}

/// The type a file's name says, for the common kinds; none for the rest, as the real leaves
/// out what it cannot tell.
fn mime_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "txt" | "log" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        _ => return None,
    })
}

/// The files attached so far, for the answer.
pub fn take() -> Vec<Value> {
    std::mem::take(&mut *ATTACHED.lock().unwrap())
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (what the browser sends screenshots and PDFs as).
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_over_the_real_limits_are_refused() {
        *SIZES.lock().unwrap() = (MAX_FILE_BYTES + 1, MAX_FILE_BYTES + 1);
        assert_eq!(
            over_limit(),
            Some("browser proxy file exceeds 10 MiB limit")
        );
        *SIZES.lock().unwrap() = (9 << 20, 17 << 20);
        assert_eq!(
            over_limit(),
            Some("browser proxy files exceed 16 MiB aggregate limit")
        );
        *SIZES.lock().unwrap() = (MAX_FILE_BYTES, MAX_TOTAL_BYTES);
        assert_eq!(over_limit(), None);
    }

    #[test]
    fn base64_round_trips() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let encoded = base64(text.as_bytes());
            assert_eq!(unbase64(&encoded).unwrap(), text.as_bytes());
        }
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fo"), "Zm8=");
    }
}
