//! Driving one tab: the DevTools commands `page_commands` allows, what the tab logged, and
//! the notes a plugin keeps with a tab between calls (the refs of its last snapshot).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::target::GetTargetInfoParams;
use chromiumoxide::Page;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::dialogs::{Answer, Dialogs};

use super::tabs::is_internal;
use super::AutomationBrowser;
use crate::page_commands::{self, PageCommand};
use crate::page_log::{self, PageLog};
use crate::target::request_allowed;
use crate::BrowserError;

/// Notes a plugin may keep per tab, and how large each may be.
const MAX_NOTES: usize = 16;
const MAX_NOTE_BYTES: usize = 4 * 1024 * 1024;

/// A tab the node has seen: its log, the task filling it, the plugin's notes.
pub(super) struct Watched {
    log: Arc<Mutex<PageLog>>,
    recorder: JoinHandle<()>,
    notes: HashMap<String, String>,
    /// Told when a dialog opens, which blocks the page until it is answered.
    dialog_opened: Arc<Notify>,
    page: Page,
}

impl Watched {
    pub(super) fn page(&self) -> Page {
        self.page.clone()
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.recorder.abort();
    }
}

fn tab_not_found(target_id: &str) -> BrowserError {
    BrowserError::invalid(format!("tab not found: {target_id}"))
}

impl AutomationBrowser {
    /// The page of a tab, which is recorded from the first time the node sees it. The
    /// browser's own pages are not tabs to drive.
    pub(super) async fn page(&self, target_id: &str) -> Result<Page, BrowserError> {
        let browser = self.browser().await?;
        let target = page_commands::target(target_id);
        let info = browser
            .execute(
                GetTargetInfoParams::builder()
                    .target_id(target.clone())
                    .build(),
            )
            .await
            .map_err(|_| tab_not_found(target_id))?
            .result
            .target_info;
        if info.r#type != "page" || is_internal(&info.url) {
            return Err(tab_not_found(target_id));
        }
        let page = browser
            .get_page(target)
            .await
            .map_err(|_| tab_not_found(target_id))?;
        if !self.watched.lock().unwrap().contains_key(target_id) {
            let log = Arc::new(Mutex::new(PageLog::default()));
            let dialog_opened = Arc::new(Notify::new());
            let recorder = page_log::record(&page, log.clone(), dialog_opened.clone()).await?;
            self.watched
                .lock()
                .unwrap()
                .entry(target_id.to_string())
                .or_insert(Watched {
                    log,
                    recorder,
                    notes: HashMap::new(),
                    dialog_opened,
                    page: page.clone(),
                });
        }
        *self.current.lock().unwrap() = Some(target_id.to_string());
        Ok(page)
    }

    /// Sends one allowed DevTools command to a tab and answers its result. A navigation is
    /// checked against the request policy first: the policy's interception does not see the
    /// browser's own schemes.
    pub async fn send(
        &self,
        target_id: &str,
        method: &str,
        params: serde_json::Value,
        timeout: Duration,
    ) -> Result<serde_json::Value, BrowserError> {
        if !page_commands::allowed(method) {
            return Err(BrowserError::invalid(format!(
                "{method} is not a command a plugin may send to a tab"
            )));
        }
        if method == "Page.navigate" {
            let url = params.get("url").and_then(|u| u.as_str()).unwrap_or("");
            let policy = self.policy();
            request_allowed(url, &policy.files, policy.control.as_ref())
                .map_err(|why| BrowserError::invalid(format!("navigation blocked: {why}")))?;
        }
        if method == "Page.createIsolatedWorld"
            && params.get("grantUniveralAccess") == Some(&true.into())
        {
            return Err(BrowserError::invalid(
                "an isolated world with universal access is not for plugins",
            ));
        }
        let page = self.page(target_id).await?;
        let (opened, log) = {
            let watched = self.watched.lock().unwrap();
            let w = watched
                .get(target_id)
                .ok_or_else(|| tab_not_found(target_id))?;
            (w.dialog_opened.clone(), w.log.clone())
        };
        let blocked = || BrowserError::unavailable("a dialog blocks the page");
        // Registered before the check, so a dialog opening in between is not missed.
        let dialog = opened.notified();
        tokio::pin!(dialog);
        dialog.as_mut().enable();
        if !log.lock().unwrap().dialogs.pending.is_empty() {
            return Err(blocked());
        }
        let command = PageCommand {
            method: method.to_string(),
            params,
        };
        let reply = tokio::select! {
            reply = tokio::time::timeout(timeout, page.execute(command)) => reply,
            () = dialog => return Err(blocked()),
        };
        match reply {
            Ok(Ok(reply)) => Ok(reply.result),
            Ok(Err(chromiumoxide::error::CdpError::Chrome(e))) => {
                Err(BrowserError::invalid(format!("{method}: {}", e.message)))
            }
            Ok(Err(e)) => Err(BrowserError::unavailable(format!("{method}: {e}"))),
            Err(_) => Err(BrowserError::timeout(format!(
                "{method} did not answer within {} ms",
                timeout.as_millis()
            ))),
        }
    }

    /// The tab's dialogs: open ones and the last closed.
    pub async fn dialogs(&self, target_id: &str) -> Result<Dialogs, BrowserError> {
        Ok(self.page_log(target_id, false, false).await?.dialogs)
    }

    /// Answers an open dialog now (`id`, or the only one).
    pub async fn answer_dialog(
        &self,
        target_id: &str,
        id: Option<&str>,
        answer: Answer,
    ) -> Result<(), BrowserError> {
        self.page(target_id).await?;
        let (page, log) = {
            let watched = self.watched.lock().unwrap();
            let w = watched
                .get(target_id)
                .ok_or_else(|| tab_not_found(target_id))?;
            (w.page.clone(), w.log.clone())
        };
        {
            let mut log = log.lock().unwrap();
            log.dialogs.target(id).map_err(BrowserError::invalid)?;
            log.closing_by = Some("agent");
        }
        page_log::answer_dialog(&page, &answer).await.map_err(|e| {
            BrowserError::unavailable(format!("the dialog could not be answered: {e}"))
        })
    }

    /// Arms a one-time answer for the next dialog of the tab, for `ttl`.
    pub async fn arm_dialog(
        &self,
        target_id: &str,
        answer: Answer,
        ttl: Duration,
    ) -> Result<(), BrowserError> {
        self.page(target_id).await?;
        let watched = self.watched.lock().unwrap();
        let w = watched
            .get(target_id)
            .ok_or_else(|| tab_not_found(target_id))?;
        w.log
            .lock()
            .unwrap()
            .dialogs
            .arm(answer, std::time::Instant::now() + ttl);
        Ok(())
    }

    /// The tab last opened, focused or driven, while it is still open.
    pub fn current_tab(&self) -> Option<String> {
        self.current.lock().unwrap().clone()
    }

    /// What the tab logged so far; its errors or requests are then forgotten when asked.
    pub async fn page_log(
        &self,
        target_id: &str,
        clear_errors: bool,
        clear_requests: bool,
    ) -> Result<PageLog, BrowserError> {
        self.page(target_id).await?;
        let watched = self.watched.lock().unwrap();
        let log = &watched
            .get(target_id)
            .ok_or_else(|| tab_not_found(target_id))?
            .log;
        let mut log = log.lock().unwrap();
        let copy = log.clone();
        if clear_errors {
            log.errors.clear();
        }
        if clear_requests {
            log.requests.clear();
        }
        Ok(copy)
    }

    /// Keeps a plugin's note with a tab until the tab closes or the browser stops.
    pub async fn keep_note(
        &self,
        target_id: &str,
        key: &str,
        value: String,
    ) -> Result<(), BrowserError> {
        if value.len() > MAX_NOTE_BYTES {
            return Err(BrowserError::too_large(format!(
                "a tab note holds at most {MAX_NOTE_BYTES} bytes"
            )));
        }
        self.page(target_id).await?;
        let mut watched = self.watched.lock().unwrap();
        let notes = &mut watched
            .get_mut(target_id)
            .ok_or_else(|| tab_not_found(target_id))?
            .notes;
        if !notes.contains_key(key) && notes.len() >= MAX_NOTES {
            return Err(BrowserError::too_large(format!(
                "a tab keeps at most {MAX_NOTES} notes"
            )));
        }
        notes.insert(key.to_string(), value);
        Ok(())
    }

    pub fn note(&self, target_id: &str, key: &str) -> Option<String> {
        let watched = self.watched.lock().unwrap();
        watched.get(target_id)?.notes.get(key).cloned()
    }

    /// Forgets a tab that closed.
    pub(super) fn unwatch(&self, target_id: &str) {
        self.watched.lock().unwrap().remove(target_id);
        let mut current = self.current.lock().unwrap();
        if current.as_deref() == Some(target_id) {
            *current = None;
        }
    }

    /// Keeps a file the browser made with the node's browser media (0600 in a 0700 dir),
    /// named by a fresh id; the extension is the caller's, so it is held to a short word.
    pub fn save_media(&self, extension: &str, bytes: &[u8]) -> Result<PathBuf, BrowserError> {
        let short_word = (1..=8).contains(&extension.len())
            && extension.bytes().all(|b| b.is_ascii_alphanumeric());
        if !short_word {
            return Err(BrowserError::invalid(format!(
                "not a media file extension: {extension:?}"
            )));
        }
        let id = uuid::Uuid::new_v4();
        let path = self.options.media_dir.join(format!("{id}.{extension}"));
        openclaw_files::write_atomically(&path, bytes).map_err(|e| {
            BrowserError::unavailable(format!("cannot keep {}: {e}", path.display()))
        })?;
        Ok(path)
    }
}
