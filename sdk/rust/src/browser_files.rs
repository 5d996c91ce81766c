//! Files given to a tab's page (the `browser-automation` capability, interface
//! `browser-files`): file inputs and choosers, from the node's upload dir and inbound media,
//! and uploads a request carried. The functions answer the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::browser_files as raw;
use crate::Failure;

pub use raw::UploadFile;

/// Gives the file input `object_id` (a remote object of the tab's page) the files at `paths`.
pub fn set_input_files(target_id: &str, object_id: &str, paths: &[String]) -> Result<(), Failure> {
    Ok(raw::set_input_files(target_id, object_id, paths)?)
}

/// Arms the tab's next file chooser to get `paths` for `ttl_ms`; answers the arm for
/// [`await_file_chooser`]. A newer arm replaces it.
pub fn arm_file_chooser(target_id: &str, paths: &[String], ttl_ms: u32) -> Result<u64, Failure> {
    Ok(raw::arm_file_chooser(target_id, paths, ttl_ms)?)
}

/// Waits until an armed chooser opened and took its files.
pub fn await_file_chooser(arm: u64, timeout_ms: u32) -> Result<(), Failure> {
    Ok(raw::await_file_chooser(arm, timeout_ms)?)
}

/// Stages files a request carried in a fresh private dir under the upload dir, kept 24 hours;
/// answers their paths in order.
pub fn stage_upload(files: &[UploadFile]) -> Result<Vec<String>, Failure> {
    Ok(raw::stage_upload(files)?)
}

/// Removes a staged upload at once, given a path [`stage_upload`] answered.
pub fn discard_upload(path: &str) -> Result<(), Failure> {
    Ok(raw::discard_upload(path)?)
}
