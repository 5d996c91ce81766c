//! What the tabs download (`browser-downloads`).

use std::time::Duration;

use openclaw_browser as nb;

use super::{failure, Automation, MAX_WAIT_MS};
use crate::bindings::openclaw::plugin::browser_downloads::{self, Download};
use crate::bindings::Failure;

impl browser_downloads::Host for Automation {
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
}

fn download(d: nb::Download) -> Download {
    Download {
        url: d.url,
        suggested_filename: d.suggested_filename,
        path: d.path.to_string_lossy().into_owned(),
        size: d.size,
        content: d.content,
    }
}
