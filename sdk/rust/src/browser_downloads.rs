//! What the automation browser's tabs download (the `browser-automation` capability, interface `browser-downloads`).

pub use crate::bindings::openclaw::plugin::browser_downloads::*;
