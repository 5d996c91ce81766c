//! The automation browser that browser control drives (the `browser-automation` capability).

pub use crate::bindings::openclaw::plugin::browser_automation::*;
