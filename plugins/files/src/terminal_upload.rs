//! `terminal.upload`, as the real node host checks it (`stageTerminalUpload`): both params
//! strings, the content canonical padded base64 of at most 16 MiB, the name made portable.
//! Where and how long the file stays is the host's `uploads` capability's business.

use base64::Engine as _;
use openclaw_plugin_sdk::{uploads, Call, Failure};
use serde::Serialize;
use serde_json::Value;

use crate::thrown;

const MAX_BYTES: u64 = 16_777_216;
/// The base64 length of 16 MiB.
const MAX_BASE64_LEN: usize = 22_369_624;
const MAX_NAME_BYTES: usize = 180;

#[derive(Serialize)]
pub struct Uploaded {
    path: String,
    size: u64,
}

pub fn upload(_call: &Call, params: Value) -> Result<Uploaded, Failure> {
    let (Some(Value::String(name)), Some(Value::String(content))) =
        (params.get("name"), params.get("contentBase64"))
    else {
        return Err(thrown(
            "INVALID_REQUEST: terminal upload name and content are required",
        ));
    };
    if content.len() > MAX_BASE64_LEN || decoded_size(content) > MAX_BYTES {
        return Err(thrown(format!("terminal upload exceeds {MAX_BYTES} bytes")));
    }
    // The standard engine refuses missing or stray padding and non-zero unused bits.
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content)
        .map_err(|_| thrown("invalid terminal upload encoding"))?;
    let staged = uploads::stage(&portable_name(name), &bytes).map_err(|f| thrown(f.message))?;
    Ok(Uploaded {
        path: staged.path,
        size: staged.size,
    })
}

/// What the base64 text would decode to, counted from its length and padding.
fn decoded_size(content: &str) -> u64 {
    let padding = if content.ends_with("==") {
        2
    } else if content.ends_with('=') {
        1
    } else {
        0
    };
    ((content.len() / 4 * 3) as u64).saturating_sub(padding)
}

/// The name the file is staged under, made as the real node host makes it: its last path
/// part, characters that are unsafe on some system replaced by `_`, no trailing dots or
/// spaces, Windows device names prefixed with `_`, at most 180 UTF-8 bytes, and `upload` when
/// nothing is left.
pub fn portable_name(name: &str) -> String {
    let unified = name.replace('\\', "/");
    let base = unified
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let replaced: String = base
        .chars()
        .map(|c| if is_unportable(c) { '_' } else { c })
        .collect();
    let cleaned = strip_trailing_dots_and_spaces(js_trim(&replaced));
    let portable = prefix_reserved(cleaned);
    let chosen = if portable.is_empty() || portable == "." || portable == ".." {
        "upload"
    } else {
        &portable
    };
    let truncated = strip_trailing_dots_and_spaces(truncate_utf8(chosen, MAX_NAME_BYTES));
    let result = prefix_reserved(truncated);
    if result.is_empty() {
        "upload".into()
    } else {
        result
    }
}

fn is_unportable(c: char) -> bool {
    matches!(
        c,
        '\u{0}'
            ..='\u{1f}'
                | '\u{7f}'
                | '<'
                | '>'
                | ':'
                | '"'
                | '/'
                | '\\'
                | '|'
                | '?'
                | '*'
                | '%'
                | '!'
    )
}

/// JavaScript's `String.prototype.trim`: its whitespace set, which differs from Rust's (it
/// has U+FEFF, not U+0085).
fn js_trim(s: &str) -> &str {
    let js_space = |c: char| {
        matches!(c, '\u{9}'..='\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}'
            | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}')
    };
    s.trim_matches(js_space)
}

fn strip_trailing_dots_and_spaces(s: &str) -> &str {
    s.trim_end_matches(['.', ' '])
}

/// `CON`, `nul.txt`, `COM1` and the like get a `_` in front.
fn prefix_reserved(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    let numbered = |prefix: &str| {
        stem.strip_prefix(prefix).is_some_and(|n| {
            let mut chars = n.chars();
            matches!(chars.next(), Some('1'..='9' | '¹' | '²' | '³')) && chars.next().is_none()
        })
    };
    if matches!(stem, "con" | "prn" | "aux" | "nul") || numbered("com") || numbered("lpt") {
        format!("_{name}")
    } else {
        name.to_string()
    }
}

/// The longest prefix of whole characters within `max` UTF-8 bytes.
fn truncate_utf8(s: &str, max: usize) -> &str {
    let mut end = 0;
    for (at, c) in s.char_indices() {
        if at + c.len_utf8() > max {
            break;
        }
        end = at + c.len_utf8();
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_portable_as_the_real_node_host_makes_them() {
        for (given, staged) in [
            ("../evil name?.txt", "evil name_.txt"),
            ("C:\\Users\\me\\report.pdf", "report.pdf"),
            ("dir/", "dir"),
            ("", "upload"),
            ("..", "upload"),
            ("...", "upload"),
            ("a<b>c:d\"e|f*g%h!i", "a_b_c_d_e_f_g_h_i"),
            ("tab\there", "tab_here"),
            ("  spaced . ", "spaced"),
            ("\u{feff}bom", "bom"),
            ("\u{85}nel", "\u{85}nel"),
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("com1", "_com1"),
            ("COM¹.log", "_COM¹.log"),
            ("com10", "com10"),
            ("console", "console"),
        ] {
            assert_eq!(portable_name(given), staged, "{given:?}");
        }
    }

    #[test]
    fn long_names_are_cut_at_180_bytes_on_a_character_boundary() {
        let long = "é".repeat(100); // 200 bytes
        let cut = portable_name(&long);
        assert_eq!(cut.len(), 180);
        assert_eq!(cut, "é".repeat(90));
        // A cut that ends in dots or spaces loses them.
        let name = format!("{}. x", "a".repeat(179));
        assert_eq!(portable_name(&name), "a".repeat(179));
    }

    #[test]
    fn sizes_are_counted_from_length_and_padding() {
        assert_eq!(decoded_size("aGVsbG8="), 5);
        assert_eq!(decoded_size("aGVsbA=="), 4);
        assert_eq!(decoded_size(""), 0);
        assert_eq!(decoded_size(&"A".repeat(MAX_BASE64_LEN)), MAX_BYTES + 2);
    }
}
