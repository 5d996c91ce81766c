//! The node's canvas and browser (the `browser` capability): one headless Chromium page the
//! host owns, and that browser's control endpoint. The host starts Chromium on first use and
//! refuses anything off loopback. The functions answer the SDK's [`Failure`]; [`Placement`]
//! has a `Default` (keep everything), and [`CaptureOptions::new`] and [`ControlRequest::new`]
//! fill in the rest of their records.

use crate::bindings::openclaw::plugin::browser as raw;
use crate::Failure;

pub use raw::{CaptureOptions, ControlRequest, ControlResponse, Image, ImageFormat, Placement};

/// Shows the canvas window, placed as asked.
pub fn present(placement: Placement) -> Result<(), Failure> {
    Ok(raw::present(placement)?)
}

/// Hides the window; the page stays loaded.
pub fn hide() -> Result<(), Failure> {
    Ok(raw::hide()?)
}

/// Loads an http(s), file, data or about:blank URL, or an absolute file path, and waits for
/// it; answers the URL loaded.
pub fn navigate(target: &str) -> Result<String, Failure> {
    Ok(raw::navigate(target)?)
}

/// Runs JavaScript in the page, awaiting a promise it returns; answers the value as JSON
/// text. A throw is a failure carrying its message.
pub fn evaluate(script: &str, timeout_ms: u32) -> Result<String, Failure> {
    Ok(raw::evaluate(script, timeout_ms)?)
}

/// A picture of what the canvas shows.
pub fn capture(options: CaptureOptions) -> Result<Image, Failure> {
    Ok(raw::capture(options)?)
}

/// One HTTP request to the browser control endpoint (bodies over 24 MiB fail with
/// `PAYLOAD_TOO_LARGE`).
pub fn control(request: &ControlRequest) -> Result<ControlResponse, Failure> {
    Ok(raw::control(request)?)
}

/// No field given: the window keeps its place and size.
impl Default for Placement {
    fn default() -> Placement {
        Placement {
            x: None,
            y: None,
            width: None,
            height: None,
        }
    }
}

impl CaptureOptions {
    /// A picture in `format`, at the canvas's own width and the host's JPEG quality.
    pub fn new(format: ImageFormat) -> CaptureOptions {
        CaptureOptions {
            format,
            quality: None,
            max_width: None,
        }
    }
}

impl ControlRequest {
    /// A `method` request (`GET`, `POST` or `DELETE`) for `path` on the control endpoint,
    /// without a query or a body, that waits up to 30 s.
    pub fn new(method: &str, path: &str) -> ControlRequest {
        ControlRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: Vec::new(),
            body: None,
            timeout_ms: 30_000,
        }
    }
}
