//! `openclaw nodes canvas ...`: helpers over a node's `canvas.*` commands. A snapshot (our
//! extension: the real CLI has none) is saved as the media commands save theirs and printed as
//! a bare path.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use serde_json::{json, Value};

use super::media::{save, shown};
use super::node_call::{invoke, report};
use crate::operator::Operator;
use crate::render::pretty;

/// How long the gateway waits for the node on a canvas call.
const CANVAS_TIMEOUT_MS: u64 = 30_000;

#[derive(Subcommand)]
pub enum CanvasCmd {
    /// Save a picture of the canvas and print the file's path
    Snapshot {
        #[arg(long)]
        node: String,
        #[arg(long, value_enum, default_value_t = SnapshotFormat::Jpg)]
        format: SnapshotFormat,
        /// Scale down to at most this many pixels wide
        #[arg(long)]
        max_width: Option<u32>,
        /// JPEG quality, 0..1
        #[arg(long)]
        quality: Option<f64>,
    },
    /// Show the canvas window, optionally loading a URL or a file
    Present {
        #[arg(long)]
        node: String,
        /// A URL or a file path on the node
        #[arg(long)]
        target: Option<String>,
        #[arg(long, allow_negative_numbers = true)]
        x: Option<i32>,
        #[arg(long, allow_negative_numbers = true)]
        y: Option<i32>,
        #[arg(long)]
        width: Option<u32>,
        #[arg(long)]
        height: Option<u32>,
    },
    /// Hide the canvas window (its page stays loaded)
    Hide {
        #[arg(long)]
        node: String,
    },
    /// Load a URL or a file in the canvas
    Navigate {
        #[arg(long)]
        node: String,
        /// A URL or a file path on the node
        #[arg(value_name = "URL")]
        target: String,
    },
    /// Run JavaScript in the canvas page and print its value
    Eval {
        #[arg(long)]
        node: String,
        /// The script (or give it as the argument)
        #[arg(long = "js", conflicts_with = "script")]
        js: Option<String>,
        script: Option<String>,
    },
    /// Render A2UI v0.8 in the canvas
    A2ui {
        #[command(subcommand)]
        command: A2uiCmd,
    },
}

#[derive(Subcommand)]
pub enum A2uiCmd {
    /// Push A2UI v0.8 JSONL from a file, or a one-line text surface
    Push {
        #[arg(long)]
        node: String,
        /// A file of A2UI v0.8 JSONL messages
        #[arg(long, conflicts_with = "text", required_unless_present = "text")]
        jsonl: Option<PathBuf>,
        /// Show this text as a surface
        #[arg(long)]
        text: Option<String>,
    },
    /// Remove every A2UI surface
    Reset {
        #[arg(long)]
        node: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SnapshotFormat {
    Png,
    Jpg,
}

pub async fn run(cmd: CanvasCmd, op: &Operator) -> Result<()> {
    match cmd {
        CanvasCmd::Snapshot {
            node,
            format,
            max_width,
            quality,
        } => {
            let format = match format {
                SnapshotFormat::Png => "png",
                SnapshotFormat::Jpg => "jpeg",
            };
            let mut params = json!({"format": format});
            if let Some(w) = max_width {
                params["maxWidth"] = json!(w);
            }
            if let Some(q) = quality {
                params["quality"] = json!(q);
            }
            let payload = invoke(op, &node, CANVAS_TIMEOUT_MS, "canvas.snapshot", params).await?;
            let ext = if payload["format"] == "png" {
                "png"
            } else {
                "jpg"
            };
            let path = save(&payload, "canvas-snapshot", ext)?;
            if op.json {
                let file = json!({"path": path, "format": payload["format"],
                                  "width": payload["width"], "height": payload["height"]});
                println!("{}", crate::render::pretty(&json!({"file": file})));
            } else {
                println!("{}", shown(&path));
            }
            Ok(())
        }
        CanvasCmd::Present {
            node,
            target,
            x,
            y,
            width,
            height,
        } => {
            let mut params = json!({});
            if let Some(target) = target {
                params["url"] = json!(local_path_or_url(&target));
            }
            let placement = [("x", x.map(i64::from)), ("y", y.map(i64::from))];
            let size = [("width", width), ("height", height)].map(|(k, v)| (k, v.map(i64::from)));
            for (key, value) in placement.into_iter().chain(size) {
                if let Some(value) = value {
                    params[key] = json!(value);
                }
            }
            let payload = invoke(op, &node, CANVAS_TIMEOUT_MS, "canvas.present", params).await?;
            report(op, &payload, || match payload["url"].as_str() {
                Some(url) => format!("canvas shows {url}"),
                None => "canvas shown".into(),
            })
        }
        CanvasCmd::Hide { node } => {
            let payload = invoke(op, &node, CANVAS_TIMEOUT_MS, "canvas.hide", json!({})).await?;
            report(op, &payload, || "canvas hidden".into())
        }
        CanvasCmd::Navigate { node, target } => {
            let params = json!({"url": local_path_or_url(&target)});
            let payload = invoke(op, &node, CANVAS_TIMEOUT_MS, "canvas.navigate", params).await?;
            report(op, &payload, || {
                format!(
                    "canvas shows {}",
                    payload["url"].as_str().unwrap_or_default()
                )
            })
        }
        CanvasCmd::Eval { node, js, script } => {
            let Some(script) = js.or(script) else {
                bail!("give the script with --js or as the argument");
            };
            let payload = invoke(
                op,
                &node,
                CANVAS_TIMEOUT_MS,
                "canvas.eval",
                json!({"javaScript": script}),
            )
            .await?;
            report(op, &payload, || match &payload["result"] {
                Value::String(text) => text.clone(),
                other => pretty(other),
            })
        }
        CanvasCmd::A2ui {
            command: A2uiCmd::Push { node, jsonl, text },
        } => {
            let jsonl = match (jsonl, text) {
                (Some(file), _) => std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?,
                (None, Some(text)) => text_surface(&text),
                (None, None) => bail!("give --jsonl FILE or --text TEXT"),
            };
            let payload = invoke(
                op,
                &node,
                CANVAS_TIMEOUT_MS,
                "canvas.a2ui.push",
                json!({"jsonl": jsonl}),
            )
            .await?;
            report(op, &payload, || {
                format!(
                    "pushed {} A2UI messages; surfaces: {}",
                    payload["messages"], payload["surfaces"]
                )
            })
        }
        CanvasCmd::A2ui {
            command: A2uiCmd::Reset { node },
        } => {
            let payload =
                invoke(op, &node, CANVAS_TIMEOUT_MS, "canvas.a2ui.reset", json!({})).await?;
            report(op, &payload, || "A2UI surfaces cleared".into())
        }
    }
}

/// A path that exists here is made absolute (the node is often this machine); anything else
/// goes to the node as given.
fn local_path_or_url(target: &str) -> String {
    let path = Path::new(target);
    if !path.is_absolute() && !target.contains(':') && path.exists() {
        if let Ok(absolute) = std::path::absolute(path) {
            return absolute.display().to_string();
        }
    }
    target.to_string()
}

/// A2UI v0.8 JSONL for one surface that shows `text`.
fn text_surface(text: &str) -> String {
    let update = json!({"surfaceUpdate": {"surfaceId": "main", "components": [
        {"id": "root", "component": {"Column": {"children": {"explicitList": ["text"]}}}},
        {"id": "text", "component": {"Text": {"text": {"literalString": text}, "usageHint": "body"}}},
    ]}});
    let begin = json!({"beginRendering": {"surfaceId": "main", "root": "root"}});
    format!("{update}\n{begin}\n")
}
