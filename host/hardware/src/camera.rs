//! The node's V4L2 cameras: listed from sysfs, captured with ffmpeg.

use std::time::Duration;

use crate::{ffmpeg, HardwareError};

/// Longest clip.
pub const MAX_CLIP_MS: u32 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Camera {
    /// The device path, e.g. `/dev/video0`.
    pub id: String,
    pub name: String,
}

pub struct Picture {
    pub base64: String,
    pub width: u32,
    pub height: u32,
}

/// Video capture devices, by `/sys/class/video4linux`.
pub fn cameras() -> Vec<Camera> {
    let mut found: Vec<Camera> = std::fs::read_dir("/sys/class/video4linux")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| {
                    let node = e.file_name().to_str()?.to_string();
                    node.starts_with("video").then_some(())?;
                    let name = std::fs::read_to_string(e.path().join("name")).unwrap_or_default();
                    Some(Camera {
                        id: format!("/dev/{node}"),
                        name: name.trim().to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

/// Whether the camera commands can work: a camera and ffmpeg.
pub fn works() -> bool {
    !cameras().is_empty() && ffmpeg::find().is_some()
}

fn known(device: &str) -> Result<(), HardwareError> {
    if cameras().iter().any(|c| c.id == device) {
        Ok(())
    } else {
        Err(HardwareError::invalid(format!(
            "no camera {device}; camera.list shows this node's cameras"
        )))
    }
}

/// Longest wait for a camera's exposure to settle before `snap_delayed` takes its frame.
pub const MAX_DELAY_MS: u32 = 10_000;

/// One JPEG frame, at most `max_width` wide, at `quality` (1..=100).
pub async fn snap(device: &str, max_width: u32, quality: u8) -> Result<Picture, HardwareError> {
    snap_delayed(device, max_width, quality, 0).await
}

/// As [`snap`], but the frame `delay_ms` (clamped to 10 s) into the camera's video: ffmpeg
/// reads and drops what comes before, the time a webcam's exposure takes to settle.
pub async fn snap_delayed(
    device: &str,
    max_width: u32,
    quality: u8,
    delay_ms: u32,
) -> Result<Picture, HardwareError> {
    known(device)?;
    let delay_ms = delay_ms.min(MAX_DELAY_MS);
    let args = snap_args(device, max_width, quality, delay_ms);
    let deadline = Duration::from_secs(20) + Duration::from_millis(u64::from(delay_ms));
    let base64 = ffmpeg::capture(&args, "jpg", deadline).await?;
    let (width, height) = jpeg_size(&base64).unwrap_or((0, 0));
    Ok(Picture {
        base64,
        width,
        height,
    })
}

fn snap_args(device: &str, max_width: u32, quality: u8, delay_ms: u32) -> Vec<String> {
    // ffmpeg's JPEG scale: 2 (best) .. 31 (worst).
    let qscale = 31 - (u32::from(quality.clamp(1, 100)) * 29 / 100);
    let mut args: Vec<String> = ["-f", "v4l2", "-i", device].map(String::from).to_vec();
    if delay_ms > 0 {
        // After -i: an output seek, which decodes and drops the input up to that point.
        args.extend(["-ss".into(), format!("{:.3}", f64::from(delay_ms) / 1000.0)]);
    }
    args.extend([
        "-frames:v".into(),
        "1".into(),
        "-vf".into(),
        format!("scale='min(iw,{max_width})':-2"),
        "-q:v".into(),
        qscale.to_string(),
        "-f".into(),
        "image2".into(),
    ]);
    args
}

/// An mp4 clip of `duration_ms` (clamped to 60 s).
pub async fn clip(device: &str, duration_ms: u32) -> Result<(String, u32), HardwareError> {
    known(device)?;
    let duration_ms = duration_ms.clamp(100, MAX_CLIP_MS);
    let seconds = format!("{:.3}", f64::from(duration_ms) / 1000.0);
    let args: Vec<String> = ["-f", "v4l2", "-t", &seconds, "-i", device]
        .iter()
        .chain(ffmpeg::MP4_OUTPUT)
        .map(|s| s.to_string())
        .collect();
    let deadline = Duration::from_millis(u64::from(duration_ms)) + Duration::from_secs(30);
    Ok((ffmpeg::capture(&args, "mp4", deadline).await?, duration_ms))
}

/// Width and height from a JPEG's start-of-frame marker.
pub(crate) fn jpeg_size(base64: &str) -> Option<(u32, u32)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .ok()?;
    let mut at = 2;
    while at + 9 < bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if matches!(marker, 0xC0..=0xC3) {
            let h = u16::from_be_bytes([bytes[at + 5], bytes[at + 6]]);
            let w = u16::from_be_bytes([bytes[at + 7], bytes[at + 8]]);
            return Some((u32::from(w), u32::from(h)));
        }
        at += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snap's own arguments on a 1 s synthetic video in the camera's place.
    async fn snap_from_one_second_of_video(delay_ms: u32) -> Result<String, HardwareError> {
        let mut args = snap_args("/dev/video0", 64, 90, delay_ms);
        args.splice(
            0..4,
            [
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=128x96:rate=10:duration=1",
            ]
            .map(String::from),
        );
        ffmpeg::capture(&args, "jpg", Duration::from_secs(20)).await
    }

    #[tokio::test]
    async fn the_delay_skips_that_much_of_the_video() {
        let frame = snap_from_one_second_of_video(500).await.unwrap();
        assert_eq!(jpeg_size(&frame), Some((64, 48)));
        // Past the video's end there is no frame to take: the seek was applied to the input.
        assert!(snap_from_one_second_of_video(2000).await.is_err());
        let args = snap_args("/dev/video0", 64, 90, 2500);
        assert_eq!(args[4..6], ["-ss", "2.500"]);
        assert!(!snap_args("/dev/video0", 64, 90, 0).contains(&"-ss".to_string()));
    }
}
