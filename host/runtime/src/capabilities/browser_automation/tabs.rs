//! The automation browser's life and tabs (`browser-tabs`).

use openclaw_browser as nb;

use super::{failure, Automation};
use crate::bindings::openclaw::plugin::browser_tabs::{self, AutomationStatus, SystemReport, Tab};
use crate::bindings::Failure;

impl browser_tabs::Host for Automation {
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

    async fn label_tab(&mut self, target_id: String, label: String) -> Result<Tab, Failure> {
        self.browser()?
            .label(&target_id, &label)
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

    async fn current_tab(&mut self) -> Option<String> {
        self.browser().ok()?.current_tab()
    }

    async fn system_info(&mut self) -> Result<SystemReport, Failure> {
        let (info, observed_at_ms) = self.browser()?.system_info().await.map_err(failure)?;
        Ok(SystemReport {
            info_json: info.to_string(),
            observed_at_ms,
        })
    }
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
