//! The automation browser that browser control drives (the `browser-automation` capability),
//! as one interface: 0.1.5 to 0.1.7. Since 0.1.8 it is four: [`browser_tabs`](crate::browser_tabs),
//! [`browser_page`](crate::browser_page), [`browser_downloads`](crate::browser_downloads) and
//! [`browser_files`](crate::browser_files).

pub use crate::bindings::openclaw::plugin::browser_automation::*;
