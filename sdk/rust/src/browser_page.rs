//! What a tab's page does and shows: DevTools commands, logs, dialogs, notes, media (the `browser-automation` capability, interface `browser-page`).

pub use crate::bindings::openclaw::plugin::browser_page::*;
