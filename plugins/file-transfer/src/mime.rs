//! Media types as the real node host names them: by content for the formats it recognises by
//! their first bytes, else by extension (its table), else by a look at whether the bytes read
//! as text.

/// The extension table (`MIME_BY_EXT`): for an extension several types share, the first wins,
/// then the table's own overrides.
fn by_extension(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "avif" => "image/avif",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "bmp" => "image/bmp",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "aiff" | "aif" | "aifc" => "audio/aiff",
        "ogg" | "oga" => "audio/ogg",
        "mp3" | "m2a" => "audio/mpeg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "aac" => "audio/aac",
        "amr" => "audio/amr",
        "opus" => "audio/opus",
        "webm" => "video/webm",
        "m4a" => "audio/x-m4a",
        "m4b" => "audio/mp4",
        "caf" => "audio/x-caf",
        "avi" => "video/x-msvideo",
        "m4v" => "video/x-m4v",
        "mp4" => "video/mp4",
        "mkv" => "video/x-matroska",
        "flv" => "video/x-flv",
        "wmv" => "video/x-ms-wmv",
        "mov" => "video/quicktime",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "tar" => "application/x-tar",
        "7z" => "application/x-7z-compressed",
        "rar" => "application/vnd.rar",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        "ppt" => "application/vnd.ms-powerpoint",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "csv" => "text/csv",
        "txt" | "cfg" | "conf" | "env" | "ini" | "log" => "text/plain",
        "md" => "text/markdown",
        "html" | "htm" => "text/html",
        "xml" => "text/xml",
        "css" => "text/css",
        "js" => "text/javascript",
        "tsv" => "text/tab-separated-values",
        _ => return None,
    })
}

/// `path.extname` of the last name, lowercased, without its dot: none for `.env` or `Makefile`.
fn extension(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let dot = base.rfind('.')?;
    if dot == 0 || dot + 1 == base.len() {
        return None;
    }
    Some(base[dot + 1..].to_ascii_lowercase())
}

/// `dir.list`'s type for a file: by extension, else `application/octet-stream`.
pub fn from_name(name: &str) -> &'static str {
    extension(name)
        .and_then(|ext| by_extension(&ext))
        .unwrap_or("application/octet-stream")
}

/// `file.fetch`'s type: the content's signature, else the extension, else text or binary.
pub fn detect(name: &str, content: &[u8]) -> &'static str {
    let by_name = extension(name).and_then(|ext| by_extension(&ext));
    match (sniff(content), by_name) {
        // A generic container defers to a more specific extension.
        (Some("application/zip"), Some(specific)) => specific,
        (Some(found), _) => found,
        (None, Some(named)) => named,
        (None, None) if looks_like_text(content) => "text/plain",
        (None, None) => "application/octet-stream",
    }
}

fn sniff(b: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| b.starts_with(sig);
    // A PNG is known by its signature and the header chunk that must follow it.
    Some(
        if starts(b"\x89PNG\r\n\x1a\n") && b.get(12..16) == Some(b"IHDR") {
            "image/png"
        } else if starts(b"\xff\xd8\xff") {
            "image/jpeg"
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            "image/gif"
        } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            "image/webp"
        } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WAVE" {
            "audio/wav"
        } else if starts(b"%PDF") {
            "application/pdf"
        } else if starts(b"PK\x03\x04") {
            "application/zip"
        } else if starts(b"\x1f\x8b") {
            "application/gzip"
        } else if starts(b"BM") && b.len() >= 14 {
            "image/bmp"
        } else if starts(b"fLaC") {
            "audio/flac"
        } else if starts(b"OggS") {
            "audio/ogg"
        } else if starts(b"7z\xbc\xaf\x27\x1c") {
            "application/x-7z-compressed"
        } else {
            return None;
        },
    )
}

/// Text when the first 8 KiB hold no NUL, are valid UTF-8 (a character cut at the end is
/// fine), and have control bytes (other than tab, newline, return) in under 1% of them.
fn looks_like_text(content: &[u8]) -> bool {
    let sample = &content[..content.len().min(8192)];
    if sample.is_empty() {
        return true;
    }
    if sample.contains(&0) {
        return false;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => {}
        Err(e) if e.error_len().is_none() && content.len() > sample.len() => {}
        Err(_) => return false,
    }
    let control = sample
        .iter()
        .filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
        .count();
    (control as f64) < sample.len() as f64 * 0.01
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_content_then_extension_then_text() {
        assert_eq!(detect("a.txt", b"hello\n"), "text/plain");
        assert_eq!(detect("train.py", b"print(1)\n"), "text/plain");
        assert_eq!(
            detect("bin", &[0, 1, 2, 3, 0xff]),
            "application/octet-stream"
        );
        assert_eq!(
            detect("img.dat", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR...."),
            "image/png"
        );
        assert_eq!(
            detect("cut.dat", b"\x89PNG\r\n\x1a\n0000"),
            "application/octet-stream"
        );
        assert_eq!(detect("empty", b""), "text/plain");
        assert_eq!(
            detect("x.docx", b"PK\x03\x04rest"),
            by_extension("docx").unwrap()
        );
        assert_eq!(from_name(".env"), "application/octet-stream");
        assert_eq!(from_name("foo.env"), "text/plain");
        assert_eq!(from_name("pic.PNG"), "image/png");
        assert_eq!(from_name("Makefile"), "application/octet-stream");
        assert_eq!(from_name("clip.webm"), "video/webm");
    }
}
