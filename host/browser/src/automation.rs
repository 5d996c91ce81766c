//! The automation browser: the Chromium that browser control drives, never the canvas's. Its
//! profile (`<state>/browser/openclaw/user-data`, 0700) outlives it; it starts and stops when
//! asked; its tabs are named as the real service names them (see `tab_aliases`).

use std::path::PathBuf;

use chromiumoxide::cdp::browser_protocol::target::{
    ActivateTargetParams, CloseTargetParams, CreateTargetParams, GetTargetsParams, TargetInfo,
};
use tokio::sync::Mutex;

use crate::chromium::{find_executable, Chromium, Launch};
use crate::guard::RequestPolicy;
use crate::tab_aliases::{valid_label, Alias, LiveTab, TabAliases};
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
}

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
    pub fn new(options: AutomationOptions) -> AutomationBrowser {
        AutomationBrowser {
            options,
            running: Mutex::new(None),
            aliases: std::sync::Mutex::new(TabAliases::default()),
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
            policy: RequestPolicy {
                files: self.options.files.clone(),
                control: self
                    .options
                    .control_url
                    .as_deref()
                    .and_then(|url| reqwest::Url::parse(url).ok()),
            },
        })
        .await?;
        *running = Some(Running {
            chromium,
            headless,
            headless_source,
        });
        Ok(())
    }

    /// Stops the browser; false when it was not running.
    pub async fn stop(&self) -> bool {
        let stopped = self.running.lock().await.take();
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

    async fn browser(&self) -> Result<std::sync::Arc<chromiumoxide::Browser>, BrowserError> {
        let running = self.running.lock().await;
        running
            .as_ref()
            .filter(|r| r.chromium.is_alive())
            .map(|r| r.chromium.browser.clone())
            .ok_or_else(|| BrowserError::unavailable("browser not running"))
    }

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
            .filter(|t| !INTERNAL_SCHEMES.iter().any(|s| t.url.starts_with(s)))
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
            return Err(BrowserError::invalid(
                "tab label must be 1-64 chars and use only letters, numbers, _, ., :, or -",
            ));
        }
        let browser = self.browser().await?;
        let created = browser
            .execute(
                CreateTargetParams::builder()
                    .url(url)
                    .background(true)
                    .build()
                    .map_err(BrowserError::invalid)?,
            )
            .await
            .map_err(cdp_failure)?
            .result
            .target_id;
        let target_id = created.inner().clone();
        let alias = self.aliases.lock().unwrap().assign(
            &LiveTab {
                target_id: target_id.clone(),
                url: url.to_string(),
            },
            label,
        );
        Ok(Tab {
            target_id,
            title: String::new(),
            url: url.to_string(),
            alias,
        })
    }

    pub async fn activate(&self, target_id: &str) -> Result<(), BrowserError> {
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
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dir: &std::path::Path) -> AutomationOptions {
        AutomationOptions {
            executable: None,
            user_data_dir: dir.join("browser/openclaw/user-data"),
            headless: Some(true),
            files: CanvasFiles {
                root: dir.join("canvas"),
                private: Vec::new(),
            },
            control_url: None,
        }
    }

    #[tokio::test]
    async fn tabs_are_named_and_the_profile_outlives_the_browser() {
        let dir = tempfile::tempdir().unwrap();
        let browser = AutomationBrowser::new(options(dir.path()));
        assert_eq!(browser.tabs().await.unwrap(), None, "stopped: no tabs");
        assert!(!browser.status().await.running);
        browser.start(None).await.unwrap();
        let status = browser.status().await;
        assert!(status.running && status.pid.is_some(), "{status:?}");
        assert_eq!((status.headless, status.headless_source), (true, "config"));
        use std::os::unix::fs::PermissionsExt;
        let profile = dir.path().join("browser/openclaw/user-data");
        let mode = std::fs::metadata(&profile).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        browser.start(Some(false)).await.unwrap();
        assert!(
            browser.status().await.headless,
            "a running browser is left as it is"
        );

        let first = browser
            .open("data:text/html,<title>one</title>", None)
            .await
            .unwrap();
        let second = browser
            .open("data:text/html,<title>two</title>", Some("work"))
            .await
            .unwrap();
        assert_eq!(first.alias.tab_id, "t1");
        assert_eq!(second.alias.suggested(), "work");
        let tabs = browser.tabs().await.unwrap().unwrap();
        let ids: Vec<&str> = tabs.iter().map(|t| t.alias.tab_id.as_str()).collect();
        assert!(ids.contains(&"t1") && ids.contains(&"t2"), "{tabs:?}");
        assert!(tabs.iter().all(|t| !t.url.starts_with("chrome://")));
        browser.activate(&first.target_id).await.unwrap();
        browser.close(&first.target_id).await.unwrap();

        assert!(browser.stop().await);
        assert!(!browser.stop().await);
        assert!(profile.join("Default").is_dir(), "the profile stays");
        // The counter outlives a restart of the browser.
        browser.start(None).await.unwrap();
        let third = browser.open("data:text/html,3", None).await.unwrap();
        assert_eq!(third.alias.tab_id, "t3");
        browser.stop().await;
    }
}
