//! What the automation browser downloads. Chromium saves every download under a fresh id in
//! `<downloads>/.incoming` (a page never picks a name or a place); when one finishes, the node
//! moves it to the name its claimant chose: an armed waiter's file name, `<uuid>-<its name>`
//! for a watch (an action's), or nothing at all when nobody asked, and then it is removed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::browser::{
    DownloadProgressState, EventDownloadProgress, EventDownloadWillBegin,
};
use tokio::sync::Notify;

use crate::BrowserError;

mod events;
mod names;

/// The most an answer carries of one file, so the bytes of a larger one are not read.
const MAX_CONTENT_BYTES: u64 = 10 * 1024 * 1024;
/// How an action's downloads are collected, as the real service drains them: a first one
/// must begin within the grace, the last must be a quiet period old, and it all ends at the
/// most after a second.
const GRACE: Duration = Duration::from_millis(250);
const QUIET: Duration = Duration::from_millis(250);
const MOST: Duration = Duration::from_secs(1);

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub url: String,
    pub suggested_filename: String,
    pub path: PathBuf,
    pub size: u64,
    pub content: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
enum Keep {
    As(String),
    Managed,
    Discard,
}

struct Entry {
    url: String,
    suggested: String,
    keep: Keep,
    began: Instant,
    outcome: Option<Result<Download, String>>,
}

struct Waiter {
    tab: String,
    file_name: Option<String>,
    guid: Option<String>,
}

struct Watch {
    tab: String,
    guids: Vec<String>,
    /// The grace for a first download counts from here, the action's start, so that an
    /// action which took that long already waits no more.
    since: Instant,
}

#[derive(Default)]
struct State {
    next_id: u64,
    waiters: HashMap<u64, Waiter>,
    watches: HashMap<u64, Watch>,
    entries: HashMap<String, Entry>,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn claimed(&self, guid: &str) -> bool {
        self.waiters
            .values()
            .any(|w| w.guid.as_deref() == Some(guid))
            || self
                .watches
                .values()
                .any(|w| w.guids.iter().any(|g| g == guid))
    }
}

pub(super) struct Downloads {
    dir: PathBuf,
    state: Mutex<State>,
    changed: Notify,
}

impl Downloads {
    pub(super) fn new(dir: PathBuf) -> Downloads {
        Downloads {
            dir,
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        }
    }

    fn incoming(&self) -> PathBuf {
        self.dir.join(".incoming")
    }

    fn began(&self, begin: &EventDownloadWillBegin, tab: Option<String>) {
        let mut state = self.state.lock().unwrap();
        let waiter = tab.as_ref().and_then(|tab| {
            state
                .waiters
                .iter_mut()
                .filter(|(_, w)| &w.tab == tab && w.guid.is_none())
                .min_by_key(|(id, _)| **id)
                .map(|(_, w)| w)
        });
        let keep = if let Some(waiter) = waiter {
            waiter.guid = Some(begin.guid.clone());
            waiter.file_name.clone().map_or(Keep::Managed, Keep::As)
        } else {
            let mut watched = false;
            for watch in state.watches.values_mut() {
                if Some(&watch.tab) == tab.as_ref() {
                    watch.guids.push(begin.guid.clone());
                    watched = true;
                }
            }
            if watched {
                Keep::Managed
            } else {
                Keep::Discard
            }
        };
        state.entries.insert(
            begin.guid.clone(),
            Entry {
                url: begin.url.clone(),
                suggested: begin.suggested_filename.clone(),
                keep,
                began: Instant::now(),
                outcome: None,
            },
        );
        drop(state);
        self.changed.notify_waiters();
    }

    fn progressed(&self, step: &EventDownloadProgress) {
        let finished = match step.state {
            DownloadProgressState::Completed => true,
            DownloadProgressState::Canceled => false,
            _ => return,
        };
        let mut state = self.state.lock().unwrap();
        let Some(entry) = state.entries.get_mut(&step.guid) else {
            return;
        };
        let saved = self.incoming().join(&step.guid);
        let outcome = match (&entry.keep, finished) {
            (Keep::Discard, _) | (_, false) => {
                let _ = std::fs::remove_file(&saved);
                Err("Error: download canceled".to_string())
            }
            (Keep::As(name), true) => self.keep(&saved, name, entry),
            (Keep::Managed, true) => {
                let name = format!(
                    "{}-{}",
                    uuid::Uuid::new_v4(),
                    names::sanitize(&entry.suggested)
                );
                self.keep(&saved, &name, entry)
            }
        };
        entry.outcome = Some(outcome);
        if !state.claimed(&step.guid) {
            state.entries.remove(&step.guid);
        }
        drop(state);
        self.changed.notify_waiters();
    }

    fn keep(&self, saved: &Path, name: &str, entry: &Entry) -> Result<Download, String> {
        let path = self.dir.join(name);
        std::fs::rename(saved, &path).map_err(|e| {
            let _ = std::fs::remove_file(saved);
            format!("Error: cannot keep the download as {}: {e}", path.display())
        })?;
        let size = std::fs::symlink_metadata(&path)
            .map(|m| m.len())
            .unwrap_or_default();
        let content = if size <= MAX_CONTENT_BYTES {
            std::fs::read(&path).ok()
        } else {
            None
        };
        Ok(Download {
            url: entry.url.clone(),
            suggested_filename: entry.suggested.clone(),
            path,
            size,
            content,
        })
    }

    pub(super) fn arm(&self, tab: &str, file_name: Option<String>) -> Result<u64, BrowserError> {
        let file_name = file_name
            .map(|n| names::in_dir(&self.dir, &n))
            .transpose()?;
        let mut state = self.state.lock().unwrap();
        let id = state.id();
        state.waiters.insert(
            id,
            Waiter {
                tab: tab.to_string(),
                file_name,
                guid: None,
            },
        );
        Ok(id)
    }

    /// The armed waiter's download once it finished; the waiter is gone either way.
    pub(super) async fn wait(
        &self,
        waiter: u64,
        timeout: Duration,
    ) -> Result<Download, BrowserError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let mut state = self.state.lock().unwrap();
                let guid = match state.waiters.get(&waiter) {
                    None => return Err(BrowserError::invalid("no such download waiter")),
                    Some(w) => w.guid.clone(),
                };
                let done = guid
                    .as_ref()
                    .and_then(|g| state.entries.get(g))
                    .is_some_and(|e| e.outcome.is_some());
                if done {
                    let guid = guid.unwrap();
                    state.waiters.remove(&waiter);
                    let entry = state.entries.remove(&guid).expect("a finished entry");
                    return entry.outcome.unwrap().map_err(BrowserError::unavailable);
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                self.state.lock().unwrap().waiters.remove(&waiter);
                return Err(BrowserError::timeout("Error: Timeout waiting for download"));
            }
        }
    }

    pub(super) fn watch(&self, tab: &str) -> u64 {
        let mut state = self.state.lock().unwrap();
        let id = state.id();
        state.watches.insert(
            id,
            Watch {
                tab: tab.to_string(),
                guids: Vec::new(),
                since: Instant::now(),
            },
        );
        id
    }

    /// Ends a watch, as the real service drains an action's downloads (but for where the
    /// grace counts from).
    pub(super) async fn collect(&self, watch: u64, expected: bool) -> Vec<Download> {
        let start = tokio::time::Instant::now();
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let now = tokio::time::Instant::now();
            let settled = {
                let state = self.state.lock().unwrap();
                let Some(w) = state.watches.get(&watch) else {
                    return Vec::new();
                };
                let entries: Vec<&Entry> = w
                    .guids
                    .iter()
                    .filter_map(|g| state.entries.get(g))
                    .collect();
                let last_began = entries.iter().map(|e| e.began).max();
                let grace = if expected { MOST } else { GRACE };
                match last_began {
                    None => w.since.elapsed() >= grace,
                    Some(began) => {
                        entries.iter().all(|e| e.outcome.is_some()) && began.elapsed() >= QUIET
                    }
                }
            };
            if settled || now - start >= MOST {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), changed).await;
        }
        let mut state = self.state.lock().unwrap();
        let guids = state
            .watches
            .remove(&watch)
            .map(|w| w.guids)
            .unwrap_or_default();
        let mut kept = Vec::new();
        for guid in guids {
            let finished = state
                .entries
                .get(&guid)
                .is_some_and(|e| e.outcome.is_some());
            if finished && !state.claimed(&guid) {
                if let Some(Ok(download)) = state.entries.remove(&guid).and_then(|e| e.outcome) {
                    kept.push(download);
                }
            }
        }
        kept
    }
}

impl super::super::AutomationBrowser {
    /// Arms a waiter for the tab's next download, kept as `file_name` or `<uuid>-<its name>`.
    pub async fn arm_download(
        &self,
        target_id: &str,
        file_name: Option<String>,
    ) -> Result<u64, BrowserError> {
        self.page(target_id).await?;
        self.downloads.arm(target_id, file_name)
    }

    pub async fn await_download(
        &self,
        waiter: u64,
        timeout: Duration,
    ) -> Result<Download, BrowserError> {
        self.downloads.wait(waiter, timeout).await
    }

    /// Starts collecting what the tab downloads (what an action starts).
    pub async fn watch_downloads(&self, target_id: &str) -> Result<u64, BrowserError> {
        self.page(target_id).await?;
        Ok(self.downloads.watch(target_id))
    }

    pub async fn collect_downloads(&self, watch: u64, expected: bool) -> Vec<Download> {
        self.downloads.collect(watch, expected).await
    }
}
