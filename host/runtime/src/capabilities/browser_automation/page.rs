//! What a tab's page does and shows (`browser-page`): DevTools commands, logs, dialogs,
//! notes and media.

use std::time::Duration;

use openclaw_browser as nb;
use openclaw_protocol::errors::ErrorCode;

use super::{failure, Automation};
use crate::bindings::openclaw::plugin::browser_page::{
    self, ConsoleEntry, Dialog, DialogState, PageError, PageLog, RequestEntry,
};
use crate::bindings::{host_failure, Failure};

impl browser_page::Host for Automation {
    async fn send(
        &mut self,
        target_id: String,
        method: String,
        params_json: String,
        timeout_ms: u32,
    ) -> Result<String, Failure> {
        let params: serde_json::Value = serde_json::from_str(&params_json).map_err(|e| {
            host_failure(
                ErrorCode::InvalidRequest,
                format!("params are not JSON: {e}"),
            )
        })?;
        let timeout = Duration::from_millis(u64::from(timeout_ms).min(MAX_SEND_MS));
        let reply = self
            .browser()?
            .send(&target_id, &method, params, timeout)
            .await
            .map_err(failure)?;
        Ok(reply.to_string())
    }

    async fn logs(
        &mut self,
        target_id: String,
        clear_errors: bool,
        clear_requests: bool,
    ) -> Result<PageLog, Failure> {
        let log = self
            .browser()?
            .page_log(&target_id, clear_errors, clear_requests)
            .await
            .map_err(failure)?;
        Ok(PageLog {
            console: log.console.into_iter().map(console_entry).collect(),
            errors: log.errors.into_iter().map(page_error).collect(),
            requests: log.requests.into_iter().map(request_entry).collect(),
        })
    }

    async fn dialogs(&mut self, target_id: String) -> Result<DialogState, Failure> {
        let d = self.browser()?.dialogs(&target_id).await.map_err(failure)?;
        Ok(DialogState {
            seen: d.seen(),
            pending: d.pending.into_iter().map(dialog).collect(),
            recent: d.recent.into_iter().map(dialog).collect(),
        })
    }

    async fn answer_dialog(
        &mut self,
        target_id: String,
        dialog_id: Option<String>,
        accept: bool,
        prompt_text: Option<String>,
    ) -> Result<(), Failure> {
        let answer = nb::dialogs::Answer {
            accept,
            prompt_text,
        };
        self.browser()?
            .answer_dialog(&target_id, dialog_id.as_deref(), answer)
            .await
            .map_err(failure)
    }

    async fn arm_dialog(
        &mut self,
        target_id: String,
        accept: bool,
        prompt_text: Option<String>,
        ttl_ms: u32,
    ) -> Result<(), Failure> {
        let answer = nb::dialogs::Answer {
            accept,
            prompt_text,
        };
        let ttl = Duration::from_millis(u64::from(ttl_ms));
        self.browser()?
            .arm_dialog(&target_id, answer, ttl)
            .await
            .map_err(failure)
    }

    async fn keep_note(
        &mut self,
        target_id: String,
        key: String,
        value: String,
    ) -> Result<(), Failure> {
        self.browser()?
            .keep_note(&target_id, &key, value)
            .await
            .map_err(failure)
    }

    async fn note(&mut self, target_id: String, key: String) -> Option<String> {
        self.browser().ok()?.note(&target_id, &key)
    }

    async fn save_media(&mut self, extension: String, bytes: Vec<u8>) -> Result<String, Failure> {
        let path = self
            .browser()?
            .save_media(&extension, &bytes)
            .map_err(failure)?;
        Ok(path.to_string_lossy().into_owned())
    }
}

/// The longest a single DevTools command may take.
const MAX_SEND_MS: u64 = 120_000;

fn dialog(d: nb::dialogs::Dialog) -> Dialog {
    Dialog {
        id: d.id,
        kind: d.kind,
        message: d.message,
        default_value: d.default_value,
        opened_at_ms: d.opened_at_ms,
        closed_at_ms: d.closed_at_ms,
        closed_by: d.closed_by,
    }
}

fn console_entry(e: nb::page_log::ConsoleEntry) -> ConsoleEntry {
    ConsoleEntry {
        kind: e.kind,
        text: e.text,
        timestamp_ms: e.timestamp_ms,
        url: e.url,
        line: e.line,
        column: e.column,
    }
}

fn page_error(e: nb::page_log::PageErrorEntry) -> PageError {
    PageError {
        message: e.message,
        name: e.name,
        stack: e.stack,
        timestamp_ms: e.timestamp_ms,
    }
}

fn request_entry(e: nb::page_log::RequestEntry) -> RequestEntry {
    RequestEntry {
        id: e.id,
        timestamp_ms: e.timestamp_ms,
        method: e.method,
        url: e.url,
        resource_type: e.resource_type,
        status: e.status,
        ok: e.ok,
        failure: e.failure,
    }
}
