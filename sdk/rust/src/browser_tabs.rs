//! The automation browser's life and tabs (the `browser-automation` capability, interface
//! `browser-tabs`): a Chromium of its own that browser control drives, never the canvas's.
//! Tabs are named `t1`, `t2`, ... as they are first seen, and may carry a label. The functions
//! that can fail answer the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::browser_tabs as raw;
use crate::Failure;

pub use raw::{current_tab, status, stop, AutomationStatus, SystemReport, Tab};

/// Starts the browser unless it runs (a running one is left as it is); `headless` overrides
/// the config.
pub fn start(headless: Option<bool>) -> Result<(), Failure> {
    Ok(raw::start(headless)?)
}

/// The page tabs, named; `None` when the browser does not run.
pub fn tabs() -> Result<Option<Vec<Tab>>, Failure> {
    Ok(raw::tabs()?)
}

/// Opens `url` in a new background tab, named (and labelled) at once.
pub fn open_tab(url: &str, label: Option<&str>) -> Result<Tab, Failure> {
    Ok(raw::open_tab(url, label)?)
}

pub fn focus_tab(target_id: &str) -> Result<(), Failure> {
    Ok(raw::focus_tab(target_id)?)
}

pub fn close_tab(target_id: &str) -> Result<(), Failure> {
    Ok(raw::close_tab(target_id)?)
}

/// Labels a tab; another tab with that label loses it.
pub fn label_tab(target_id: &str, label: &str) -> Result<Tab, Failure> {
    Ok(raw::label_tab(target_id, label)?)
}

/// What the running browser says of its graphics and system, read once per run.
pub fn system_info() -> Result<SystemReport, Failure> {
    Ok(raw::system_info()?)
}
