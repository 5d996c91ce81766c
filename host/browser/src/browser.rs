//! The node's one browser: Chromium started on first use, started again when it died, and
//! stopped with the node. Callers get the canvas page; the process stays private.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use chromiumoxide::cdp::browser_protocol::browser::WindowId;
use chromiumoxide::{Browser, Page};
use reqwest::Url;
use tokio::sync::Mutex;

use crate::chromium::{find_executable, Chromium};
use crate::guard::RequestPolicy;
use crate::target::CanvasFiles;
use crate::BrowserError;

pub struct BrowserOptions {
    /// `browser.executablePath`; `None` looks on PATH.
    pub executable: Option<PathBuf>,
    /// Wiped at every start of Chromium.
    pub profile_dir: PathBuf,
    /// `browser.cdpUrl`: where `browser.proxy` forwards instead of this Chromium's endpoint.
    pub control_url: Option<String>,
    /// Where the canvas may read local files.
    pub canvas_files: CanvasFiles,
}

pub struct NodeBrowser {
    pub(crate) options: BrowserOptions,
    running: Mutex<Option<Chromium>>,
    pub(crate) http: reqwest::Client,
}

/// What a canvas operation works on: the page and its window.
#[derive(Clone)]
pub(crate) struct Canvas {
    pub page: Page,
    pub window: WindowId,
}

impl NodeBrowser {
    pub fn new(options: BrowserOptions) -> NodeBrowser {
        NodeBrowser {
            options,
            running: Mutex::new(None),
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a plain HTTP client builds"),
        }
    }

    /// The canvas page, starting Chromium if it is not running (or died).
    pub(crate) async fn canvas(&self) -> Result<Canvas, BrowserError> {
        let mut running = self.running.lock().await;
        if let Some(chromium) = running.as_mut() {
            if let (true, Some(page), Some(window)) =
                (chromium.is_alive(), &chromium.page, chromium.window)
            {
                return Ok(Canvas {
                    page: page.clone(),
                    window,
                });
            }
            tracing::warn!("Chromium died; starting it again");
            *running = None;
        }
        let executable = find_executable(self.options.executable.as_deref())?;
        let policy = RequestPolicy {
            files: self.options.canvas_files.clone(),
            control: self
                .options
                .control_url
                .as_deref()
                .and_then(|url| Url::parse(url).ok()),
        };
        let chromium = Chromium::launch(&executable, &self.options.profile_dir, policy).await?;
        let canvas = Canvas {
            page: chromium
                .page
                .clone()
                .expect("the canvas Chromium has its page"),
            window: chromium.window.expect("the canvas Chromium has its window"),
        };
        *running = Some(chromium);
        Ok(canvas)
    }

    /// Runs `op` on the canvas; if Chromium died under it, once more on a new Chromium.
    pub(crate) async fn with_canvas<T, F, Fut>(&self, op: F) -> Result<T, BrowserError>
    where
        F: Fn(Canvas) -> Fut,
        Fut: Future<Output = Result<T, BrowserError>>,
    {
        match op(self.canvas().await?).await {
            Err(e) if self.forget_if_dead().await => {
                tracing::warn!("Chromium went away during a call ({e}); starting it again");
                op(self.canvas().await?).await
            }
            result => result,
        }
    }

    /// True (and the process is forgotten) when Chromium exited or its connection closed.
    async fn forget_if_dead(&self) -> bool {
        let mut running = self.running.lock().await;
        let dead = running
            .as_mut()
            .is_some_and(|chromium| !chromium.is_alive());
        if dead {
            *running = None;
        }
        dead
    }

    /// The running Chromium's DevTools client, starting Chromium if need be.
    pub(crate) async fn browser(&self) -> Result<Arc<Browser>, BrowserError> {
        self.canvas().await?;
        let running = self.running.lock().await;
        running
            .as_ref()
            .map(|chromium| chromium.browser.clone())
            .ok_or_else(|| BrowserError::unavailable("Chromium stopped"))
    }
}
