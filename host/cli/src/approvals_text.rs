//! How `approvals pending` and `approvals resolve` show approvals on a terminal, as the real
//! CLI does: the table, ids a terminal cannot garble, escaped text, summaries cut by UTF-16
//! length, and ages.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::approvals_pending::PendingEntry;
use crate::safe_table::{self, Column};

const SUMMARY_MAX: usize = 96;
const ID_TOKEN_PREFIX: &str = "id64_";

/// The text `approvals pending` prints: the table, then every full id and request.
pub fn render_pending(entries: &[PendingEntry], now_ms: f64, width: usize) -> String {
    if entries.is_empty() {
        return "No pending approvals.\n".into();
    }
    let col = |header, min_width, flex| Column {
        header,
        min_width,
        flex,
    };
    let columns = [
        col("ID", 16, true),
        col("Kind", 12, false),
        col("Agent / Session", 16, true),
        col("Requested", 12, false),
        col("Expires In", 10, false),
        col("Command / Summary", 20, true),
    ];
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let who: Vec<&str> = [&e.agent_id, &e.session_key]
                .into_iter()
                .filter_map(|v| v.as_deref())
                .collect();
            let expires = e.expires_at_ms.as_f64().unwrap_or(0.0);
            vec![
                display_id(&e.id),
                e.kind.to_string(),
                if who.is_empty() {
                    "-".into()
                } else {
                    escape(&who.join(" / "))
                },
                time_ago((now_ms - e.created()).max(0.0), true),
                time_ago((expires - now_ms).max(0.0), false),
                shorten(&escape(&e.summary)),
            ]
        })
        .collect();
    let mut out = format!("Pending approvals ({})\n", entries.len());
    out.push_str(&safe_table::render(&columns, &rows, width));
    out.push_str("\nFull request text\n");
    for e in entries {
        out.push_str(&format!("{}: {}\n", display_id(&e.id), escape(&e.summary)));
    }
    out
}

/// An id as the terminal shows it: as it is when it is plain, else `id64_` and its UTF-16LE
/// bytes in unpadded base64url, so no terminal trick hides or forges a part of it.
pub fn display_id(id: &str) -> String {
    let mut chars = id.chars();
    let plain_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':');
    let plain = id.chars().count() <= 128
        && chars.next().is_some_and(plain_char)
        && chars.all(|c| plain_char(c) || c == '-');
    if plain {
        return id.to_string();
    }
    let bytes: Vec<u8> = id.encode_utf16().flat_map(u16::to_le_bytes).collect();
    format!("{ID_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The id an `id64_` token stands for: `None` when it is no token, `Err` when it decodes to
/// text that is not valid Unicode (no approval can have that id).
pub fn decode_id_token(token: &str) -> Option<Result<String, ()>> {
    let encoded = token.strip_prefix(ID_TOKEN_PREFIX)?;
    if encoded.is_empty()
        || !encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    Some(String::from_utf16(&units).map_err(|_| ()))
}

/// Backslashes doubled and invisible or look-alike characters shown as `\u{HEX}`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if unsafe_for_terminal(c) {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Controls, format characters, line and paragraph separators, and the unusual spaces.
fn unsafe_for_terminal(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || matches!(u, 0x2028 | 0x2029)
        || matches!(
            u,
            0xA0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000
        )
        || matches!(u, 0x115F | 0x1160 | 0x3164 | 0xFFA0)
        || is_format(u)
}

/// Unicode general category Cf.
fn is_format(u: u32) -> bool {
    matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// A summary cut to 96 UTF-16 units: 93 and `...`.
pub fn shorten(text: &str) -> String {
    if utf16_len(text) <= SUMMARY_MAX {
        return text.to_string();
    }
    format!("{}...", truncate_utf16(text, SUMMARY_MAX - 3))
}

pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// The longest prefix of at most `limit` UTF-16 units that does not split a character.
pub fn truncate_utf16(text: &str, limit: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= limit
        })
        .collect()
}

/// "just now", "5m ago", "3h ago", "2d ago"; without the suffix "45s", "5m", "3h", "2d".
pub fn time_ago(ms: f64, suffix: bool) -> String {
    let round = |x: f64| (x + 0.5).floor();
    let seconds = round(ms / 1000.0);
    let minutes = round(seconds / 60.0);
    if minutes < 1.0 {
        return if suffix {
            "just now".into()
        } else {
            format!("{seconds}s")
        };
    }
    let (n, unit) = if minutes < 60.0 {
        (minutes, "m")
    } else {
        let hours = round(minutes / 60.0);
        if hours < 48.0 {
            (hours, "h")
        } else {
            (round(hours / 24.0), "d")
        }
    };
    if suffix {
        format!("{n}{unit} ago")
    } else {
        format!("{n}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str, created: u64, summary: &str) -> PendingEntry {
        PendingEntry {
            id: id.into(),
            kind: "exec",
            agent_id: Some("main".into()),
            session_key: Some("agent:main:main".into()),
            created_at_ms: json!(created),
            expires_at_ms: json!(created + 600_000),
            summary: summary.into(),
        }
    }

    #[test]
    fn nothing_pending() {
        assert_eq!(render_pending(&[], 0.0, 120), "No pending approvals.\n");
    }
    #[test]
    fn renders_the_table_and_the_full_text_as_the_real_cli() {
        // Captured from the real CLI (2026.9.6) at 120 columns.
        let now = 1_000_000_000.0;
        let entries = [entry("appr-test-1", 1_000_000_000, "uname -a")];
        let expected = "\
Pending approvals (1)
┌──────────────────────┬────────────┬──────────────────────────────┬────────────┬────────────┬─────────────────────────┐
│ ID                   │ Kind       │ Agent / Session              │ Requested  │ Expires In │ Command / Summary       │
├──────────────────────┼────────────┼──────────────────────────────┼────────────┼────────────┼─────────────────────────┤
│ appr-test-1          │ exec       │ main / agent:main:main       │ just now   │ 10m        │ uname -a                │
└──────────────────────┴────────────┴──────────────────────────────┴────────────┴────────────┴─────────────────────────┘
Full request text
appr-test-1: uname -a
";
        assert_eq!(render_pending(&entries, now, 120), expected);
    }
    #[test]
    fn long_summaries_are_cut_in_the_table_only() {
        let long = format!("{} ./x", "x".repeat(120));
        let out = render_pending(&[entry("a-1", 0, &long)], 0.0, 120);
        let cut = format!("{}...", "x".repeat(93));
        let table_text: String = out
            .lines()
            .filter(|l| l.starts_with('│'))
            .skip(1)
            .map(|l| l.rsplit('│').nth(1).unwrap().trim().to_string())
            .collect();
        assert_eq!(table_text, cut);
        assert!(out.ends_with(&format!("a-1: {long}\n")));
        assert_eq!(shorten(&"y".repeat(96)), "y".repeat(96));
        assert_eq!(shorten(&"y".repeat(97)), format!("{}...", "y".repeat(93)));
        // A character outside the BMP is never split.
        let emoji = format!("{}😀😀😀", "z".repeat(92));
        assert_eq!(shorten(&emoji), format!("{}...", "z".repeat(92)));
    }
    #[test]
    fn odd_ids_show_as_id64_tokens_and_decode_back() {
        assert_eq!(display_id("appr-test-1"), "appr-test-1");
        assert_eq!(
            display_id("7c1e0a4e-5d0b-4f4e-9a39-2b0b1d3c9f00"),
            "7c1e0a4e-5d0b-4f4e-9a39-2b0b1d3c9f00"
        );
        // Observed from the real CLI for the id "-lead".
        assert_eq!(display_id("-lead"), "id64_LQBsAGUAYQBkAA");
        assert_eq!(
            decode_id_token("id64_LQBsAGUAYQBkAA"),
            Some(Ok("-lead".into()))
        );
        assert_eq!(
            display_id("a b"),
            format!(
                "id64_{}",
                URL_SAFE_NO_PAD.encode([b'a', 0, b' ', 0, b'b', 0])
            )
        );
        assert!(display_id(&"a".repeat(129)).starts_with("id64_"));
        assert_eq!(decode_id_token("appr-1"), None);
        assert_eq!(decode_id_token("id64_"), None);
        assert_eq!(decode_id_token("id64_LQBsAGUAYQBkAB"), None);
        for id in ["é/ü", "x y", "-", "😀"] {
            assert_eq!(decode_id_token(&display_id(id)), Some(Ok(id.to_string())));
        }
    }
    #[test]
    fn escapes_what_a_terminal_would_hide() {
        assert_eq!(escape("a\\b"), "a\\\\b");
        assert_eq!(escape("x\ny\u{1b}[31m"), "x\\u{A}y\\u{1B}[31m");
        assert_eq!(escape("rm\u{202E}txt"), "rm\\u{202E}txt");
        assert_eq!(escape("a\u{A0}b é"), "a\\u{A0}b é");
    }
    #[test]
    fn ages_round_as_the_real_cli() {
        assert_eq!(time_ago(0.0, true), "just now");
        assert_eq!(time_ago(29_000.0, false), "29s");
        assert_eq!(time_ago(30_000.0, false), "1m");
        assert_eq!(time_ago(599_000.0, false), "10m");
        assert_eq!(time_ago(90.0 * 60_000.0, true), "2h ago");
        assert_eq!(time_ago(47.0 * 3_600_000.0, true), "47h ago");
        assert_eq!(time_ago(60.0 * 3_600_000.0, false), "3d");
    }
}
