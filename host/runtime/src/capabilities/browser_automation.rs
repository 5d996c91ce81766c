//! The `browser-automation` capability: the automation browser of `openclaw_browser`, which
//! browser control routes drive; never the canvas's Chromium.

use std::sync::Arc;

use openclaw_browser::{self as nb, AutomationBrowser};
use wasmtime::component::{HasSelf, Linker};

use super::Capability;
use crate::bindings::openclaw::plugin::browser_automation::{self, AutomationStatus, Tab};
use crate::bindings::{host_failure, Failure};
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "browser-automation",
    interface: "openclaw:plugin/browser-automation",
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    browser_automation::add_to_linker::<_, HasSelf<Automation>>(
        linker,
        CallState::capability::<Automation>,
    )
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
                openclaw_protocol::errors::ErrorCode::Unavailable,
                "this node has no automation browser",
            )
        })
    }
}

fn failure(e: nb::BrowserError) -> Failure {
    host_failure(e.code, e.message)
}

fn tab(t: nb::Tab) -> Tab {
    Tab {
        target_id: t.target_id,
        title: t.title,
        url: t.url,
        tab_id: t.alias.tab_id,
        label: t.alias.label,
    }
}

impl browser_automation::Host for Automation {
    async fn status(&mut self) -> AutomationStatus {
        let text = |p: Option<std::path::PathBuf>| p.map(|p| p.to_string_lossy().into_owned());
        let Ok(browser) = self.browser() else {
            return AutomationStatus {
                running: false,
                pid: None,
                headless: true,
                headless_source: "default".into(),
                executable_path: None,
                detected_browser: None,
                detected_executable_path: None,
                detect_error: Some("this node has no automation browser".into()),
                chosen_browser: None,
                no_sandbox: false,
                user_data_dir: None,
            };
        };
        let s = browser.status().await;
        let (detected_browser, detected_executable_path, detect_error) = match s.detected {
            Ok((kind, path)) => (Some(kind.to_string()), text(Some(path)), None),
            Err(why) => (None, None, Some(why)),
        };
        AutomationStatus {
            running: s.running,
            pid: s.pid,
            headless: s.headless,
            headless_source: s.headless_source.into(),
            executable_path: text(s.executable_path),
            detected_browser,
            detected_executable_path,
            detect_error,
            chosen_browser: s.chosen.map(String::from),
            no_sandbox: s.no_sandbox,
            user_data_dir: text(s.user_data_dir),
        }
    }

    async fn start(&mut self, headless: Option<bool>) -> Result<(), Failure> {
        self.browser()?.start(headless).await.map_err(failure)
    }

    async fn stop(&mut self) -> bool {
        match self.browser() {
            Ok(browser) => browser.stop().await,
            Err(_) => false,
        }
    }

    async fn tabs(&mut self) -> Result<Option<Vec<Tab>>, Failure> {
        let tabs = self.browser()?.tabs().await.map_err(failure)?;
        Ok(tabs.map(|tabs| tabs.into_iter().map(tab).collect()))
    }

    async fn open_tab(&mut self, url: String, label: Option<String>) -> Result<Tab, Failure> {
        self.browser()?
            .open(&url, label.as_deref())
            .await
            .map(tab)
            .map_err(failure)
    }

    async fn focus_tab(&mut self, target_id: String) -> Result<(), Failure> {
        self.browser()?.activate(&target_id).await.map_err(failure)
    }

    async fn close_tab(&mut self, target_id: String) -> Result<(), Failure> {
        self.browser()?.close(&target_id).await.map_err(failure)
    }
}
