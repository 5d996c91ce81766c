//! The `browser-automation` capability: the automation browser of `openclaw_browser`, which
//! browser control routes drive; never the canvas's Chromium.

use std::sync::Arc;
use std::time::Duration;

use openclaw_protocol::errors::ErrorCode;

use openclaw_browser::{self as nb, AutomationBrowser};
use wasmtime::component::{HasSelf, Linker};

use super::{Capability, CapabilityStates};
use crate::bindings::openclaw::plugin::browser_automation::{
    self, AutomationStatus, ConsoleEntry, Dialog, DialogState, Download, PageError, PageLog,
    RequestEntry, SystemReport, Tab, UploadFile,
};
use crate::bindings::{host_failure, Failure};
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "browser-automation",
    interface: "openclaw:plugin/browser-automation",
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    browser_automation::add_to_linker::<_, HasSelf<Automation>>(
        linker,
        CallState::capability::<Automation>,
    )
}

pub struct Automation {
    browser: Option<Arc<AutomationBrowser>>,
}

impl CapabilityState for Automation {
    fn slot(states: &mut CapabilityStates) -> &mut Option<Automation> {
        &mut states.browser_automation
    }

    fn new(caller: &Caller) -> Automation {
        Automation {
            browser: caller.services.automation.clone(),
        }
    }
}

impl Automation {
    fn browser(&self) -> Result<&AutomationBrowser, Failure> {
        self.browser.as_deref().ok_or_else(|| {
            host_failure(
                ErrorCode::Unavailable,
                "this node has no automation browser",
            )
        })
    }
}

fn failure(e: nb::BrowserError) -> Failure {
    host_failure(e.code, e.message)
}

fn tab(t: nb::Tab) -> Tab {
    Tab {
        target_id: t.target_id,
        title: t.title,
        url: t.url,
        tab_id: t.alias.tab_id,
        label: t.alias.label,
    }
}

impl browser_automation::Host for Automation {
    async fn status(&mut self) -> AutomationStatus {
        let text = |p: Option<std::path::PathBuf>| p.map(|p| p.to_string_lossy().into_owned());
        let Ok(browser) = self.browser() else {
            return AutomationStatus {
                running: false,
                pid: None,
                headless: true,
                headless_source: "default".into(),
                executable_path: None,
                detected_browser: None,
                detected_executable_path: None,
                detect_error: Some("this node has no automation browser".into()),
                chosen_browser: None,
                no_sandbox: false,
                user_data_dir: None,
            };
        };
        let s = browser.status().await;
        let (detected_browser, detected_executable_path, detect_error) = match s.detected {
            Ok((kind, path)) => (Some(kind.to_string()), text(Some(path)), None),
            Err(why) => (None, None, Some(why)),
        };
        AutomationStatus {
            running: s.running,
            pid: s.pid,
            headless: s.headless,
            headless_source: s.headless_source.into(),
            executable_path: text(s.executable_path),
            detected_browser,
            detected_executable_path,
            detect_error,
            chosen_browser: s.chosen.map(String::from),
            no_sandbox: s.no_sandbox,
            user_data_dir: text(s.user_data_dir),
        }
    }

    async fn start(&mut self, headless: Option<bool>) -> Result<(), Failure> {
        self.browser()?.start(headless).await.map_err(failure)
    }

    async fn stop(&mut self) -> bool {
        match self.browser() {
            Ok(browser) => browser.stop().await,
            Err(_) => false,
        }
    }

    async fn tabs(&mut self) -> Result<Option<Vec<Tab>>, Failure> {
        let tabs = self.browser()?.tabs().await.map_err(failure)?;
        Ok(tabs.map(|tabs| tabs.into_iter().map(tab).collect()))
    }

    async fn open_tab(&mut self, url: String, label: Option<String>) -> Result<Tab, Failure> {
        self.browser()?
            .open(&url, label.as_deref())
            .await
            .map(tab)
            .map_err(failure)
    }

    async fn label_tab(&mut self, target_id: String, label: String) -> Result<Tab, Failure> {
        self.browser()?
            .label(&target_id, &label)
            .await
            .map(tab)
            .map_err(failure)
    }

    async fn focus_tab(&mut self, target_id: String) -> Result<(), Failure> {
        self.browser()?.activate(&target_id).await.map_err(failure)
    }

    async fn close_tab(&mut self, target_id: String) -> Result<(), Failure> {
        self.browser()?.close(&target_id).await.map_err(failure)
    }

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

    async fn current_tab(&mut self) -> Option<String> {
        self.browser().ok()?.current_tab()
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

    async fn arm_download(
        &mut self,
        target_id: String,
        file_name: Option<String>,
    ) -> Result<u64, Failure> {
        self.browser()?
            .arm_download(&target_id, file_name)
            .await
            .map_err(failure)
    }

    async fn await_download(&mut self, waiter: u64, timeout_ms: u32) -> Result<Download, Failure> {
        let timeout = Duration::from_millis(u64::from(timeout_ms).min(MAX_WAIT_MS));
        self.browser()?
            .await_download(waiter, timeout)
            .await
            .map(download)
            .map_err(failure)
    }

    async fn watch_downloads(&mut self, target_id: String) -> Result<u64, Failure> {
        self.browser()?
            .watch_downloads(&target_id)
            .await
            .map_err(failure)
    }

    async fn collect_downloads(&mut self, watch: u64, expected: bool) -> Vec<Download> {
        match self.browser() {
            Ok(browser) => browser.collect_downloads(watch, expected).await,
            Err(_) => Vec::new(),
        }
        .into_iter()
        .map(download)
        .collect()
    }

    async fn set_input_files(
        &mut self,
        target_id: String,
        object_id: String,
        paths: Vec<String>,
    ) -> Result<(), Failure> {
        self.browser()?
            .set_input_files(&target_id, &object_id, &paths)
            .await
            .map_err(failure)
    }

    async fn arm_file_chooser(
        &mut self,
        target_id: String,
        paths: Vec<String>,
        ttl_ms: u32,
    ) -> Result<u64, Failure> {
        let ttl = Duration::from_millis(u64::from(ttl_ms).min(MAX_WAIT_MS));
        self.browser()?
            .arm_file_chooser(&target_id, paths, ttl)
            .await
            .map_err(failure)
    }

    async fn await_file_chooser(&mut self, arm: u64, timeout_ms: u32) -> Result<(), Failure> {
        let timeout = Duration::from_millis(u64::from(timeout_ms).min(MAX_WAIT_MS));
        self.browser()?
            .await_file_chooser(arm, timeout)
            .await
            .map_err(failure)
    }

    async fn stage_upload(&mut self, files: Vec<UploadFile>) -> Result<Vec<String>, Failure> {
        let browser = self.browser()?;
        let files: Vec<(&str, &[u8])> = files
            .iter()
            .map(|f| (f.name.as_str(), f.content.as_slice()))
            .collect();
        let paths = browser.stage_upload(&files).map_err(failure)?;
        Ok(paths
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect())
    }

    async fn system_info(&mut self) -> Result<SystemReport, Failure> {
        let (info, observed_at_ms) = self.browser()?.system_info().await.map_err(failure)?;
        Ok(SystemReport {
            info_json: info.to_string(),
            observed_at_ms,
        })
    }

    async fn discard_upload(&mut self, path: String) -> Result<(), Failure> {
        self.browser()?
            .discard_upload(std::path::Path::new(&path))
            .map_err(failure)
    }
}

/// The longest a plugin may wait for a download or a file chooser, as the real service's
/// longest timeout.
const MAX_WAIT_MS: u64 = 120_000;

fn download(d: nb::Download) -> Download {
    Download {
        url: d.url,
        suggested_filename: d.suggested_filename,
        path: d.path.to_string_lossy().into_owned(),
        size: d.size,
        content: d.content,
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
