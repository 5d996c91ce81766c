//! Recordings of the screens of the node's X display (the `screen` capability), as base64
//! mp4. [`capture`] answers the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::screen as raw;
use crate::Failure;

pub use raw::{display, Recording};

/// Records X screen `screen_index` of the display for `duration_ms` (clamped to 60 s) at
/// `fps` frames a second.
pub fn capture(screen_index: u32, duration_ms: u32, fps: u32) -> Result<Recording, Failure> {
    Ok(raw::capture(screen_index, duration_ms, fps)?)
}
