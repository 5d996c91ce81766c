//! Processes on the node (the `exec` capability). The host applies the operator's exec
//! approvals to every call; a plugin only shapes requests and results.

pub use crate::bindings::openclaw::plugin::exec::{prepare, run, which, RunOutput, RunRequest};
