//! The automation browser's life and tabs (the `browser-automation` capability, interface `browser-tabs`).

pub use crate::bindings::openclaw::plugin::browser_tabs::*;
