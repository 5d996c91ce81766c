//! The node's V4L2 cameras (the `camera` capability).

pub use crate::bindings::openclaw::plugin::camera::*;
