//! `openclaw nodes location|notify|screen|camera ...`: helpers over a node's hardware commands.
//! Recordings and pictures are written to temp files and printed as `MEDIA:<path>`.

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};

use super::node_call::{invoke, parse_duration_ms, print_media, report, save_media};
use crate::operator::Operator;

/// Time a capture gets beyond its own length.
const CAPTURE_SLACK_MS: u64 = 30_000;

#[derive(Subcommand)]
pub enum LocationCmd {
    /// Print the node's position as `lat,lon ±accuracy m`
    Get {
        #[arg(long)]
        node: String,
        #[arg(long, value_enum)]
        accuracy: Option<Accuracy>,
        /// Accept a cached fix this old (10s, 3000, ...)
        #[arg(long, value_parser = parse_duration_ms)]
        max_age: Option<u64>,
        /// How long the node waits for a fix (10s, 3000, ...)
        #[arg(long, value_parser = parse_duration_ms)]
        location_timeout: Option<u64>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Accuracy {
    Coarse,
    Balanced,
    Precise,
}

#[derive(Args)]
pub struct NotifyArgs {
    #[arg(long)]
    node: String,
    #[arg(long)]
    title: String,
    #[arg(long, default_value = "")]
    body: String,
    #[arg(long, value_enum)]
    priority: Option<Priority>,
    #[arg(long, value_enum)]
    delivery: Option<Delivery>,
    /// A freedesktop sound name
    #[arg(long)]
    sound: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Priority {
    Passive,
    Active,
    TimeSensitive,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Delivery {
    System,
    Overlay,
    Auto,
}

#[derive(Subcommand)]
pub enum ScreenCmd {
    /// Record a screen of the node's display as mp4; prints MEDIA:<path>
    Record {
        #[arg(long)]
        node: String,
        /// 10s, 3000, ... (at most 60 s)
        #[arg(long, value_parser = parse_duration_ms, default_value = "10s")]
        duration: u64,
        #[arg(long, default_value_t = 10)]
        fps: u32,
        /// The X screen of the node's display
        #[arg(long, default_value_t = 0)]
        screen: u32,
    },
}

#[derive(Subcommand)]
pub enum CameraCmd {
    /// The node's cameras
    List {
        #[arg(long)]
        node: String,
    },
    /// A JPEG from one camera (--device-id), or from every camera; prints MEDIA:<path> each
    Snap {
        #[arg(long)]
        node: String,
        #[arg(long)]
        device_id: Option<String>,
        #[arg(long)]
        max_width: Option<u32>,
        /// 0..1
        #[arg(long)]
        quality: Option<f64>,
    },
    /// An mp4 clip from a camera; prints MEDIA:<path>
    Clip {
        #[arg(long)]
        node: String,
        #[arg(long)]
        device_id: Option<String>,
        /// 10s, 3000, ... (at most 60 s)
        #[arg(long, value_parser = parse_duration_ms, default_value = "3s")]
        duration: u64,
    },
}

fn name<T: ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// clap names the variants in kebab case; the wire uses camel case.
fn camel(kebab: &str) -> String {
    let mut parts = kebab.split('-');
    let first = parts.next().unwrap_or_default().to_string();
    parts.fold(first, |mut out, part| {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
        out
    })
}

pub async fn location(cmd: LocationCmd, op: &Operator) -> Result<()> {
    let LocationCmd::Get {
        node,
        accuracy,
        max_age,
        location_timeout,
    } = cmd;
    let mut params = json!({});
    if let Some(a) = accuracy {
        params["desiredAccuracy"] = json!(name(a));
    }
    if let Some(ms) = max_age {
        params["maxAgeMs"] = json!(ms);
    }
    let wait = location_timeout.unwrap_or(10_000);
    params["timeoutMs"] = json!(wait);
    let payload = invoke(op, &node, wait + 5_000, "location.get", params).await?;
    report(op, &payload, || {
        format!(
            "{},{} ±{} m",
            payload["lat"],
            payload["lon"],
            payload["accuracyMeters"]
                .as_f64()
                .map_or(String::from("?"), |a| format!("{a:.0}"))
        )
    })
}

pub async fn notify(args: NotifyArgs, op: &Operator) -> Result<()> {
    let mut params = json!({"title": args.title, "body": args.body});
    if let Some(p) = args.priority {
        params["priority"] = json!(camel(&name(p)));
    }
    if let Some(d) = args.delivery {
        params["delivery"] = json!(name(d));
    }
    if let Some(sound) = args.sound {
        params["sound"] = json!(sound);
    }
    let payload = invoke(op, &args.node, 15_000, "system.notify", params).await?;
    report(op, &payload, || {
        format!("notification shown (id {})", payload["id"])
    })
}

pub async fn screen(cmd: ScreenCmd, op: &Operator) -> Result<()> {
    let ScreenCmd::Record {
        node,
        duration,
        fps,
        screen,
    } = cmd;
    let params =
        json!({"durationMs": duration, "fps": fps, "screenIndex": screen, "format": "mp4"});
    let wait = duration.min(60_000) + CAPTURE_SLACK_MS;
    let payload = invoke(op, &node, wait, "screen.record", params).await?;
    let path = save_media(&payload, "screen-record", "mp4")?;
    print_media(op, &payload, &path);
    Ok(())
}

pub async fn camera(cmd: CameraCmd, op: &Operator) -> Result<()> {
    match cmd {
        CameraCmd::List { node } => {
            let payload = invoke(op, &node, 15_000, "camera.list", json!({})).await?;
            report(op, &payload, || {
                let devices = payload["devices"].as_array().cloned().unwrap_or_default();
                if devices.is_empty() {
                    return "no cameras".into();
                }
                devices
                    .iter()
                    .map(|d| {
                        format!(
                            "{}  {}",
                            d["id"].as_str().unwrap_or("?"),
                            d["name"].as_str().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        CameraCmd::Snap {
            node,
            device_id,
            max_width,
            quality,
        } => {
            // No device named: every camera, one picture each.
            let devices: Vec<String> = match device_id {
                Some(id) => vec![id],
                None => {
                    let list = invoke(op, &node, 15_000, "camera.list", json!({})).await?;
                    list["devices"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|d| d["id"].as_str().map(String::from))
                        .collect()
                }
            };
            if devices.is_empty() {
                bail!("the node has no camera");
            }
            for id in devices {
                let mut params = json!({"deviceId": id, "format": "jpg"});
                if let Some(w) = max_width {
                    params["maxWidth"] = json!(w);
                }
                if let Some(q) = quality {
                    params["quality"] = json!(q);
                }
                let payload = invoke(op, &node, 30_000, "camera.snap", params).await?;
                let path = save_media(&payload, "camera-snap", "jpg")?;
                print_media(op, &payload, &path);
            }
            Ok(())
        }
        CameraCmd::Clip {
            node,
            device_id,
            duration,
        } => {
            let mut params = json!({"durationMs": duration, "format": "mp4"});
            if let Some(id) = device_id {
                params["deviceId"] = Value::String(id);
            }
            let wait = duration.min(60_000) + CAPTURE_SLACK_MS;
            let payload = invoke(op, &node, wait, "camera.clip", params).await?;
            let path = save_media(&payload, "camera-clip", "mp4")?;
            print_media(op, &payload, &path);
            Ok(())
        }
    }
}
