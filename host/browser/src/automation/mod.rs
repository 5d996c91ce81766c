//! The automation browser: the Chromium that browser control drives, never the canvas's. Its
//! profile (`<state>/browser/openclaw/user-data`, 0700) outlives it; it starts and stops when
//! asked; its tabs are named as the real service names them (see `tab_aliases`).

mod downloads;
pub use downloads::Download;
mod file_inputs;
mod pages;
mod tabs;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

use openclaw_files::upload_paths::UploadRoots;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::chromium::{find_executable, Chromium, Launch};
use crate::guard::RequestPolicy;
use crate::tab_aliases::{Alias, TabAliases};
use crate::target::CanvasFiles;
use crate::BrowserError;

pub struct AutomationOptions {
    /// `browser.executablePath`; `None` looks on PATH.
    pub executable: Option<PathBuf>,
    pub user_data_dir: PathBuf,
    /// `browser.headless`; unset means headless without a display.
    pub headless: Option<bool>,
    /// The local files its pages may load (the canvas's rules: never the state dir).
    pub files: CanvasFiles,
    /// `browser.cdpUrl`, which its pages must never reach (the canvas's rule too).
    pub control_url: Option<String>,
    /// Where screenshots and PDFs are kept (`<state>/media/browser`, private).
    pub media_dir: PathBuf,
    /// Where downloads are kept (`<state>/browser/downloads`, private).
    pub downloads_dir: PathBuf,
    /// Which files a page's file inputs may be given.
    pub uploads: UploadRoots,
}

/// Where the headless choice came from, as `GET /` reports it.
fn headless_choice(options: &AutomationOptions, asked: Option<bool>) -> (bool, &'static str) {
    if let Some(asked) = asked {
        return (asked, "request");
    }
    if let Some(configured) = options.headless {
        return (configured, "config");
    }
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()));
    if display {
        (false, "default")
    } else {
        (true, "linux-display-fallback")
    }
}

struct Running {
    chromium: Chromium,
    headless: bool,
    headless_source: &'static str,
    downloads: JoinHandle<()>,
    /// `SystemInfo.getInfo`, once it answered, and when it was first asked.
    system_info: Option<(serde_json::Value, f64)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.downloads.abort();
    }
}

/// A page tab with its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    pub target_id: String,
    pub title: String,
    pub url: String,
    pub alias: Alias,
}

/// What `GET /` reports of the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomationStatus {
    pub running: bool,
    pub pid: Option<u32>,
    pub headless: bool,
    pub headless_source: &'static str,
    /// As configured.
    pub executable_path: Option<PathBuf>,
    /// `custom` or `chromium`, and where; or why none was found.
    pub detected: Result<(&'static str, PathBuf), String>,
    /// The kind of the running browser.
    pub chosen: Option<&'static str>,
    pub no_sandbox: bool,
    pub user_data_dir: Option<PathBuf>,
}

pub struct AutomationBrowser {
    options: AutomationOptions,
    running: Mutex<Option<Running>>,
    aliases: std::sync::Mutex<TabAliases>,
    /// The tabs the node has seen while the browser runs.
    watched: Arc<std::sync::Mutex<std::collections::HashMap<String, pages::Watched>>>,
    /// The tab routes act on when they name none.
    current: std::sync::Mutex<Option<String>>,
    downloads: Arc<downloads::Downloads>,
    choosers: std::sync::Mutex<file_inputs::Choosers>,
}

impl AutomationBrowser {
    pub fn new(options: AutomationOptions) -> AutomationBrowser {
        AutomationBrowser {
            downloads: Arc::new(downloads::Downloads::new(options.downloads_dir.clone())),
            choosers: Default::default(),
            options,
            running: Mutex::new(None),
            aliases: std::sync::Mutex::new(TabAliases::default()),
            watched: Default::default(),
            current: Default::default(),
        }
    }

    /// Starts the browser unless it runs; a running one is left as it is.
    pub async fn start(&self, headless: Option<bool>) -> Result<(), BrowserError> {
        let mut running = self.running.lock().await;
        if running.as_ref().is_some_and(|r| r.chromium.is_alive()) {
            return Ok(());
        }
        let executable = find_executable(self.options.executable.as_deref())?;
        let (headless, headless_source) = headless_choice(&self.options, headless);
        let chromium = Chromium::start(Launch {
            executable: &executable,
            profile_dir: &self.options.user_data_dir,
            fresh_profile: false,
            headless,
            // Chromium's own new-tab page, as the real service's browser starts: not a tab to
            // drive, so it is not listed.
            start_page: Some("chrome://newtab/"),
            policy: self.policy(),
        })
        .await?;
        let watched = self.watched.clone();
        let pages = move || {
            let watched = watched.lock().unwrap();
            watched
                .iter()
                .map(|(id, w)| (id.clone(), w.page()))
                .collect()
        };
        let downloads = self.downloads.attach(&chromium.browser, pages).await?;
        *running = Some(Running {
            chromium,
            headless,
            headless_source,
            downloads,
            system_info: None,
        });
        Ok(())
    }

    /// What its pages may request: the canvas's rules.
    fn policy(&self) -> RequestPolicy {
        RequestPolicy {
            files: self.options.files.clone(),
            control: self
                .options
                .control_url
                .as_deref()
                .and_then(|url| reqwest::Url::parse(url).ok()),
        }
    }

    /// Stops the browser; false when it was not running.
    pub async fn stop(&self) -> bool {
        let stopped = self.running.lock().await.take();
        self.watched.lock().unwrap().clear();
        *self.current.lock().unwrap() = None;
        *self.choosers.lock().unwrap() = Default::default();
        stopped.is_some_and(|r| r.chromium.is_alive())
    }

    pub async fn status(&self) -> AutomationStatus {
        let kind = if self.options.executable.is_some() {
            "custom"
        } else {
            "chromium"
        };
        let detected = find_executable(self.options.executable.as_deref())
            .map(|path| (kind, path))
            .map_err(|e| e.message);
        // SAFETY: geteuid has no preconditions.
        let no_sandbox = unsafe { libc::geteuid() } == 0;
        let running = self.running.lock().await;
        let live = running.as_ref().filter(|r| r.chromium.is_alive());
        let (headless, headless_source) = match live {
            Some(r) => (r.headless, r.headless_source),
            None => headless_choice(&self.options, None),
        };
        AutomationStatus {
            running: live.is_some(),
            pid: live.map(|r| r.chromium.pid()),
            headless,
            headless_source,
            executable_path: self.options.executable.clone(),
            detected,
            chosen: live.map(|_| kind),
            no_sandbox,
            user_data_dir: live.map(|_| self.options.user_data_dir.clone()),
        }
    }

    /// The running browser's `SystemInfo.getInfo` reply and when it was first asked; kept for
    /// the run once it answered.
    pub async fn system_info(&self) -> Result<(serde_json::Value, f64), BrowserError> {
        let observed_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or_default()
            .floor();
        let mut running = self.running.lock().await;
        let live = running
            .as_mut()
            .filter(|r| r.chromium.is_alive())
            .ok_or_else(|| BrowserError::unavailable("browser not running"))?;
        if let Some(known) = &live.system_info {
            return Ok(known.clone());
        }
        let asked = live
            .chromium
            .browser
            .execute(chromiumoxide::cdp::browser_protocol::system_info::GetInfoParams::default());
        let reply = tokio::time::timeout(std::time::Duration::from_secs(1), asked)
            .await
            .map_err(|_| BrowserError::timeout("SystemInfo.getInfo did not answer within 1000 ms"))?
            .map_err(|e| BrowserError::unavailable(format!("SystemInfo.getInfo failed: {e}")))?;
        let info = serde_json::to_value(&reply.result)
            .map_err(|e| BrowserError::unavailable(format!("SystemInfo.getInfo: {e}")))?;
        live.system_info = Some((info, observed_at));
        Ok(live.system_info.clone().unwrap())
    }

    async fn browser(&self) -> Result<std::sync::Arc<chromiumoxide::Browser>, BrowserError> {
        let running = self.running.lock().await;
        running
            .as_ref()
            .filter(|r| r.chromium.is_alive())
            .map(|r| r.chromium.browser.clone())
            .ok_or_else(|| BrowserError::unavailable("browser not running"))
    }
}
