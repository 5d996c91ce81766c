//! One Chromium process: found, started headless with a fresh profile, driven over the
//! DevTools protocol on a pipe only the node holds, and killed (with its whole process group)
//! when dropped.

use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::browser::{GetWindowForTargetParams, WindowId};
use chromiumoxide::error::CdpError;
use chromiumoxide::{Browser, Page};
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::bridge::{self, Bridge};
use crate::guard::{self, RequestPolicy};
use crate::pipe;
use crate::BrowserError;

/// Names tried on PATH when no executable is configured.
const CANDIDATES: &[&str] = &["chromium", "chromium-browser", "google-chrome", "chrome"];
/// How long Chromium gets to answer on its DevTools pipe.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Size of the canvas window until `canvas.present` says otherwise.
pub const DEFAULT_WINDOW: (u32, u32) = (1024, 768);

pub struct Chromium {
    /// The canvas page and its window, for the canvas's Chromium.
    pub page: Option<Page>,
    pub window: Option<WindowId>,
    pub browser: Arc<Browser>,
    /// Its pid, which is also its process group's id.
    pid: libc::pid_t,
    /// Reaps Chromium and sets `exited`; dropping it kills Chromium.
    waiter: JoinHandle<()>,
    exited: Arc<AtomicBool>,
    handler: JoinHandle<()>,
    _bridge: Bridge,
    /// Answers the requests pages make; see `guard`.
    guard: JoinHandle<()>,
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

/// How a Chromium is started.
pub struct Launch<'a> {
    pub executable: &'a Path,
    pub profile_dir: &'a Path,
    /// Wipe the profile first (the canvas), or keep it from run to run (the automation
    /// browser's profile).
    pub fresh_profile: bool,
    pub headless: bool,
    /// What the first tab shows; `None` leaves Chromium's new-tab page, which is not a tab
    /// to drive.
    pub start_page: Option<&'a str>,
    pub policy: RequestPolicy,
}

impl Chromium {
    /// The canvas's Chromium: headless, a fresh profile, and the canvas page open.
    pub async fn launch(
        executable: &Path,
        profile_dir: &Path,
        policy: RequestPolicy,
    ) -> Result<Chromium, BrowserError> {
        let launch = Launch {
            executable,
            profile_dir,
            fresh_profile: true,
            headless: true,
            start_page: Some("about:blank"),
            policy,
        };
        let mut chromium = Chromium::start(launch).await?;
        let opened = open_canvas(&chromium.browser).await.map_err(|e| {
            BrowserError::unavailable(format!("Chromium did not open the canvas page: {e}"))
        })?;
        chromium.page = Some(opened.0);
        chromium.window = Some(opened.1);
        Ok(chromium)
    }

    /// Starts Chromium and connects to it over its pipe, with every request under the policy.
    pub async fn start(launch: Launch<'_>) -> Result<Chromium, BrowserError> {
        let Launch {
            executable,
            profile_dir,
            fresh_profile,
            headless,
            start_page,
            policy,
        } = launch;
        // A fresh profile every start: nothing from an earlier run leaks into the canvas.
        if fresh_profile && profile_dir.exists() {
            std::fs::remove_dir_all(profile_dir).map_err(|e| {
                BrowserError::unavailable(format!(
                    "cannot clear the browser profile {}: {e}",
                    profile_dir.display()
                ))
            })?;
        }
        let cannot_start = |e: std::io::Error| {
            BrowserError::unavailable(format!("cannot start {}: {e}", executable.display()))
        };
        let (child_ends, node_ends) = pipe::open().map_err(cannot_start)?;
        if !fresh_profile {
            openclaw_files::private_dir(profile_dir).map_err(cannot_start)?;
        }
        let mut command = command(executable, profile_dir, &policy, headless, child_ends.raw());
        command.args(start_page);
        let mut child = command.spawn().map_err(cannot_start)?;
        // Chromium has its copies now; the node's would keep the pipes open after it exits.
        drop(child_ends);
        let pid = child.id().expect("a child just spawned has a pid") as libc::pid_t;
        let stderr = keep_tail(child.stderr.take().expect("stderr is piped"));
        let bridge = bridge::open(node_ends).await.map_err(cannot_start)?;
        let (waiter, exited) = watch_exit(child, &bridge);
        let connected = tokio::time::timeout(START_TIMEOUT, connect(&bridge.url, policy)).await;
        let devtools = match connected {
            Ok(Ok(devtools)) => devtools,
            failed => {
                kill_group(pid);
                // Let the tail catch up with what Chromium said before it went.
                tokio::time::sleep(Duration::from_millis(100)).await;
                waiter.abort();
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {} s", START_TIMEOUT.as_secs()),
                };
                let tail = stderr.lock().unwrap().iter().cloned().collect::<Vec<_>>();
                return Err(BrowserError::unavailable(format!(
                    "Chromium did not start: {why}; it said: {}",
                    tail.join(" | ")
                )));
            }
        };
        tracing::info!(pid, "started Chromium");
        Ok(Chromium {
            page: None,
            window: None,
            browser: devtools.browser,
            pid,
            waiter,
            exited,
            handler: devtools.handler,
            _bridge: bridge,
            guard: devtools.guard,
            lost: devtools.lost,
        })
    }

    pub fn pid(&self) -> u32 {
        self.pid as u32
    }

    /// False once the process exited or the DevTools connection closed.
    pub fn is_alive(&self) -> bool {
        !self.lost.load(Ordering::SeqCst) && !self.exited.load(Ordering::SeqCst)
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.handler.abort();
        self.guard.abort();
        self.waiter.abort();
        kill_group(self.pid);
    }
}

/// Chromium with its DevTools on the pipe ends `fds`, its network under `policy`'s resolver
/// rules, in a process group of its own.
fn command(
    executable: &Path,
    profile_dir: &Path,
    policy: &RequestPolicy,
    headless: bool,
    fds: (RawFd, RawFd),
) -> Command {
    let mut command = Command::new(executable);
    if headless {
        command.arg("--headless");
    }
    command
        .args([
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--mute-audio",
            // DevTools on fds 3 and 4 only: no port another user could reach.
            "--remote-debugging-pipe",
        ])
        .arg(policy.host_resolver_switch())
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
    unsafe {
        command.pre_exec(move || {
            pipe::install(fds)?;
            // Killed with the node, however the node ends.
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
    command
}

/// Reaps Chromium; when it exits, sets the flag and ends the bridge. Renderers may outlive a
/// killed Chromium and hold the pipe open, so its exit, not the pipe's end, is what tells the
/// DevTools client that it is gone. Dropping the task kills Chromium.
fn watch_exit(mut child: Child, bridge: &Bridge) -> (JoinHandle<()>, Arc<AtomicBool>) {
    let exited = Arc::new(AtomicBool::new(false));
    let flag = exited.clone();
    let relay = bridge.relay.abort_handle();
    let waiter = tokio::spawn(async move {
        let status = child.wait().await;
        tracing::debug!("Chromium exited: {status:?}");
        flag.store(true, Ordering::SeqCst);
        relay.abort();
    });
    (waiter, exited)
}

/// The group id is Chromium's pid (process_group(0)); renderers and zygotes share it.
fn kill_group(pid: libc::pid_t) {
    unsafe { libc::killpg(pid, libc::SIGKILL) };
}

/// A DevTools session with a started Chromium.
struct DevTools {
    browser: Arc<Browser>,
    /// Drives the connection; sets `lost` when it ends.
    handler: JoinHandle<()>,
    guard: JoinHandle<()>,
    lost: Arc<AtomicBool>,
}

/// Connects through the bridge and puts every request under `policy`.
async fn connect(url: &str, policy: RequestPolicy) -> Result<DevTools, CdpError> {
    let (browser, mut events) = Browser::connect(url).await?;
    let browser = Arc::new(browser);
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
    // Before any page loads anything.
    let guard = guard::start(&browser, policy).await?;
    Ok(DevTools {
        browser,
        handler,
        guard,
        lost,
    })
}

/// The canvas page and its window.
async fn open_canvas(browser: &Browser) -> Result<(Page, WindowId), CdpError> {
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
    Ok((page, window))
}

/// Lines Chromium keeps in its stderr tail, for the error when it fails to start.
const TAIL_LINES: usize = 5;

/// Drains Chromium's stderr (so it never blocks on a full pipe), keeping the last lines.
fn keep_tail(stderr: tokio::process::ChildStderr) -> Arc<Mutex<VecDeque<String>>> {
    let tail = Arc::new(Mutex::new(VecDeque::new()));
    let kept = tail.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::trace!(target: "chromium", "{line}");
            let mut kept = kept.lock().unwrap();
            if kept.len() == TAIL_LINES {
                kept.pop_front();
            }
            kept.push_back(line);
        }
    });
    tail
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    use super::*;
    use crate::target::CanvasFiles;

    #[tokio::test]
    async fn a_browser_that_dies_at_start_fails_with_what_it_said() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("chromium");
        let script = "#!/bin/sh\necho 'Missing X server or $DISPLAY' >&2\nexit 1\n";
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o700)
            .open(&fake)
            .unwrap();
        file.write_all(script.as_bytes()).unwrap();
        drop(file);
        let policy = RequestPolicy {
            files: CanvasFiles {
                root: dir.path().to_path_buf(),
                private: Vec::new(),
            },
            control: None,
        };
        let Err(e) = Chromium::launch(&fake, &dir.path().join("profile"), policy).await else {
            panic!("a browser that exits at once started");
        };
        assert!(e.message.starts_with("Chromium did not start"), "{e}");
        assert!(e.message.contains("Missing X server or $DISPLAY"), "{e}");
    }
}
