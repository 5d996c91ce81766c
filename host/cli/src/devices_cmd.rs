//! `openclaw devices ...`: device pairing and tokens.

use anyhow::{bail, Result};
use clap::Subcommand;
use serde_json::{json, Value};

use crate::operator::{Operator, OperatorArgs};
use crate::render::{age, list, pretty, s, table};

#[derive(Subcommand)]
pub enum DevicesCmd {
    /// Pending pairing requests and paired devices
    List,
    /// Approve a pairing request (without an id: show the newest request)
    Approve {
        request_id: Option<String>,
        /// Approve the newest pending request
        #[arg(long, conflicts_with = "request_id")]
        latest: bool,
    },
    /// Reject a pairing request
    Reject { request_id: String },
    /// Remove a paired device
    Remove { device_id: String },
    /// Issue a new token for a device role
    Rotate {
        #[arg(long)]
        device: String,
        #[arg(long)]
        role: String,
        /// Scopes of the new token (repeatable)
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    /// Revoke a device role's token and drop its connections
    Revoke {
        #[arg(long)]
        device: String,
        #[arg(long)]
        role: String,
    },
}

pub async fn run(cmd: DevicesCmd, args: &OperatorArgs) -> Result<()> {
    let op = args.connect().await?;
    match cmd {
        DevicesCmd::List => list_devices(&op).await,
        DevicesCmd::Approve { request_id, latest } => approve(&op, request_id, latest).await,
        DevicesCmd::Reject { request_id } => {
            let r = op
                .call("device.pair.reject", json!({"requestId": request_id}))
                .await?;
            done(
                &op,
                &r,
                format!("Rejected {} ({})", s(&r["deviceId"]), s(&r["requestId"])),
            )
        }
        DevicesCmd::Remove { device_id } => {
            let r = op
                .call("device.pair.remove", json!({"deviceId": device_id}))
                .await?;
            done(&op, &r, format!("Removed {}", s(&r["deviceId"])))
        }
        DevicesCmd::Rotate {
            device,
            role,
            scopes,
        } => {
            let mut params = json!({"deviceId": device, "role": role});
            if !scopes.is_empty() {
                params["scopes"] = json!(scopes);
            }
            let r = op.call("device.token.rotate", params).await?;
            let mut text = format!(
                "Rotated the {} token of {}",
                s(&r["role"]),
                s(&r["deviceId"])
            );
            match r["token"].as_str() {
                Some(token) => text.push_str(&format!("\ntoken: {token}")),
                None => text.push_str(" (the device receives it on its next connect)"),
            }
            done(&op, &r, text)
        }
        DevicesCmd::Revoke { device, role } => {
            let r = op
                .call(
                    "device.token.revoke",
                    json!({"deviceId": device, "role": role}),
                )
                .await?;
            done(
                &op,
                &r,
                format!(
                    "Revoked the {} token of {}",
                    s(&r["role"]),
                    s(&r["deviceId"])
                ),
            )
        }
    }
}

fn done(op: &Operator, reply: &Value, human: String) -> Result<()> {
    if op.json {
        println!("{}", pretty(reply));
    } else {
        println!("{human}");
    }
    Ok(())
}

async fn list_devices(op: &Operator) -> Result<()> {
    let r = op.call("device.pair.list", json!({})).await?;
    if op.json {
        println!("{}", pretty(&r));
        return Ok(());
    }
    let pending = r["pending"].as_array().cloned().unwrap_or_default();
    let paired = r["paired"].as_array().cloned().unwrap_or_default();
    if pending.is_empty() && paired.is_empty() {
        println!("No device pairing entries.");
    }
    if !pending.is_empty() {
        println!("Pending ({})", pending.len());
        let rows = pending
            .iter()
            .map(|p| {
                let scopes = if p["scopes"].as_array().is_some_and(|a| !a.is_empty()) {
                    list(&p["scopes"])
                } else {
                    "none".into()
                };
                let status = if p["isRepair"] == true {
                    "repair"
                } else {
                    "new pairing"
                };
                vec![
                    s(&p["requestId"]),
                    p["displayName"]
                        .as_str()
                        .map(String::from)
                        .unwrap_or_else(|| s(&p["deviceId"])),
                    format!("roles: {}; scopes: {scopes}", list(&p["roles"])),
                    "none".into(),
                    age(p["ts"].as_u64()),
                    status.into(),
                ]
            })
            .collect();
        println!(
            "{}",
            table(
                &[
                    "Request",
                    "Device",
                    "Requested",
                    "Approved",
                    "Age",
                    "Status"
                ],
                rows
            )
        );
    }
    if !paired.is_empty() {
        println!("Paired ({})", paired.len());
        let rows = paired
            .iter()
            .map(|d| {
                let live_tokens: Vec<String> = d["tokens"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|t| t["revokedAtMs"].is_null())
                    .map(|t| s(&t["role"]))
                    .collect();
                vec![
                    d["displayName"]
                        .as_str()
                        .map(String::from)
                        .unwrap_or_default(),
                    s(&d["deviceId"]),
                    list(&d["roles"]),
                    list(&d["scopes"]),
                    live_tokens.join(", "),
                    s(&d["remoteIp"]),
                ]
            })
            .collect();
        println!(
            "{}",
            table(
                &["Device", "Device ID", "Roles", "Scopes", "Tokens", "IP"],
                rows
            )
        );
    }
    Ok(())
}

async fn approve(op: &Operator, request_id: Option<String>, latest: bool) -> Result<()> {
    let request_id = match request_id {
        Some(id) => id,
        None => {
            let r = op.call("device.pair.list", json!({})).await?;
            let newest = r["pending"]
                .as_array()
                .and_then(|p| p.iter().max_by_key(|x| x["ts"].as_u64()).cloned());
            let Some(newest) = newest else {
                bail!("no pending device pairing requests")
            };
            if !latest {
                println!(
                    "Newest request: {} from {} ({})\nApprove it with `openclaw devices approve {}` or `--latest`.",
                    s(&newest["requestId"]),
                    newest["displayName"].as_str().unwrap_or("unnamed device"),
                    s(&newest["deviceId"]),
                    s(&newest["requestId"])
                );
                return Ok(());
            }
            s(&newest["requestId"])
        }
    };
    let r = op
        .call("device.pair.approve", json!({"requestId": request_id}))
        .await?;
    done(
        op,
        &r,
        format!(
            "Approved {} ({})",
            s(&r["device"]["deviceId"]),
            s(&r["requestId"])
        ),
    )
}
