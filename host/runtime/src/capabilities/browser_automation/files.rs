//! Files given to a tab's page (`browser-files`), and staged uploads.

use std::time::Duration;

use super::{failure, Automation, MAX_WAIT_MS};
use crate::bindings::openclaw::plugin::browser_files::{self, UploadFile};
use crate::bindings::Failure;

impl browser_files::Host for Automation {
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

    async fn discard_upload(&mut self, path: String) -> Result<(), Failure> {
        self.browser()?
            .discard_upload(std::path::Path::new(&path))
            .map_err(failure)
    }
}
