//! Terminal uploads staged on the node for a while (the `uploads` capability).

pub use crate::bindings::openclaw::plugin::uploads::*;
