//! Recordings of the node's X display (ffmpeg's x11grab), as mp4: one screen of `$DISPLAY`.

use std::time::Duration;

use crate::{ffmpeg, HardwareError};

/// Longest recording.
pub const MAX_DURATION_MS: u32 = 60_000;

pub struct Recording {
    pub base64: String,
    pub duration_ms: u32,
}

/// The X display of this node (`$DISPLAY`), if it names one. Whether its server still runs
/// shows when ffmpeg connects.
pub fn display() -> Option<String> {
    std::env::var("DISPLAY").ok().filter(|d| !d.is_empty())
}

/// Whether `screen.record` can work: a display and ffmpeg.
pub fn works() -> bool {
    display().is_some() && ffmpeg::find().is_some()
}

/// Records X screen `index` of the display for `duration_ms` (clamped to 60 s) at `fps`.
pub async fn record(index: u32, duration_ms: u32, fps: u32) -> Result<Recording, HardwareError> {
    let display = display().ok_or_else(|| {
        HardwareError::unavailable("this node has no X display (DISPLAY is not set)")
    })?;
    let base = display.split('.').next().unwrap_or(&display);
    let screen = format!("{base}.{index}");
    let duration_ms = duration_ms.clamp(100, MAX_DURATION_MS);
    let fps = fps.clamp(1, 60);
    let seconds = format!("{:.3}", f64::from(duration_ms) / 1000.0);
    let args: Vec<String> = [
        "-f",
        "x11grab",
        "-framerate",
        &fps.to_string(),
        "-draw_mouse",
        "0",
        "-t",
        &seconds,
        "-i",
        &screen,
        // H.264 needs even sides.
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2",
    ]
    .iter()
    .chain(ffmpeg::MP4_OUTPUT)
    .map(|s| s.to_string())
    .collect();
    let deadline = Duration::from_millis(u64::from(duration_ms)) + Duration::from_secs(30);
    let base64 = ffmpeg::capture(&args, "mp4", deadline).await?;
    Ok(Recording {
        base64,
        duration_ms,
    })
}
