//! One Chromium process: found, started headless on loopback with a fresh profile, connected
//! over the DevTools protocol, and killed (with its whole process group) when dropped.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::browser::{GetWindowForTargetParams, WindowId};
use chromiumoxide::error::CdpError;
use chromiumoxide::{Browser, Page};
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::BrowserError;

/// Names tried on PATH when no executable is configured.
const CANDIDATES: &[&str] = &["chromium", "chromium-browser", "google-chrome", "chrome"];
/// How long Chromium gets to print its DevTools address.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Size of the canvas window until `canvas.present` says otherwise.
pub const DEFAULT_WINDOW: (u32, u32) = (1024, 768);

pub struct Chromium {
    pub page: Page,
    pub window: WindowId,
    /// The DevTools HTTP endpoint, e.g. `http://127.0.0.1:9222`.
    pub http_base: String,
    _browser: Browser,
    child: Child,
    handler: JoinHandle<()>,
    /// Set when the DevTools connection ended.
    lost: Arc<AtomicBool>,
}

/// The executable to run: the configured one, or the first candidate on PATH.
pub fn find_executable(configured: Option<&Path>) -> Result<PathBuf, BrowserError> {
    if let Some(path) = configured {
        if path.is_file() {
            return Ok(path.to_path_buf());
        }
        return Err(BrowserError::unavailable(format!(
            "Chromium not found at {} (browser.executablePath in openclaw.json); install it with `apt-get install chromium` or fix the path",
            path.display()
        )));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in CANDIDATES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(BrowserError::unavailable(
        "Chromium is not installed on this node (looked for chromium, chromium-browser, google-chrome on PATH); install it with `apt-get install chromium`, or set browser.executablePath in openclaw.json",
    ))
}

impl Chromium {
    pub async fn launch(executable: &Path, profile_dir: &Path) -> Result<Chromium, BrowserError> {
        // A fresh profile every start: nothing from an earlier run leaks into the canvas.
        if profile_dir.exists() {
            std::fs::remove_dir_all(profile_dir).map_err(|e| {
                BrowserError::unavailable(format!(
                    "cannot clear the browser profile {}: {e}",
                    profile_dir.display()
                ))
            })?;
        }
        let mut command = Command::new(executable);
        command
            .args([
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile_dir.display()))
            .arg(format!(
                "--window-size={},{}",
                DEFAULT_WINDOW.0, DEFAULT_WINDOW.1
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            // Its own process group, so the renderers go down with it.
            .process_group(0);
        // And killed with the node, however the node ends.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        // Chromium refuses to run as root with its sandbox on.
        if unsafe { libc::geteuid() } == 0 {
            command.arg("--no-sandbox");
        }
        command.arg("about:blank");
        let mut child = command.spawn().map_err(|e| {
            BrowserError::unavailable(format!("cannot start {}: {e}", executable.display()))
        })?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let ws_url = match tokio::time::timeout(START_TIMEOUT, devtools_url(stderr)).await {
            Ok(Ok(url)) => url,
            Ok(Err(tail)) => {
                kill_group(&child);
                return Err(BrowserError::unavailable(format!(
                    "Chromium exited before it was ready: {tail}"
                )));
            }
            Err(_) => {
                kill_group(&child);
                return Err(BrowserError::unavailable(format!(
                    "Chromium did not open its DevTools endpoint within {} s",
                    START_TIMEOUT.as_secs()
                )));
            }
        };
        let http_base = ws_url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .map(|authority| format!("http://{authority}"))
            .ok_or_else(|| BrowserError::unavailable(format!("odd DevTools address {ws_url}")))?;
        let (browser, mut events) = Browser::connect(ws_url).await?;
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        let handler = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                match event {
                    Ok(()) => {}
                    Err(e @ CdpError::InvalidMessage(..)) => tracing::debug!("devtools: {e}"),
                    Err(e) => {
                        tracing::warn!("the DevTools connection to Chromium failed: {e}");
                        break;
                    }
                }
            }
            // Mark it lost before the handler goes, so calls that fail because of it see why.
            flag.store(true, Ordering::SeqCst);
            drop(events);
        });
        let page = browser.new_page("about:blank").await?;
        let window = page
            .execute(
                GetWindowForTargetParams::builder()
                    .target_id(page.target_id().clone())
                    .build(),
            )
            .await?
            .result
            .window_id;
        tracing::info!(pid = child.id(), %http_base, "started Chromium for the canvas");
        Ok(Chromium {
            page,
            window,
            http_base,
            _browser: browser,
            child,
            handler,
            lost,
        })
    }

    /// False once the process exited or the DevTools connection closed.
    pub fn is_alive(&mut self) -> bool {
        !self.lost.load(Ordering::SeqCst) && matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.handler.abort();
        kill_group(&self.child);
    }
}

fn kill_group(child: &Child) {
    if let Some(pid) = child.id() {
        // The group id is the pid (process_group(0)); renderers and zygotes share it.
        unsafe { libc::killpg(pid as libc::pid_t, libc::SIGKILL) };
    }
}

/// Reads Chromium's stderr until it prints `DevTools listening on ws://...`; keeps draining
/// it afterwards so Chromium never blocks on a full pipe. On exit, the error holds the tail.
async fn devtools_url(stderr: tokio::process::ChildStderr) -> Result<String, String> {
    let mut lines = BufReader::new(stderr).lines();
    let mut tail: Vec<String> = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(at) = line.find("ws://") {
            let url = line[at..].trim().to_string();
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    tracing::trace!(target: "chromium", "{line}");
                }
            });
            return Ok(url);
        }
        tail.push(line);
        if tail.len() > 5 {
            tail.remove(0);
        }
    }
    Err(tail.join(" | "))
}
