//! The node's V4L2 cameras (the `camera` capability): pictures (JPEG) and clips (mp4), as
//! base64. The functions that can fail answer the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::camera as raw;
use crate::Failure;

pub use raw::{devices, Clip, Device, Picture};

/// One frame, at most `max_width` wide, JPEG `quality` 1..=100.
pub fn snap(device_id: &str, max_width: u32, quality: u8) -> Result<Picture, Failure> {
    Ok(raw::snap(device_id, max_width, quality)?)
}

/// As [`snap`], but the frame is the one `delay_ms` (at most 10000) into the camera's video,
/// once its exposure has settled.
pub fn snap_delayed(
    device_id: &str,
    max_width: u32,
    quality: u8,
    delay_ms: u32,
) -> Result<Picture, Failure> {
    Ok(raw::snap_delayed(device_id, max_width, quality, delay_ms)?)
}

/// A clip of `duration_ms`, clamped to 60 s.
pub fn capture_clip(device_id: &str, duration_ms: u32) -> Result<Clip, Failure> {
    Ok(raw::capture_clip(device_id, duration_ms)?)
}
