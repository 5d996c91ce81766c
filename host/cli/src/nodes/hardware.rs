//! `openclaw nodes location|notify|screen|camera ...`: helpers over a node's hardware commands,
//! with the flags and the output of the real CLI. Recordings and pictures are saved to private
//! temp files (or `--out`) and printed as bare paths.

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};

use super::media::{save, save_to, shown};
use super::node_call::{invoke, parse_duration_ms, positive_ms, report};
use crate::operator::Operator;
use crate::render::{pretty, table};

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
        /// Node invoke timeout in ms
        #[arg(long, default_value_t = 20_000, value_parser = positive_ms)]
        invoke_timeout: u64,
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
    /// Node invoke timeout in ms
    #[arg(long, default_value_t = 15_000, value_parser = positive_ms)]
    invoke_timeout: u64,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Priority {
    Passive,
    Active,
    /// As the docs and the wire spell it
    #[value(name = "timeSensitive", alias = "time-sensitive")]
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
    /// Record a screen of the node's display as mp4; prints the file's path
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
        /// Ask for no audio track
        #[arg(long)]
        no_audio: bool,
        /// Write the recording here instead of a temp file
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Node invoke timeout in ms
        #[arg(long, default_value_t = 120_000, value_parser = positive_ms)]
        invoke_timeout: u64,
    },
}

#[derive(Subcommand)]
pub enum CameraCmd {
    /// The node's cameras
    List {
        #[arg(long)]
        node: String,
    },
    /// A JPEG from a camera; prints the file's path (one per facing asked of a phone)
    Snap {
        #[arg(long)]
        node: String,
        /// front, back or both; a Linux node's cameras have no facing, and give one picture
        #[arg(long, value_enum)]
        facing: Option<Facing>,
        #[arg(long)]
        device_id: Option<String>,
        #[arg(long)]
        max_width: Option<u32>,
        /// 0..1
        #[arg(long)]
        quality: Option<f64>,
        /// Delay before capture in ms (a Linux node: 2000 unless given, at most 10000)
        #[arg(long)]
        delay_ms: Option<u64>,
    },
    /// An mp4 clip from a camera; prints the file's path
    Clip {
        #[arg(long)]
        node: String,
        /// front or back; a Linux node's cameras have no facing
        #[arg(long, value_enum, default_value = "front")]
        facing: ClipFacing,
        #[arg(long)]
        device_id: Option<String>,
        /// 10s, 3000, ... (at most 60 s)
        #[arg(long, value_parser = parse_duration_ms, default_value = "3s")]
        duration: u64,
        /// Ask for no audio track
        #[arg(long)]
        no_audio: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Facing {
    Front,
    Back,
    Both,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ClipFacing {
    Front,
    Back,
}

fn name<T: ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

pub async fn location(cmd: LocationCmd, op: &Operator) -> Result<()> {
    let LocationCmd::Get {
        node,
        accuracy,
        max_age,
        location_timeout,
        invoke_timeout,
    } = cmd;
    let mut params = json!({});
    if let Some(a) = accuracy {
        params["desiredAccuracy"] = json!(name(a));
    }
    if let Some(ms) = max_age {
        params["maxAgeMs"] = json!(ms);
    }
    params["timeoutMs"] = json!(location_timeout.unwrap_or(10_000));
    let payload = invoke(op, &node, invoke_timeout, "location.get", params).await?;
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
        params["priority"] = json!(name(p));
    }
    if let Some(d) = args.delivery {
        params["delivery"] = json!(name(d));
    }
    if let Some(sound) = args.sound {
        params["sound"] = json!(sound);
    }
    let payload = invoke(op, &args.node, args.invoke_timeout, "system.notify", params).await?;
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
        no_audio,
        out,
        invoke_timeout,
    } = cmd;
    let params = json!({"durationMs": duration, "screenIndex": screen, "fps": fps,
                        "format": "mp4", "includeAudio": !no_audio});
    let payload = invoke(op, &node, invoke_timeout, "screen.record", params).await?;
    let path = match out {
        Some(path) => {
            save_to(&payload, &path)?;
            std::path::absolute(&path)?
        }
        None => save(&payload, "screen-record", "mp4")?,
    };
    let file = json!({"path": path, "durationMs": payload["durationMs"], "fps": payload["fps"],
                      "screenIndex": payload["screenIndex"], "hasAudio": payload["hasAudio"]});
    print_files(op, json!({"file": file}), &[path]);
    Ok(())
}

/// Bare paths, one per line; with `--json`, the real CLI's shape.
fn print_files(op: &Operator, shape: Value, paths: &[std::path::PathBuf]) {
    if op.json {
        println!("{}", pretty(&shape));
    } else {
        for path in paths {
            println!("{}", shown(path));
        }
    }
}

/// The facings to ask for, as the real CLI resolves them: a Linux node's cameras have none,
/// so it gets one call without `facing`.
fn facings(platform: &str, asked: Option<Facing>) -> Vec<Option<&'static str>> {
    match asked {
        _ if platform == "linux" => vec![None],
        None => vec![None],
        Some(Facing::Front) => vec![Some("front")],
        Some(Facing::Back) => vec![Some("back")],
        Some(Facing::Both) => vec![Some("front"), Some("back")],
    }
}

/// `camera list` as text: a table under `Cameras`, or `No cameras reported.`
fn cameras_text(devices: &[Value]) -> String {
    if devices.is_empty() {
        return "No cameras reported.".into();
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let rows = devices
        .iter()
        .map(|d| vec![text(&d["name"]), text(&d["position"]), text(&d["id"])])
        .collect();
    format!("Cameras\n{}", table(&["Name", "Position", "ID"], rows))
}

pub async fn camera(cmd: CameraCmd, op: &Operator) -> Result<()> {
    match cmd {
        CameraCmd::List { node } => {
            let payload = invoke(op, &node, 15_000, "camera.list", json!({})).await?;
            let devices = payload["devices"].as_array().cloned().unwrap_or_default();
            if op.json {
                println!("{}", pretty(&json!(devices)));
            } else {
                println!("{}", cameras_text(&devices));
            }
            Ok(())
        }
        CameraCmd::Snap {
            node,
            facing,
            device_id,
            max_width,
            quality,
            delay_ms,
        } => {
            let platform = op.resolve_node(&node).await?.platform;
            let (mut files, mut paths) = (Vec::new(), Vec::new());
            for facing in facings(&platform, facing) {
                let mut params = json!({"format": "jpg"});
                if let Some(f) = facing {
                    params["facing"] = json!(f);
                }
                if let Some(w) = max_width {
                    params["maxWidth"] = json!(w);
                }
                if let Some(q) = quality {
                    params["quality"] = json!(q);
                }
                if let Some(id) = &device_id {
                    params["deviceId"] = json!(id);
                }
                if let Some(ms) = delay_ms {
                    params["delayMs"] = json!(ms);
                }
                let timeout = 30_000 + delay_ms.unwrap_or(0).min(10_000);
                let payload = invoke(op, &node, timeout, "camera.snap", params).await?;
                let facing = facing.unwrap_or("unknown");
                let path = save(&payload, &format!("camera-snap-{facing}"), "jpg")?;
                files.push(json!({"facing": facing, "path": path,
                                  "width": payload["width"], "height": payload["height"]}));
                paths.push(path);
            }
            print_files(op, json!({"files": files}), &paths);
            Ok(())
        }
        CameraCmd::Clip {
            node,
            facing,
            device_id,
            duration,
            no_audio,
        } => {
            let platform = op.resolve_node(&node).await?.platform;
            let facing = match platform.as_str() {
                "linux" => None,
                _ => Some(name(facing)),
            };
            let mut params =
                json!({"durationMs": duration, "includeAudio": !no_audio, "format": "mp4"});
            if let Some(f) = &facing {
                params["facing"] = json!(f);
            }
            if let Some(id) = device_id {
                params["deviceId"] = Value::String(id);
            }
            let wait = duration.min(60_000) + CAPTURE_SLACK_MS;
            let payload = invoke(op, &node, wait, "camera.clip", params).await?;
            let facing = facing.unwrap_or_else(|| "unknown".into());
            let path = save(&payload, &format!("camera-clip-{facing}"), "mp4")?;
            let file = json!({"facing": facing, "path": path,
                              "durationMs": payload["durationMs"], "hasAudio": payload["hasAudio"]});
            print_files(op, json!({"file": file}), std::slice::from_ref(&path));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linux_node_gets_one_snap_without_facing_a_phone_one_per_facing() {
        assert_eq!(facings("linux", Some(Facing::Both)), [None]);
        assert_eq!(facings("linux", Some(Facing::Front)), [None]);
        assert_eq!(
            facings("ios", Some(Facing::Both)),
            [Some("front"), Some("back")]
        );
        assert_eq!(facings("ios", Some(Facing::Back)), [Some("back")]);
        assert_eq!(facings("ios", None), [None]);
    }

    #[test]
    fn the_camera_list_reads_as_the_real_cli_prints_it() {
        assert_eq!(cameras_text(&[]), "No cameras reported.");
        let listed = cameras_text(&[
            json!({"id": "/dev/video0", "name": "Web Cam", "position": "unspecified"}),
        ]);
        let lines: Vec<&str> = listed.lines().collect();
        assert_eq!(lines[0], "Cameras");
        assert!(listed.contains("Name") && listed.contains("Position") && listed.contains("ID"));
        assert!(
            listed.contains("Web Cam") && listed.contains("/dev/video0"),
            "{listed}"
        );
    }
}
