//! `screen.record`: an mp4 of one of the node's X displays, from the host's `screen`
//! capability (ffmpeg). Durations are clamped to 60 s.

use openclaw_plugin_sdk::screen;
use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RecordParams {
    #[serde(default)]
    duration_ms: Option<u32>,
    #[serde(default)]
    screen_index: Option<u32>,
    #[serde(default)]
    fps: Option<u32>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    include_audio: Option<bool>,
}

fn record(_call: &Call, p: RecordParams) -> Result<Value, Failure> {
    if p.format.as_deref().is_some_and(|f| f != "mp4") {
        return Err(Failure::invalid("format must be mp4"));
    }
    // No audio is captured: a recording asked with audio comes without, and says so.
    let _ = p.include_audio;
    let screen_index = p.screen_index.unwrap_or(0);
    let fps = p.fps.unwrap_or(10).clamp(1, 60);
    let recording = screen::capture(screen_index, p.duration_ms.unwrap_or(10_000), fps)?;
    Ok(json!({
        "format": "mp4",
        "base64": recording.base64,
        "durationMs": recording.duration_ms,
        "fps": fps,
        "screenIndex": screen_index,
        "hasAudio": false,
    }))
}

plugin! {
    caps: ["screen"],
    commands: {
        "screen.record" => record: "Records an X display as mp4 (at most 60 s)",
    }
}
