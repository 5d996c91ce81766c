//! Recordings of the node's X display (ffmpeg's x11grab), as mp4: one screen of `$DISPLAY`.

use std::time::Duration;

use crate::{ffmpeg, DeviceError};

/// Longest recording.
pub const MAX_DURATION_MS: u32 = 60_000;

pub struct Recording {
    pub base64: String,
    pub duration_ms: u32,
}

/// The X display of this node (`$DISPLAY`), when its server is there.
pub fn display() -> Option<String> {
    let display = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty())?;
    // A local display `:N` has its socket in /tmp/.X11-unix; a remote one is taken on trust.
    match display.strip_prefix(':') {
        Some(rest) => {
            let number = rest.split('.').next().unwrap_or_default();
            std::path::Path::new(&format!("/tmp/.X11-unix/X{number}"))
                .exists()
                .then_some(display)
        }
        None => Some(display),
    }
}

/// Whether `screen.record` can work: a display and ffmpeg.
pub fn works() -> bool {
    display().is_some() && ffmpeg::find().is_some()
}

/// Records X screen `index` of the display for `duration_ms` (clamped to 60 s) at `fps`.
pub async fn record(index: u32, duration_ms: u32, fps: u32) -> Result<Recording, DeviceError> {
    let display = display().ok_or_else(|| {
        DeviceError::unavailable(
            "this node has no X display (DISPLAY is unset or its server is gone)",
        )
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
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-vf",
        "pad=ceil(iw/2)*2:ceil(ih/2)*2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let deadline = Duration::from_millis(u64::from(duration_ms)) + Duration::from_secs(30);
    let base64 = ffmpeg::capture(&args, "mp4", deadline).await?;
    Ok(Recording {
        base64,
        duration_ms,
    })
}
