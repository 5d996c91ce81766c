//! Directories under the roots the operator granted this plugin (the `fs` capability).

pub use crate::bindings::openclaw::plugin::fs::*;
