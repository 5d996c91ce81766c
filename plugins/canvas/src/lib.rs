//! The `canvas` command family: the node's canvas is a page in the host's headless Chromium
//! (the `browser` capability). This plugin shapes params and payloads, and carries the A2UI
//! v0.8 renderer that pushed surfaces are drawn with.

mod a2ui;

use base64::Engine;
use openclaw_plugin_sdk::browser::{self, CaptureOptions, ImageFormat, Placement};
use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::Deserialize;
use serde_json::{json, Value};

/// The page A2UI surfaces render in, with the renderer inlined.
const A2UI_PAGE: &str = include_str!("../a2ui/page.html");
const A2UI_RENDERER: &str = include_str!("../a2ui/renderer.js");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresentParams {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    x: Option<i32>,
    #[serde(default)]
    y: Option<i32>,
    #[serde(default)]
    width: Option<u32>,
    #[serde(default)]
    height: Option<u32>,
}

fn present(_call: &Call, p: PresentParams) -> Result<Value, Failure> {
    browser::present(Placement {
        x: p.x,
        y: p.y,
        width: p.width,
        height: p.height,
    })?;
    match p.url.filter(|u| !u.trim().is_empty()) {
        Some(url) => Ok(json!({ "url": browser::navigate(&url)? })),
        None => Ok(json!({})),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Nothing {}

fn hide(_call: &Call, _p: Nothing) -> Result<Value, Failure> {
    browser::hide()?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NavigateParams {
    #[serde(default)]
    url: Option<String>,
}

fn navigate(_call: &Call, p: NavigateParams) -> Result<Value, Failure> {
    let url = p
        .url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| Failure::invalid("url required"))?;
    Ok(json!({ "url": browser::navigate(&url)? }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EvalParams {
    #[serde(default)]
    java_script: Option<String>,
}

fn eval(call: &Call, p: EvalParams) -> Result<Value, Failure> {
    let script = p
        .java_script
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Failure::invalid("javaScript required"))?;
    Ok(json!({ "result": evaluate(call, &script)? }))
}

/// Runs `script` within the time the gateway still waits.
fn evaluate(call: &Call, script: &str) -> Result<Value, Failure> {
    let timeout = call.timeout_ms.clamp(1, u64::from(u32::MAX)) as u32;
    let text = browser::evaluate(script, timeout)?;
    serde_json::from_str(&text)
        .map_err(|e| Failure::unavailable(format!("the page answered odd JSON: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SnapshotParams {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    max_width: Option<u32>,
    /// 0..1 (a fraction) or 1..100 (a percentage); JPEG only.
    #[serde(default)]
    quality: Option<f64>,
}

fn snapshot(_call: &Call, p: SnapshotParams) -> Result<Value, Failure> {
    let format = match p.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("jpeg") | Some("jpg") => ImageFormat::Jpeg,
        Some("png") => ImageFormat::Png,
        Some(other) => {
            return Err(Failure::invalid(format!(
                "format must be png or jpeg, not {other:?}"
            )))
        }
    };
    let quality = match p.quality {
        None => None,
        Some(q) if q > 0.0 && q <= 1.0 => Some((q * 100.0).round() as u8),
        Some(q) if q > 1.0 && q <= 100.0 => Some(q.round() as u8),
        Some(q) => {
            return Err(Failure::invalid(format!(
                "quality must be in 0..1 (or 1..100), not {q}"
            )))
        }
    };
    let image = browser::capture(CaptureOptions {
        format,
        quality,
        max_width: p.max_width,
    })?;
    let format = match image.format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
    };
    Ok(json!({
        "format": format,
        "base64": image.base64,
        "width": image.width,
        "height": image.height,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PushParams {
    #[serde(default)]
    jsonl: Option<String>,
    #[serde(default)]
    messages: Option<Vec<Value>>,
}

fn a2ui_push(call: &Call, p: PushParams) -> Result<Value, Failure> {
    let messages = match (p.jsonl, p.messages) {
        (Some(jsonl), None) => a2ui::from_jsonl(&jsonl),
        (None, Some(messages)) => a2ui::from_array(messages),
        (Some(_), Some(_)) => Err("give jsonl or messages, not both".into()),
        (None, None) => Err("jsonl or messages required".into()),
    }
    .map_err(Failure::invalid)?;
    ensure_a2ui_page(call)?;
    let script = format!(
        "window.openclawA2ui.apply({})",
        serde_json::to_string(&messages).expect("JSON values serialize")
    );
    let rendered = evaluate(call, &script)?;
    Ok(json!({ "ok": true, "messages": messages.len(), "surfaces": rendered["surfaces"] }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PushJsonlParams {
    jsonl: String,
}

fn a2ui_push_jsonl(call: &Call, p: PushJsonlParams) -> Result<Value, Failure> {
    a2ui_push(
        call,
        PushParams {
            jsonl: Some(p.jsonl),
            messages: None,
        },
    )
}

fn a2ui_reset(call: &Call, _p: Nothing) -> Result<Value, Failure> {
    // Nothing to clear when the canvas shows something else.
    evaluate(
        call,
        "window.openclawA2ui ? window.openclawA2ui.reset() : null",
    )?;
    Ok(json!({ "ok": true }))
}

/// Loads the A2UI page unless the canvas already shows it (its surfaces then stay).
fn ensure_a2ui_page(call: &Call) -> Result<(), Failure> {
    let loaded = evaluate(call, "typeof window.openclawA2ui === 'object'")?;
    if loaded == Value::Bool(true) {
        return Ok(());
    }
    let page = A2UI_PAGE.replace("/*RENDERER*/", A2UI_RENDERER);
    let url = format!(
        "data:text/html;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(page)
    );
    browser::navigate(&url)?;
    Ok(())
}

plugin! {
    caps: ["canvas"],
    commands: {
        "canvas.present" => present: "Shows the canvas window (optionally loading a URL or file), placed at x/y/width/height",
        "canvas.hide" => hide: "Hides the canvas window; its page stays loaded",
        "canvas.navigate" => navigate: "Loads a URL or a local file in the canvas",
        "canvas.eval" => eval: "Runs JavaScript in the canvas page and returns its value",
        "canvas.snapshot" => snapshot: "A PNG or JPEG picture of the canvas, as base64",
        "canvas.a2ui.push" => a2ui_push: "Renders A2UI v0.8 messages (jsonl or messages) in the canvas",
        "canvas.a2ui.pushJSONL" => a2ui_push_jsonl: "Renders A2UI v0.8 JSONL in the canvas",
        "canvas.a2ui.reset" => a2ui_reset: "Removes every A2UI surface from the canvas",
    }
}
