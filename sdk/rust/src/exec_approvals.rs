//! Reading and replacing the node's exec approvals (the `exec-approvals` capability, a grant
//! of its own: whoever edits the approvals decides what `exec` may run).

pub use crate::bindings::openclaw::plugin::exec_approvals::{get, set};
