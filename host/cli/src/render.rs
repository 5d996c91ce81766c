//! Human output in the real CLI's style: boxed tables, relative ages.

use comfy_table::{ContentArrangement, Table};
use serde_json::Value;

/// Box lines as the real CLI draws them: a rule under the header only.
const BOXED: &str = "││──├─┼┤│    ┬┴┌┐└┘";

pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_preset(BOXED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.to_vec());
    t.set_width(width());
    for row in rows {
        t.add_row(row);
    }
    t.to_string()
}

/// `COLUMNS` when set, else 120 (output is often piped, where no terminal has a width).
fn width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(120)
}

/// "just now", "5m ago", "3h ago", "2d ago".
pub fn age(ms: Option<u64>) -> String {
    let Some(ms) = ms else { return String::new() };
    let secs = openclaw_protocol::now_ms().saturating_sub(ms) / 1000;
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

pub fn s(v: &Value) -> String {
    v.as_str().map(String::from).unwrap_or_default()
}

pub fn list(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("json prints")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        let now = openclaw_protocol::now_ms();
        assert_eq!(age(Some(now)), "just now");
        assert_eq!(age(Some(now - 120_000)), "2m ago");
        assert_eq!(age(Some(now - 7_200_000)), "2h ago");
        assert_eq!(age(None), "");
    }
}
