//! The `browser-automation` interface of 0.1.5 to 0.1.7: each call passed on to the interface
//! that took it over in 0.1.8. The records have the same fields on both sides; the bindings
//! make a Rust type of each, so they are moved across field by field.

use super::Automation;
use crate::bindings::openclaw::plugin::browser_automation::{
    self, AutomationStatus, ConsoleEntry, Dialog, DialogState, Download, PageError, PageLog,
    RequestEntry, SystemReport, Tab, UploadFile,
};
use crate::bindings::openclaw::plugin::{
    browser_downloads as downloads, browser_files as files, browser_page as page,
    browser_tabs as tabs,
};
use crate::bindings::Failure;

/// `From` between two records of the same fields; `lists` are lists of such records.
macro_rules! same_fields {
    ($from:ty => $to:ident { $($field:ident),* } $(lists { $($list:ident),* })?) => {
        impl From<$from> for $to {
            fn from(v: $from) -> $to {
                $to {
                    $($field: v.$field,)*
                    $($($list: v.$list.into_iter().map(Into::into).collect(),)*)?
                }
            }
        }
    };
}

same_fields!(tabs::Tab => Tab { target_id, title, url, tab_id, label });
same_fields!(tabs::AutomationStatus => AutomationStatus {
    running, pid, headless, headless_source, executable_path, detected_browser,
    detected_executable_path, detect_error, chosen_browser, no_sandbox, user_data_dir
});
same_fields!(tabs::SystemReport => SystemReport { info_json, observed_at_ms });
same_fields!(page::ConsoleEntry => ConsoleEntry { kind, text, timestamp_ms, url, line, column });
same_fields!(page::PageError => PageError { message, name, stack, timestamp_ms });
same_fields!(page::RequestEntry => RequestEntry {
    id, timestamp_ms, method, url, resource_type, status, ok, failure
});
same_fields!(page::PageLog => PageLog {} lists { console, errors, requests });
same_fields!(page::Dialog => Dialog {
    id, kind, message, default_value, opened_at_ms, closed_at_ms, closed_by
});
same_fields!(page::DialogState => DialogState { seen } lists { pending, recent });
same_fields!(downloads::Download => Download { url, suggested_filename, path, size, content });

/// The one record that goes in, not out.
impl From<UploadFile> for files::UploadFile {
    fn from(f: UploadFile) -> files::UploadFile {
        files::UploadFile {
            name: f.name,
            content: f.content,
        }
    }
}

impl browser_automation::Host for Automation {
    async fn status(&mut self) -> AutomationStatus {
        tabs::Host::status(self).await.into()
    }

    async fn start(&mut self, headless: Option<bool>) -> Result<(), Failure> {
        tabs::Host::start(self, headless).await
    }

    async fn stop(&mut self) -> bool {
        tabs::Host::stop(self).await
    }

    async fn tabs(&mut self) -> Result<Option<Vec<Tab>>, Failure> {
        Ok(tabs::Host::tabs(self)
            .await?
            .map(|tabs| tabs.into_iter().map(Into::into).collect()))
    }

    async fn open_tab(&mut self, url: String, label: Option<String>) -> Result<Tab, Failure> {
        tabs::Host::open_tab(self, url, label).await.map(Into::into)
    }

    async fn focus_tab(&mut self, target_id: String) -> Result<(), Failure> {
        tabs::Host::focus_tab(self, target_id).await
    }

    async fn close_tab(&mut self, target_id: String) -> Result<(), Failure> {
        tabs::Host::close_tab(self, target_id).await
    }

    async fn label_tab(&mut self, target_id: String, label: String) -> Result<Tab, Failure> {
        tabs::Host::label_tab(self, target_id, label)
            .await
            .map(Into::into)
    }

    async fn current_tab(&mut self) -> Option<String> {
        tabs::Host::current_tab(self).await
    }

    async fn system_info(&mut self) -> Result<SystemReport, Failure> {
        tabs::Host::system_info(self).await.map(Into::into)
    }

    async fn send(
        &mut self,
        target_id: String,
        method: String,
        params_json: String,
        timeout_ms: u32,
    ) -> Result<String, Failure> {
        page::Host::send(self, target_id, method, params_json, timeout_ms).await
    }

    async fn logs(
        &mut self,
        target_id: String,
        clear_errors: bool,
        clear_requests: bool,
    ) -> Result<PageLog, Failure> {
        page::Host::logs(self, target_id, clear_errors, clear_requests)
            .await
            .map(Into::into)
    }

    async fn dialogs(&mut self, target_id: String) -> Result<DialogState, Failure> {
        page::Host::dialogs(self, target_id).await.map(Into::into)
    }

    async fn answer_dialog(
        &mut self,
        target_id: String,
        dialog_id: Option<String>,
        accept: bool,
        prompt_text: Option<String>,
    ) -> Result<(), Failure> {
        page::Host::answer_dialog(self, target_id, dialog_id, accept, prompt_text).await
    }

    async fn arm_dialog(
        &mut self,
        target_id: String,
        accept: bool,
        prompt_text: Option<String>,
        ttl_ms: u32,
    ) -> Result<(), Failure> {
        page::Host::arm_dialog(self, target_id, accept, prompt_text, ttl_ms).await
    }

    async fn keep_note(
        &mut self,
        target_id: String,
        key: String,
        value: String,
    ) -> Result<(), Failure> {
        page::Host::keep_note(self, target_id, key, value).await
    }

    async fn note(&mut self, target_id: String, key: String) -> Option<String> {
        page::Host::note(self, target_id, key).await
    }

    async fn save_media(&mut self, extension: String, bytes: Vec<u8>) -> Result<String, Failure> {
        page::Host::save_media(self, extension, bytes).await
    }

    async fn arm_download(
        &mut self,
        target_id: String,
        file_name: Option<String>,
    ) -> Result<u64, Failure> {
        downloads::Host::arm_download(self, target_id, file_name).await
    }

    async fn await_download(&mut self, waiter: u64, timeout_ms: u32) -> Result<Download, Failure> {
        downloads::Host::await_download(self, waiter, timeout_ms)
            .await
            .map(Into::into)
    }

    async fn watch_downloads(&mut self, target_id: String) -> Result<u64, Failure> {
        downloads::Host::watch_downloads(self, target_id).await
    }

    async fn collect_downloads(&mut self, watch: u64, expected: bool) -> Vec<Download> {
        downloads::Host::collect_downloads(self, watch, expected)
            .await
            .into_iter()
            .map(Into::into)
            .collect()
    }

    async fn set_input_files(
        &mut self,
        target_id: String,
        object_id: String,
        paths: Vec<String>,
    ) -> Result<(), Failure> {
        files::Host::set_input_files(self, target_id, object_id, paths).await
    }

    async fn arm_file_chooser(
        &mut self,
        target_id: String,
        paths: Vec<String>,
        ttl_ms: u32,
    ) -> Result<u64, Failure> {
        files::Host::arm_file_chooser(self, target_id, paths, ttl_ms).await
    }

    async fn await_file_chooser(&mut self, arm: u64, timeout_ms: u32) -> Result<(), Failure> {
        files::Host::await_file_chooser(self, arm, timeout_ms).await
    }

    async fn stage_upload(&mut self, files: Vec<UploadFile>) -> Result<Vec<String>, Failure> {
        let staged = files.into_iter().map(Into::into).collect();
        files::Host::stage_upload(self, staged).await
    }

    async fn discard_upload(&mut self, path: String) -> Result<(), Failure> {
        files::Host::discard_upload(self, path).await
    }
}
