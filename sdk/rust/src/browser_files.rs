//! Files given to a tab's page, and uploads a request carried (the `browser-automation` capability, interface `browser-files`).

pub use crate::bindings::openclaw::plugin::browser_files::*;
