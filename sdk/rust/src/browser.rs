//! The node's canvas and browser (the `browser` capability): one headless Chromium page the
//! host owns, and that browser's control endpoint. The host starts Chromium on first use and
//! refuses anything off loopback.

pub use crate::bindings::openclaw::plugin::browser::{
    capture, control, evaluate, hide, navigate, present, CaptureOptions, ControlRequest,
    ControlResponse, Image, ImageFormat, Placement,
};
