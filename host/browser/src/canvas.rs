//! What the canvas does: show and place its window, hide it, load a page, run JavaScript in
//! it, and take a picture of it.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::browser::{
    Bounds, BoundsBuilder, SetWindowBoundsParams, WindowState,
};
use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, GetLayoutMetricsParams, NavigateParams,
    Viewport,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    EvaluateParams, TerminateExecutionParams, TimeDelta,
};
use serde_json::Value;

use crate::browser::{Canvas, NodeBrowser};
use crate::BrowserError;

/// Largest picture (as base64) a snapshot returns; it must fit a result frame.
pub const MAX_IMAGE_BASE64_BYTES: usize = 24 * 1024 * 1024;
/// Longest a page may take to load.
const NAVIGATE_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the canvas window goes; absent fields keep their current value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placement {
    pub x: Option<i32>,
    pub y: Option<i32>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureOptions {
    pub format: ImageFormat,
    /// 1..=100, JPEG only.
    pub quality: Option<u8>,
    /// Scale the picture down to at most this many pixels wide.
    pub max_width: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub base64: String,
}

/// Largest window the canvas accepts, per side.
const MAX_WINDOW_SIDE: u32 = 8192;

impl NodeBrowser {
    /// Shows the canvas window, placed as asked.
    pub async fn present(&self, placement: Placement) -> Result<(), BrowserError> {
        for (name, side) in [("width", placement.width), ("height", placement.height)] {
            if let Some(side) = side {
                if side == 0 || side > MAX_WINDOW_SIDE {
                    return Err(BrowserError::invalid(format!(
                        "{name} must be between 1 and {MAX_WINDOW_SIDE}"
                    )));
                }
            }
        }
        self.with_canvas(move |canvas| async move {
            // A minimized window ignores bounds: restore it first.
            set_window(&canvas, Bounds::builder().window_state(WindowState::Normal)).await?;
            if placement != Placement::default() {
                let mut bounds = Bounds::builder();
                if let Some(x) = placement.x {
                    bounds = bounds.left(i64::from(x));
                }
                if let Some(y) = placement.y {
                    bounds = bounds.top(i64::from(y));
                }
                if let Some(w) = placement.width {
                    bounds = bounds.width(i64::from(w));
                }
                if let Some(h) = placement.height {
                    bounds = bounds.height(i64::from(h));
                }
                set_window(&canvas, bounds).await?;
            }
            let mut shown = String::from("document.visibilityState === 'visible'");
            if let Some(w) = placement.width {
                shown.push_str(&format!(" && outerWidth === {w}"));
            }
            if let Some(h) = placement.height {
                shown.push_str(&format!(" && outerHeight === {h}"));
            }
            settle(&canvas, &shown).await;
            Ok(())
        })
        .await
    }

    /// Hides the canvas window; its page stays loaded (and sees `visibilityState: hidden`).
    pub async fn hide(&self) -> Result<(), BrowserError> {
        self.with_canvas(move |canvas| async move {
            set_window(
                &canvas,
                Bounds::builder().window_state(WindowState::Minimized),
            )
            .await?;
            settle(&canvas, "document.visibilityState === 'hidden'").await;
            Ok(())
        })
        .await
    }

    /// Loads `target` (a URL or an absolute file path) and waits for it; answers the URL.
    pub async fn navigate(&self, target: &str) -> Result<String, BrowserError> {
        let url = &crate::target::canvas_url(target, &self.options.canvas_files)?;
        self.with_canvas(move |canvas| async move {
            let navigation = canvas.page.goto(NavigateParams::new(url.as_str()));
            match tokio::time::timeout(NAVIGATE_TIMEOUT, navigation).await {
                Ok(Ok(_)) => Ok(url.to_string()),
                Ok(Err(e)) => Err(BrowserError::unavailable(format!("cannot load {url}: {e}"))),
                Err(_) => Err(BrowserError::timeout(format!(
                    "{url} did not load within {} s",
                    NAVIGATE_TIMEOUT.as_secs()
                ))),
            }
        })
        .await
    }

    /// Runs `script` in the page (awaiting a promise it returns) and answers its value as
    /// JSON; `undefined` and functions come back as `null`.
    pub async fn evaluate(&self, script: &str, timeout: Duration) -> Result<Value, BrowserError> {
        let too_slow = move || {
            BrowserError::timeout(format!(
                "the script did not finish within {} ms",
                timeout.as_millis()
            ))
        };
        let returns = self
            .with_canvas(move |canvas| async move {
                let mut params = EvaluateParams::new(script);
                params.await_promise = Some(true);
                params.return_by_value = Some(true);
                params.user_gesture = Some(true);
                params.timeout = Some(TimeDelta::new(timeout.as_millis() as f64));
                match tokio::time::timeout(timeout, canvas.page.execute(params)).await {
                    Ok(result) => Ok(result?.result),
                    Err(_) => {
                        // A promise that never settles: stop whatever is still running.
                        let stop = TerminateExecutionParams::default();
                        canvas.page.execute(stop).await.ok();
                        Err(too_slow())
                    }
                }
            })
            .await?;
        let Some(details) = returns.exception_details else {
            return Ok(returns.result.value.unwrap_or(Value::Null));
        };
        let exception = details.exception.as_ref();
        let description = exception
            .and_then(|e| e.description.clone())
            .or_else(|| exception.and_then(|e| e.value.as_ref().map(|v| v.to_string())))
            .unwrap_or(details.text);
        if description.contains("Execution was terminated") {
            return Err(too_slow());
        }
        Err(BrowserError::invalid(format!(
            "the script threw: {description}"
        )))
    }

    /// A picture of what the canvas shows.
    pub async fn capture(&self, options: CaptureOptions) -> Result<Image, BrowserError> {
        if options.max_width == Some(0) {
            return Err(BrowserError::invalid("maxWidth must be at least 1"));
        }
        self.with_canvas(move |canvas| async move { capture(&canvas, options).await })
            .await
    }
}

async fn set_window(canvas: &Canvas, bounds: BoundsBuilder) -> Result<(), BrowserError> {
    let params = SetWindowBoundsParams::new(canvas.window, bounds.build());
    canvas.page.execute(params).await?;
    Ok(())
}

/// Longest the canvas waits for its page to see a window change.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(2);

/// Waits until `condition` holds in the page: the browser applies window changes at once but
/// tells the page a little later, and a caller's next script must see the new state. A page
/// that never agrees (a window manager clamping the size, say) only costs the wait.
async fn settle(canvas: &Canvas, condition: &str) {
    let deadline = tokio::time::Instant::now() + SETTLE_TIMEOUT;
    while tokio::time::Instant::now() < deadline {
        let mut params = EvaluateParams::new(condition);
        params.return_by_value = Some(true);
        let agrees = canvas
            .page
            .execute(params)
            .await
            .is_ok_and(|r| r.result.result.value == Some(Value::Bool(true)));
        if agrees {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tracing::debug!("the canvas page did not see `{condition}` in time");
}

async fn capture(canvas: &Canvas, options: CaptureOptions) -> Result<Image, BrowserError> {
    let metrics = canvas
        .page
        .execute(GetLayoutMetricsParams::default())
        .await?;
    let view = &metrics.result.css_visual_viewport;
    let (width, height) = (view.client_width.max(1.0), view.client_height.max(1.0));
    let scale = match options.max_width {
        Some(max) if f64::from(max) < width => f64::from(max) / width,
        _ => 1.0,
    };
    let mut params = CaptureScreenshotParams::builder()
        .format(match options.format {
            ImageFormat::Png => CaptureScreenshotFormat::Png,
            ImageFormat::Jpeg => CaptureScreenshotFormat::Jpeg,
        })
        .clip(Viewport {
            x: view.page_x,
            y: view.page_y,
            width,
            height,
            scale,
        });
    if let (ImageFormat::Jpeg, Some(quality)) = (options.format, options.quality) {
        params = params.quality(i64::from(quality.clamp(1, 100)));
    }
    let shot = canvas.page.execute(params.build()).await?;
    let base64: String = shot.result.data.into();
    if base64.len() > MAX_IMAGE_BASE64_BYTES {
        return Err(BrowserError::too_large(format!(
            "the snapshot is {} bytes as base64, over the {MAX_IMAGE_BASE64_BYTES}-byte limit; pass a smaller maxWidth or use jpeg",
            base64.len()
        )));
    }
    Ok(Image {
        format: options.format,
        width: (width * scale).round() as u32,
        height: (height * scale).round() as u32,
        base64,
    })
}
