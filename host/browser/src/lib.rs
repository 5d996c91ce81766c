//! The node's headless Chromium: one canvas page driven over the DevTools protocol, and the
//! browser control requests that `browser.proxy` forwards. Knows nothing about plugins.

mod automation;
mod bridge;
mod browser;
mod canvas;
mod chromium;
mod control;
pub mod dialogs;
mod error;
mod guard;
mod json_routes;
mod page_commands;
pub mod page_log;
mod pipe;
mod tab_aliases;
pub mod target;

pub use automation::{AutomationBrowser, AutomationOptions, AutomationStatus, Download, Tab};
pub use browser::{BrowserOptions, NodeBrowser};
pub use canvas::{CaptureOptions, Image, ImageFormat, Placement, MAX_IMAGE_BASE64_BYTES};
pub use control::{ControlRequest, ControlResponse, MAX_CONTROL_BODY_BYTES};
pub use error::BrowserError;
