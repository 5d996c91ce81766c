//! The downloads an `/act` starts: watched from before the action, collected after it, and
//! attached to its answer as `downloads`.

use openclaw_plugin_sdk::browser_downloads::{self, Download};
use serde_json::{json, Value};

use super::normalize::Action;
use super::{call_on, find_element};
use crate::files;
use crate::page::Page;
use crate::target::Target;

/// A download as the answers describe it.
pub fn described(d: &Download) -> Value {
    json!({"url": d.url, "suggestedFilename": d.suggested_filename, "path": d.path})
}

/// Starts collecting what an action downloads; the real does so for every action that may
/// load something (not `close`, `resize`, nor a `wait` without a function).
pub fn watch(tab: &Target, action: &Action) -> Option<u64> {
    let loads = match action {
        Action::Close | Action::Resize { .. } => false,
        Action::Wait(wait) => wait.function.is_some(),
        _ => true,
    };
    loads
        .then(|| browser_downloads::watch_downloads(&tab.target_id).ok())
        .flatten()
}

/// Whether the action clicks a download link, whose download may take a while to begin.
pub fn expected(page: &Page, action: &Action) -> bool {
    let Action::Click { element, .. } = action else {
        return false;
    };
    let found = match find_element(page, element) {
        Ok(found) => found,
        Err(_) => return false,
    };
    call_on(
        page,
        &found,
        "function() { return !!this.closest('a[download]'); }",
    )
    .is_ok_and(|v| v == json!(true))
}

/// What the watched action downloaded, attached to the answer, as `downloads`.
pub fn collect(watch: Option<u64>, expected: bool) -> Option<Value> {
    let downloads = browser_downloads::collect_downloads(watch?, expected);
    if downloads.is_empty() {
        return None;
    }
    for d in &downloads {
        files::attach_download(d);
    }
    Some(Value::Array(downloads.iter().map(described).collect()))
}
