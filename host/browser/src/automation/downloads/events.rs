//! Chromium's side of downloads: it is told to save each one under its id in the node's
//! `.incoming` dir and to say so, and each begins in a tab found by its frame.

use std::sync::Arc;

use chromiumoxide::cdp::browser_protocol::browser::{
    EventDownloadProgress, EventDownloadWillBegin, SetDownloadBehaviorBehavior,
    SetDownloadBehaviorParams,
};
use chromiumoxide::cdp::browser_protocol::page::{FrameTree, GetFrameTreeParams};
use chromiumoxide::{Browser, Page};
use futures_util::StreamExt;
use tokio::task::JoinHandle;

use super::{Downloads, State};
use crate::BrowserError;

impl Downloads {
    /// Makes the dirs (private), drops what an earlier run left half-done, and has `browser`
    /// save every download there under its id, telling the node.
    pub(in crate::automation) async fn attach(
        self: &Arc<Self>,
        browser: &Browser,
        pages: impl Fn() -> Vec<(String, Page)> + Send + 'static,
    ) -> Result<JoinHandle<()>, BrowserError> {
        let incoming = self.incoming();
        let _ = std::fs::remove_dir_all(&incoming);
        openclaw_files::private_dir(&incoming).map_err(|e| {
            BrowserError::unavailable(format!("cannot make {}: {e}", incoming.display()))
        })?;
        *self.state.lock().unwrap() = State::default();
        let fail = |e: chromiumoxide::error::CdpError| {
            BrowserError::unavailable(format!("cannot take the browser's downloads: {e}"))
        };
        let mut begins = browser
            .event_listener::<EventDownloadWillBegin>()
            .await
            .map_err(fail)?;
        let mut progress = browser
            .event_listener::<EventDownloadProgress>()
            .await
            .map_err(fail)?;
        browser
            .execute(
                SetDownloadBehaviorParams::builder()
                    .behavior(SetDownloadBehaviorBehavior::AllowAndName)
                    .download_path(incoming.to_string_lossy())
                    .events_enabled(true)
                    .build()
                    .map_err(BrowserError::unavailable)?,
            )
            .await
            .map_err(fail)?;
        let downloads = self.clone();
        Ok(tokio::spawn(async move {
            loop {
                tokio::select! {
                    Some(begin) = begins.next() => {
                        let tab = tab_of(&begin.frame_id, pages()).await;
                        downloads.began(&begin, tab);
                    }
                    Some(step) = progress.next() => downloads.progressed(&step),
                    else => return,
                }
            }
        }))
    }
}

/// The tab a frame belongs to: a tab's main frame has the tab's id; another frame is looked
/// up in the tabs' frame trees.
async fn tab_of(frame_id: &impl AsRef<str>, pages: Vec<(String, Page)>) -> Option<String> {
    let frame_id = frame_id.as_ref();
    if let Some((tab, _)) = pages.iter().find(|(tab, _)| tab == frame_id) {
        return Some(tab.clone());
    }
    for (tab, page) in pages {
        if let Ok(tree) = page.execute(GetFrameTreeParams::default()).await {
            if holds(&tree.result.frame_tree, frame_id) {
                return Some(tab);
            }
        }
    }
    None
}

fn holds(tree: &FrameTree, frame_id: &str) -> bool {
    tree.frame.id.as_ref() == frame_id
        || tree
            .child_frames
            .iter()
            .flatten()
            .any(|child| holds(child, frame_id))
}
