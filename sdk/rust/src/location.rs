//! The node's position (the `location` capability): gpsd or a configured position.

pub use crate::bindings::openclaw::plugin::location::*;
