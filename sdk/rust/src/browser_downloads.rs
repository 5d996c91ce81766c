//! What the automation browser's tabs download (the `browser-automation` capability, interface
//! `browser-downloads`), kept in the node's private downloads dir. The functions that can fail
//! answer the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::browser_downloads as raw;
use crate::Failure;

pub use raw::{collect_downloads, Download};

/// Arms a waiter for the tab's next download, kept as `file_name` or else as
/// `<uuid>-<its name>`; answers the waiter for [`await_download`].
pub fn arm_download(target_id: &str, file_name: Option<&str>) -> Result<u64, Failure> {
    Ok(raw::arm_download(target_id, file_name)?)
}

/// Waits for an armed waiter's download to finish; `TIMEOUT` when none came in time, and the
/// waiter is then gone.
pub fn await_download(waiter: u64, timeout_ms: u32) -> Result<Download, Failure> {
    Ok(raw::await_download(waiter, timeout_ms)?)
}

/// Starts collecting what the tab downloads from now on; answers the watch for
/// [`collect_downloads`].
pub fn watch_downloads(target_id: &str) -> Result<u64, Failure> {
    Ok(raw::watch_downloads(target_id)?)
}
