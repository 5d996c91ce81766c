//! Desktop notifications (the `notify` capability) through the session D-Bus.

pub use crate::bindings::openclaw::plugin::notify::*;
