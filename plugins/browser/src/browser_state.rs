//! `browserState`: the dialogs a tab has shown, as routes report them once the tab has shown
//! one, and the answer a route gives while a dialog blocks the page.

use openclaw_plugin_sdk::browser_page;
use openclaw_plugin_sdk::browser_page::Dialog;
use serde_json::{json, Map, Value};

fn dialog_json(d: &Dialog) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(d.id));
    out.insert("type".into(), json!(d.kind));
    out.insert("message".into(), json!(d.message));
    if let Some(value) = &d.default_value {
        out.insert("defaultValue".into(), json!(value));
    }
    out.insert("openedAt".into(), json!(iso_time(d.opened_at_ms)));
    if let Some(closed) = d.closed_at_ms {
        out.insert("closedAt".into(), json!(iso_time(closed)));
    }
    if let Some(by) = &d.closed_by {
        out.insert("closedBy".into(), json!(by));
    }
    Value::Object(out)
}

/// The tab's dialogs, once it has shown any, and whether one blocks it now.
pub struct State {
    pub value: Option<Value>,
    pub blocked: bool,
}

pub fn of(target_id: &str) -> State {
    let Ok(dialogs) = browser_page::dialogs(target_id) else {
        return State {
            value: None,
            blocked: false,
        };
    };
    let value = dialogs.seen.then(|| {
        json!({"dialogs": {
            "pending": dialogs.pending.iter().map(dialog_json).collect::<Vec<_>>(),
            "recent": dialogs.recent.iter().map(dialog_json).collect::<Vec<_>>(),
        }})
    });
    State {
        value,
        blocked: !dialogs.pending.is_empty(),
    }
}

/// Milliseconds since the epoch as `2026-11-29T21:32:39.303Z`.
pub fn iso_time(ms: f64) -> String {
    let total_ms = ms.max(0.0) as i64;
    let (days, rest) = (
        total_ms.div_euclid(86_400_000),
        total_ms.rem_euclid(86_400_000),
    );
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_iso() {
        assert_eq!(iso_time(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_796_074_359_303.0), "2026-11-30T21:32:39.303Z");
        assert_eq!(iso_time(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
    }
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}
