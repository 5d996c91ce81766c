//! What a tab's page does and shows (the `browser-automation` capability, interface
//! `browser-page`): DevTools commands, logs, dialogs, notes kept with the tab, and media saved
//! from it. The functions that can fail answer the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::browser_page as raw;
use crate::Failure;

pub use raw::{note, ConsoleEntry, Dialog, DialogState, PageError, PageLog, RequestEntry};

/// Sends one DevTools command (`method`, with `params_json`) to the tab's page and answers the
/// reply's `result` as JSON text. The host allows page commands only.
pub fn send(
    target_id: &str,
    method: &str,
    params_json: &str,
    timeout_ms: u32,
) -> Result<String, Failure> {
    Ok(raw::send(target_id, method, params_json, timeout_ms)?)
}

/// What the tab logged since the node first saw it, oldest first; the errors or requests are
/// then forgotten when asked.
pub fn logs(target_id: &str, clear_errors: bool, clear_requests: bool) -> Result<PageLog, Failure> {
    Ok(raw::logs(target_id, clear_errors, clear_requests)?)
}

/// The tab's open dialogs, and the last ones closed.
pub fn dialogs(target_id: &str) -> Result<DialogState, Failure> {
    Ok(raw::dialogs(target_id)?)
}

/// Answers an open dialog now: `dialog_id`, or the only one open.
pub fn answer_dialog(
    target_id: &str,
    dialog_id: Option<&str>,
    accept: bool,
    prompt_text: Option<&str>,
) -> Result<(), Failure> {
    Ok(raw::answer_dialog(
        target_id,
        dialog_id,
        accept,
        prompt_text,
    )?)
}

/// Arms a one-time answer for the tab's next dialog, good for `ttl_ms`.
pub fn arm_dialog(
    target_id: &str,
    accept: bool,
    prompt_text: Option<&str>,
    ttl_ms: u32,
) -> Result<(), Failure> {
    Ok(raw::arm_dialog(target_id, accept, prompt_text, ttl_ms)?)
}

/// Keeps a note with a tab until it closes or the browser stops (at most 16 notes of 4 MiB
/// each); [`note`] reads it back.
pub fn keep_note(target_id: &str, key: &str, value: &str) -> Result<(), Failure> {
    Ok(raw::keep_note(target_id, key, value)?)
}

/// Saves a file the browser made (a screenshot, a PDF) with the node's browser media, named by
/// a fresh id and `extension`; answers its path.
pub fn save_media(extension: &str, bytes: &[u8]) -> Result<String, Failure> {
    Ok(raw::save_media(extension, bytes)?)
}
