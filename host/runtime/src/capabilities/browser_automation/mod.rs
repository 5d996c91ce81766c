//! The `browser-automation` capability: the automation browser of `openclaw_browser`, which
//! browser control routes drive; never the canvas's Chromium. One grant, four interfaces
//! (a file each), and the single interface of 0.1.5 to 0.1.7, served for the plugins built
//! against it by passing each call on (`legacy`).

mod downloads;
mod files;
mod legacy;
mod page;
mod tabs;

use std::sync::Arc;

use openclaw_protocol::errors::ErrorCode;

use openclaw_browser::{self as nb, AutomationBrowser};
use wasmtime::component::{HasSelf, Linker};

use super::view::{Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::{
    browser_automation, browser_downloads, browser_files, browser_page, browser_tabs,
};
use crate::bindings::{host_failure, Failure};

pub const NAME: &str = "browser-automation";
pub const INTERFACES: &[&str] = &[
    "openclaw:plugin/browser-tabs",
    "openclaw:plugin/browser-page",
    "openclaw:plugin/browser-downloads",
    "openclaw:plugin/browser-files",
    "openclaw:plugin/browser-automation",
];

pub fn link<T: Holds<Automation>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let state = T::holds;
    browser_tabs::add_to_linker::<T, HasSelf<Automation>>(linker, state)?;
    browser_page::add_to_linker::<T, HasSelf<Automation>>(linker, state)?;
    browser_downloads::add_to_linker::<T, HasSelf<Automation>>(linker, state)?;
    browser_files::add_to_linker::<T, HasSelf<Automation>>(linker, state)?;
    browser_automation::add_to_linker::<T, HasSelf<Automation>>(linker, state)
}

pub struct Automation {
    browser: Option<Arc<AutomationBrowser>>,
}

impl CapabilityState for Automation {
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

/// The longest a plugin may wait for a download or a file chooser, as the real service's
/// longest timeout.
const MAX_WAIT_MS: u64 = 120_000;
