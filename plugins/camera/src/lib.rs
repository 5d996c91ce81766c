//! `camera.list`, `camera.snap`, `camera.clip`: the node's V4L2 cameras through the host's
//! `camera` capability (ffmpeg). Clips are clamped to 60 s.

use openclaw_plugin_sdk::camera;
use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Nothing {}

fn list(_call: &Call, _p: Nothing) -> Result<Value, Failure> {
    let devices: Vec<Value> = camera::devices()
        .into_iter()
        .map(|d| json!({"id": d.id, "name": d.name, "position": "unspecified", "deviceType": "external"}))
        .collect();
    Ok(json!({ "devices": devices }))
}

/// The camera to use: the one named, else the first. A facing is ignored, as the real Linux
/// node ignores it: V4L2 cameras report none, and the agent's tool always sends one.
fn device(id: Option<String>, _facing: Option<String>) -> Result<String, Failure> {
    match id {
        Some(id) => Ok(id),
        None => camera::devices()
            .into_iter()
            .next()
            .map(|d| d.id)
            .ok_or_else(|| Failure::unavailable("this node has no camera")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SnapParams {
    #[serde(default)]
    facing: Option<String>,
    #[serde(default)]
    max_width: Option<u32>,
    /// 0..1.
    #[serde(default)]
    quality: Option<f64>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    device_id: Option<String>,
    /// How far into the camera's video the frame is taken, for its exposure to settle.
    #[serde(default)]
    delay_ms: Option<u64>,
}

/// The real Linux node's warm-up when the caller names none.
const DEFAULT_DELAY_MS: u64 = 2000;

fn snap(_call: &Call, p: SnapParams) -> Result<Value, Failure> {
    if p.format
        .as_deref()
        .is_some_and(|f| f != "jpg" && f != "jpeg")
    {
        return Err(Failure::invalid("format must be jpg"));
    }
    let quality = match p.quality {
        None => 90,
        Some(q) if (0.0..=1.0).contains(&q) => (q * 100.0).round().max(1.0) as u8,
        Some(q) => {
            return Err(Failure::invalid(format!(
                "quality must be in 0..1, not {q}"
            )))
        }
    };
    let id = device(p.device_id, p.facing)?;
    let delay_ms = p.delay_ms.unwrap_or(DEFAULT_DELAY_MS).min(10_000) as u32;
    let picture =
        camera::snap_delayed(&id, p.max_width.unwrap_or(1600).max(16), quality, delay_ms)?;
    Ok(
        json!({"format": "jpg", "base64": picture.base64, "width": picture.width, "height": picture.height}),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ClipParams {
    #[serde(default)]
    facing: Option<String>,
    #[serde(default)]
    duration_ms: Option<u32>,
    #[serde(default)]
    include_audio: Option<bool>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    device_id: Option<String>,
}

fn clip(_call: &Call, p: ClipParams) -> Result<Value, Failure> {
    if p.format.as_deref().is_some_and(|f| f != "mp4") {
        return Err(Failure::invalid("format must be mp4"));
    }
    // No audio device is captured: a clip asked with audio comes without, and says so.
    let _ = p.include_audio;
    let id = device(p.device_id, p.facing)?;
    let clip = camera::capture_clip(&id, p.duration_ms.unwrap_or(3_000))?;
    Ok(
        json!({"format": "mp4", "base64": clip.base64, "durationMs": clip.duration_ms, "hasAudio": false}),
    )
}

plugin! {
    caps: ["camera"],
    commands: {
        "camera.list" => list: "The node's V4L2 cameras",
        "camera.snap" => snap: "One JPEG frame from a camera",
        "camera.clip" => clip: "An mp4 clip from a camera (at most 60 s)",
    }
}
