//! The `browser` capability: the plugin side of the node's Chromium. Each function hands the
//! request to `openclaw_browser` and turns its errors into failures with the same codes.

use std::sync::Arc;
use std::time::Duration;

use openclaw_browser::{self as nb, NodeBrowser};
use wasmtime::component::{HasSelf, Linker};

use super::view::{Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::browser::{
    self, CaptureOptions, ControlRequest, ControlResponse, Image, ImageFormat, Placement,
};
use crate::bindings::{host_failure, Failure};

pub const NAME: &str = "browser";
pub const INTERFACES: &[&str] = &["openclaw:plugin/browser"];

pub fn link<T: Holds<Browser>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    browser::add_to_linker::<T, HasSelf<Browser>>(linker, T::holds)
}

pub struct Browser {
    browser: Arc<NodeBrowser>,
}

impl CapabilityState for Browser {
    fn new(caller: &Caller) -> Browser {
        Browser {
            browser: caller.services.browser.clone(),
        }
    }
}

/// Longest a script or control request may run, whatever the plugin asks.
const MAX_TIMEOUT: Duration = Duration::from_secs(120);

fn failure(e: nb::BrowserError) -> Failure {
    host_failure(e.code, e.message)
}

fn bounded(timeout_ms: u32) -> Duration {
    Duration::from_millis(u64::from(timeout_ms.max(1))).min(MAX_TIMEOUT)
}

impl browser::Host for Browser {
    async fn present(&mut self, placement: Placement) -> Result<(), Failure> {
        let placement = nb::Placement {
            x: placement.x,
            y: placement.y,
            width: placement.width,
            height: placement.height,
        };
        self.browser.present(placement).await.map_err(failure)
    }

    async fn hide(&mut self) -> Result<(), Failure> {
        self.browser.hide().await.map_err(failure)
    }

    async fn navigate(&mut self, target: String) -> Result<String, Failure> {
        self.browser.navigate(&target).await.map_err(failure)
    }

    async fn evaluate(&mut self, script: String, timeout_ms: u32) -> Result<String, Failure> {
        let value = self
            .browser
            .evaluate(&script, bounded(timeout_ms))
            .await
            .map_err(failure)?;
        Ok(value.to_string())
    }

    async fn capture(&mut self, options: CaptureOptions) -> Result<Image, Failure> {
        let options = nb::CaptureOptions {
            format: match options.format {
                ImageFormat::Png => nb::ImageFormat::Png,
                ImageFormat::Jpeg => nb::ImageFormat::Jpeg,
            },
            quality: options.quality,
            max_width: options.max_width,
        };
        let image = self.browser.capture(options).await.map_err(failure)?;
        Ok(Image {
            format: match image.format {
                nb::ImageFormat::Png => ImageFormat::Png,
                nb::ImageFormat::Jpeg => ImageFormat::Jpeg,
            },
            width: image.width,
            height: image.height,
            base64: image.base64,
        })
    }

    async fn control(&mut self, request: ControlRequest) -> Result<ControlResponse, Failure> {
        let request = nb::ControlRequest {
            method: request.method,
            path: request.path,
            query: request.query,
            body: request.body,
            timeout: bounded(request.timeout_ms),
        };
        let response = self.browser.control(request).await.map_err(failure)?;
        Ok(ControlResponse {
            status: response.status,
            json: response.json,
            body: response.body,
            route_json: response.route.to_string(),
        })
    }
}
