//! Reading and replacing the node's exec approvals (the `exec-approvals` capability, a grant
//! of its own: whoever edits the approvals decides what `exec` may run). Both functions answer
//! the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::exec_approvals as raw;
use crate::Failure;

/// The approvals as JSON text: `{path, exists, hash, file}`.
pub fn get() -> Result<String, Failure> {
    Ok(raw::get()?)
}

/// Replaces the approvals document with `file_json`; `base_hash` must name the stored one.
/// Answers the approvals as [`get`] does.
pub fn set(file_json: &str, base_hash: Option<&str>) -> Result<String, Failure> {
    Ok(raw::set(file_json, base_hash)?)
}
