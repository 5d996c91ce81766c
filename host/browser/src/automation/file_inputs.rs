//! Files handed to a tab's file inputs: only the node's upload dir and inbound media, checked
//! by `openclaw_files::upload_paths` when asked and again when an armed chooser opens. A
//! plugin names the input (a remote object of the page) or arms the next chooser; it never
//! hands Chromium a path itself (`DOM.setFileInputFiles` is not in `page_commands`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::dom::SetFileInputFilesParams;
use chromiumoxide::cdp::browser_protocol::page::{
    EventFileChooserOpened, FileChooserOpenedMode, SetInterceptFileChooserDialogParams,
};
use chromiumoxide::cdp::js_protocol::runtime::RemoteObjectId;
use chromiumoxide::Page;
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use openclaw_staging::{StageError, UploadStaging};

use super::AutomationBrowser;
use crate::BrowserError;

/// What one upload may carry, as the real service allows.
const MAX_UPLOAD_FILES: usize = 256;
const MAX_UPLOAD_FILE_BYTES: usize = 10 * 1024 * 1024;

type Outcome = Option<Result<(), String>>;

/// The armed choosers: per tab the newest arm's task, per arm what became of it.
#[derive(Default)]
pub(super) struct Choosers {
    next_id: u64,
    by_tab: HashMap<String, Arm>,
    outcomes: HashMap<u64, watch::Receiver<Outcome>>,
}

/// A tab's armed chooser: its id, the task waiting for it, and the page it intercepts.
struct Arm {
    id: u64,
    task: JoinHandle<()>,
    page: Page,
}

impl Arm {
    /// Ends it, and with it the interception of the tab's choosers.
    async fn disarm(self) {
        self.task.abort();
        let _ = self
            .page
            .execute(SetInterceptFileChooserDialogParams::new(false))
            .await;
    }
}

const NON_MULTIPLE: &str = "Error: Non-multiple file input can only accept single file";

impl AutomationBrowser {
    fn upload_files(&self, paths: &[String]) -> Result<Vec<String>, BrowserError> {
        if paths.is_empty() {
            return Err(BrowserError::invalid("paths are required"));
        }
        paths
            .iter()
            .map(|p| {
                self.options
                    .uploads
                    .resolve(p)
                    .map(|p| p.to_string_lossy().into_owned())
                    .map_err(BrowserError::invalid)
            })
            .collect()
    }

    /// Gives the file input `object_id` of the tab's page the files at `paths`.
    pub async fn set_input_files(
        &self,
        target_id: &str,
        object_id: &str,
        paths: &[String],
    ) -> Result<(), BrowserError> {
        let files = self.upload_files(paths)?;
        let page = self.page(target_id).await?;
        let params = SetFileInputFilesParams::builder()
            .files(files)
            .object_id(RemoteObjectId::new(object_id))
            .build()
            .map_err(BrowserError::invalid)?;
        page.execute(params).await.map(drop).map_err(chrome_error)
    }

    /// Arms the tab's next file chooser to get `paths` for `ttl`; a newer arm replaces it.
    pub async fn arm_file_chooser(
        &self,
        target_id: &str,
        paths: Vec<String>,
        ttl: Duration,
    ) -> Result<u64, BrowserError> {
        self.upload_files(&paths)?;
        let page = self.page(target_id).await?;
        // The older arm goes first, so that it cannot end the interception this one starts.
        let older = self.choosers.lock().unwrap().by_tab.remove(target_id);
        if let Some(older) = older {
            // Whoever awaits it holds its outcome already, and learns it was superseded.
            self.choosers.lock().unwrap().outcomes.remove(&older.id);
            older.task.abort();
        }
        let fail = |e| BrowserError::unavailable(format!("cannot arm the file chooser: {e}"));
        let mut opened = page
            .event_listener::<EventFileChooserOpened>()
            .await
            .map_err(fail)?;
        page.execute(SetInterceptFileChooserDialogParams::new(true))
            .await
            .map_err(fail)?;
        let (tell, outcome) = watch::channel(None);
        let mut choosers = self.choosers.lock().unwrap();
        choosers.next_id += 1;
        let id = choosers.next_id;
        let roots = self.options.uploads.clone();
        let intercepted = page.clone();
        let task = tokio::spawn(async move {
            let result = match tokio::time::timeout(ttl, opened.next()).await {
                Ok(Some(chooser)) => {
                    let files: Result<Vec<PathBuf>, String> =
                        paths.iter().map(|p| roots.resolve(p)).collect();
                    give(&page, &chooser, files).await
                }
                _ => Err(format!(
                    "TimeoutError: Timeout {}ms exceeded while waiting for event \"filechooser\"",
                    ttl.as_millis()
                )),
            };
            let _ = page
                .execute(SetInterceptFileChooserDialogParams::new(false))
                .await;
            let _ = tell.send(Some(result));
        });
        let arm = Arm {
            id,
            task,
            page: intercepted,
        };
        if let Some(racing) = choosers.by_tab.insert(target_id.to_string(), arm) {
            racing.task.abort();
            choosers.outcomes.remove(&racing.id);
        }
        choosers.outcomes.insert(id, outcome);
        Ok(id)
    }

    /// Waits until the armed chooser `arm` took its files; one that does not in time is
    /// disarmed, so that it cannot take a later chooser nobody meant for it.
    pub async fn await_file_chooser(
        &self,
        arm: u64,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let mut outcome = self
            .choosers
            .lock()
            .unwrap()
            .outcomes
            .remove(&arm)
            .ok_or_else(|| BrowserError::invalid("no such file chooser arm"))?;
        let waited = tokio::time::timeout(timeout, outcome.wait_for(Option::is_some))
            .await
            .map(|seen| seen.map(|done| done.clone().unwrap()));
        match waited {
            Ok(Ok(done)) => done.map_err(BrowserError::invalid),
            // Its task was aborted by a newer arm.
            Ok(Err(_)) => Err(BrowserError::invalid(
                "Error: File upload was superseded by another waiter",
            )),
            Err(_) => {
                let armed = {
                    let mut choosers = self.choosers.lock().unwrap();
                    let tab = choosers
                        .by_tab
                        .iter()
                        .find(|(_, a)| a.id == arm)
                        .map(|(tab, _)| tab.clone());
                    tab.and_then(|tab| choosers.by_tab.remove(&tab))
                };
                if let Some(armed) = armed {
                    armed.disarm().await;
                }
                Err(BrowserError::timeout(format!(
                    "TimeoutError: Timeout {}ms exceeded while waiting for event \"filechooser\"",
                    timeout.as_millis()
                )))
            }
        }
    }
}

impl AutomationBrowser {
    /// Stages the files a request carried, in a fresh private dir under the upload dir.
    pub fn stage_upload(&self, files: &[(&str, &[u8])]) -> Result<Vec<PathBuf>, BrowserError> {
        if files.is_empty() || files.len() > MAX_UPLOAD_FILES {
            return Err(BrowserError::invalid(format!(
                "an upload holds 1 to {MAX_UPLOAD_FILES} files"
            )));
        }
        if files.iter().any(|(_, c)| c.len() > MAX_UPLOAD_FILE_BYTES) {
            return Err(BrowserError::too_large(
                "browser proxy file exceeds 10 MiB limit",
            ));
        }
        let staging = self.staging();
        openclaw_files::private_dir(&self.options.uploads.uploads)
            .and_then(|()| openclaw_files::private_dir(&self.staging_root()))
            .map_err(|e| BrowserError::unavailable(format!("cannot make the upload dir: {e}")))?;
        staging.stage_files(files).map_err(|e| match e {
            StageError::LimitReached => BrowserError::unavailable(
                "RESOURCE_EXHAUSTED: browser proxy upload staging limit reached",
            ),
            StageError::TooLarge => {
                BrowserError::too_large("browser proxy files exceed 16 MiB aggregate limit")
            }
            StageError::BadName(name) => {
                BrowserError::invalid(format!("not a plain file name: {name:?}"))
            }
            other => BrowserError::unavailable(other.to_string()),
        })
    }

    /// Removes the staged upload holding `path` at once.
    pub fn discard_upload(&self, path: &std::path::Path) -> Result<(), BrowserError> {
        self.staging()
            .discard(path)
            .map_err(|e| BrowserError::invalid(e.to_string()))
    }

    fn staging_root(&self) -> PathBuf {
        self.options.uploads.uploads.join(".proxy-uploads")
    }

    /// Where browser proxy uploads are staged, swept after 24 hours.
    pub fn staging(&self) -> UploadStaging {
        UploadStaging::browser_proxy(self.staging_root())
    }
}

/// Hands an opened chooser its files, checked again now that it opened.
async fn give(
    page: &Page,
    chooser: &EventFileChooserOpened,
    files: Result<Vec<PathBuf>, String>,
) -> Result<(), String> {
    let files = files?;
    if chooser.mode == FileChooserOpenedMode::SelectSingle && files.len() > 1 {
        return Err(NON_MULTIPLE.into());
    }
    let node = chooser
        .backend_node_id
        .ok_or("Error: the file chooser has no input element")?;
    let params = SetFileInputFilesParams::builder()
        .files(files.iter().map(|p| p.to_string_lossy().into_owned()))
        .backend_node_id(node)
        .build()?;
    page.execute(params)
        .await
        .map(drop)
        .map_err(|e| chrome_error(e).message)
}

fn chrome_error(e: chromiumoxide::error::CdpError) -> BrowserError {
    match e {
        chromiumoxide::error::CdpError::Chrome(e) => {
            BrowserError::invalid(format!("Error: {}", e.message))
        }
        other => BrowserError::unavailable(format!("Error: {other}")),
    }
}
