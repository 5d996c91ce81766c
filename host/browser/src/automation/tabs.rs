//! The automation browser's page tabs: listed, opened, focused and closed, each named as the
//! real service names it (see `tab_aliases`).

use chromiumoxide::cdp::browser_protocol::target::{
    ActivateTargetParams, CloseTargetParams, CreateTargetParams, GetTargetsParams, TargetInfo,
};

use super::{AutomationBrowser, Tab};
use crate::tab_aliases::{valid_label, LiveTab};
use crate::target::request_allowed;
use crate::BrowserError;

/// What a tab label may be, as the real service words it.
const LABEL_RULE: &str =
    "tab label must be 1-64 chars and use only letters, numbers, _, ., :, or -";

/// How long opening a tab waits for its navigation to start.
const OPEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// URLs of the browser's own pages, which are not tabs to drive.
const INTERNAL_SCHEMES: &[&str] = &[
    "chrome://",
    "chrome-untrusted://",
    "devtools://",
    "edge://",
    "brave://",
    "vivaldi://",
    "opera://",
];

impl AutomationBrowser {
    /// The page tabs, named; `None` when the browser does not run.
    pub async fn tabs(&self) -> Result<Option<Vec<Tab>>, BrowserError> {
        let Ok(browser) = self.browser().await else {
            return Ok(None);
        };
        let pages: Vec<_> = targets(&browser)
            .await?
            .into_iter()
            .filter(|t| t.r#type == "page")
            // The first tab of a browser started without a page has no URL yet: not a tab
            // anyone opened.
            .filter(|t| !t.url.is_empty())
            .filter(|t| !is_internal(&t.url))
            .collect();
        let live: Vec<LiveTab> = pages
            .iter()
            .map(|t| LiveTab {
                target_id: t.target_id.inner().clone(),
                url: t.url.clone(),
            })
            .collect();
        let aliases = self.aliases.lock().unwrap().sync(&live);
        Ok(Some(
            pages
                .into_iter()
                .zip(aliases)
                .map(|(t, alias)| Tab {
                    target_id: t.target_id.inner().clone(),
                    title: t.title,
                    url: t.url,
                    alias,
                })
                .collect(),
        ))
    }

    /// Opens `url` in a new tab, named at once (and labelled).
    pub async fn open(&self, url: &str, label: Option<&str>) -> Result<Tab, BrowserError> {
        if label.is_some_and(|l| !valid_label(l)) {
            return Err(BrowserError::invalid(LABEL_RULE));
        }
        let policy = self.policy();
        request_allowed(url, &policy.files, policy.control.as_ref())
            .map_err(|why| BrowserError::invalid(format!("navigation blocked: {why}")))?;
        let browser = self.browser().await?;
        // Blank first, so the tab is recorded before its page says anything.
        let blank = CreateTargetParams::builder()
            .url("about:blank")
            .background(true)
            .build()
            .map_err(BrowserError::invalid)?;
        let page = browser.new_page(blank).await.map_err(cdp_failure)?;
        let target_id = page.target_id().inner().clone();
        let alias = self.aliases.lock().unwrap().assign(
            &LiveTab {
                target_id: target_id.clone(),
                url: url.to_string(),
            },
            label,
        );
        let navigate = serde_json::json!({ "url": url });
        self.send(&target_id, "Page.navigate", navigate, OPEN_TIMEOUT)
            .await?;
        Ok(Tab {
            target_id,
            title: String::new(),
            url: url.to_string(),
            alias,
        })
    }

    /// Labels a listed tab; another tab with that label loses it.
    pub async fn label(&self, target_id: &str, label: &str) -> Result<Tab, BrowserError> {
        if !valid_label(label) {
            return Err(BrowserError::invalid(LABEL_RULE));
        }
        let tab = self
            .tabs()
            .await?
            .ok_or_else(|| BrowserError::unavailable("browser not running"))?
            .into_iter()
            .find(|t| t.target_id == target_id)
            .ok_or_else(|| BrowserError::invalid(format!("tab not found: {target_id}")))?;
        let live = LiveTab {
            target_id: tab.target_id.clone(),
            url: tab.url.clone(),
        };
        let alias = self.aliases.lock().unwrap().assign(&live, Some(label));
        Ok(Tab { alias, ..tab })
    }

    pub async fn activate(&self, target_id: &str) -> Result<(), BrowserError> {
        *self.current.lock().unwrap() = Some(target_id.to_string());
        let browser = self.browser().await?;
        browser
            .execute(ActivateTargetParams::new(target_id.to_string()))
            .await
            .map_err(cdp_failure)?;
        Ok(())
    }

    pub async fn close(&self, target_id: &str) -> Result<(), BrowserError> {
        let browser = self.browser().await?;
        browser
            .execute(CloseTargetParams::new(target_id.to_string()))
            .await
            .map_err(cdp_failure)?;
        // Closing is asynchronous: until the target is gone, a listing would show it again
        // and give it a new name.
        for _ in 0..40 {
            let targets = targets(&browser).await?;
            if !targets.iter().any(|t| t.target_id.inner() == target_id) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.aliases.lock().unwrap().forget(target_id);
        self.unwatch(target_id);
        Ok(())
    }
}

/// One of the browser's own pages.
pub(super) fn is_internal(url: &str) -> bool {
    INTERNAL_SCHEMES.iter().any(|s| url.starts_with(s))
}

/// Every target the browser has (pages, workers, its own UI).
async fn targets(browser: &chromiumoxide::Browser) -> Result<Vec<TargetInfo>, BrowserError> {
    Ok(browser
        .execute(GetTargetsParams::default())
        .await
        .map_err(cdp_failure)?
        .result
        .target_infos)
}

fn cdp_failure(e: chromiumoxide::error::CdpError) -> BrowserError {
    BrowserError::unavailable(format!("the browser refused: {e}"))
}
