//! The tab a page route acts on: the one `targetId` names (the browser must run), else the tab
//! last used, else the first, else a new blank one; a stopped browser is started for a route
//! that names no tab, as the real service does.

use openclaw_plugin_sdk::browser_tabs;
use openclaw_plugin_sdk::browser_tabs::Tab;

use crate::route::RouteError;
use crate::tabs::{self, failed};

/// The tab, and its URL as the browser lists it.
pub struct Target {
    pub target_id: String,
    pub url: String,
}

fn not_running() -> RouteError {
    RouteError::new(
        409,
        "Browser profile \"openclaw\" is not running. Start the browser or open a new tab, then select a current target.",
    )
}

fn target(tab: &Tab) -> Target {
    Target {
        target_id: tab.target_id.clone(),
        url: tab.url.clone(),
    }
}

pub fn resolve(reference: Option<&str>) -> Result<Target, RouteError> {
    let reference = reference.map(str::trim).filter(|r| !r.is_empty());
    if let Some(reference) = reference {
        let listed = browser_tabs::tabs()
            .map_err(failed)?
            .ok_or_else(not_running)?;
        return tabs::resolve(&listed, reference, false).map(target);
    }
    browser_tabs::start(None).map_err(failed)?;
    let listed = tabs::listed()?;
    let current = browser_tabs::current_tab();
    let chosen = current
        .and_then(|id| listed.iter().find(|t| t.target_id == id))
        .or_else(|| listed.first());
    match chosen {
        Some(tab) => Ok(target(tab)),
        None => {
            let tab = browser_tabs::open_tab("about:blank", None).map_err(failed)?;
            Ok(target(&tab))
        }
    }
}

/// The tab's URL now, as the browser lists it (after an action that may have navigated).
pub fn current_url(target_id: &str) -> Option<String> {
    let listed = browser_tabs::tabs().ok()??;
    listed
        .into_iter()
        .find(|t| t.target_id == target_id)
        .map(|t| t.url)
}
