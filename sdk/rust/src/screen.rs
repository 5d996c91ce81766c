//! Recordings of the node's X displays (the `screen` capability).

pub use crate::bindings::openclaw::plugin::screen::*;
