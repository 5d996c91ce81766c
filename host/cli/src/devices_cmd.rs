//! `openclaw devices ...`: device pairing and tokens.

use anyhow::Result;
use clap::Subcommand;
use serde_json::{json, Value};

use crate::operator::{Operator, OperatorArgs};
use crate::render::{age, list, pretty, s, table};

#[derive(Subcommand)]
pub enum DevicesCmd {
    /// Pending pairing requests and paired devices
    List,
    /// Approve a pending device pairing request (without an id, or with --latest: show the newest
    /// request and exit 1; rerun with its id to approve)
    Approve {
        /// Pending request id
        request_id: Option<String>,
        /// Show the most recent pending request to approve explicitly
        #[arg(long)]
        latest: bool,
    },
    /// Reject a pending device pairing request
    Reject { request_id: String },
    /// Remove a paired device entry
    Remove { device_id: String },
    /// Assign an operator label to a paired device
    Rename {
        /// Device id
        #[arg(long)]
        device: String,
        /// Operator-assigned label (max 64 characters)
        #[arg(long)]
        name: String,
    },
    /// Clear paired devices from the gateway table
    Clear {
        /// Also reject all pending pairing requests
        #[arg(long)]
        pending: bool,
        /// Confirm destructive clear
        #[arg(long)]
        yes: bool,
    },
    /// Rotate a device token for a role
    Rotate {
        #[arg(long)]
        device: String,
        #[arg(long)]
        role: String,
        /// Scopes to attach to the token (repeatable)
        #[arg(long = "scope", num_args = 1..)]
        scopes: Vec<String>,
        /// Rotate with an empty scope set
        #[arg(long = "no-scopes", conflicts_with = "scopes")]
        no_scopes: bool,
    },
    /// Mint a single-use join URL that enrolls one node (`openclaw connect <url>`)
    JoinCode,
    /// Revoke a device token for a role
    Revoke {
        #[arg(long)]
        device: String,
        #[arg(long)]
        role: String,
    },
}

pub async fn run(cmd: DevicesCmd, args: &OperatorArgs) -> Result<()> {
    // Refused before any connection, as the real CLI does.
    if let DevicesCmd::Clear { yes: false, .. } = cmd {
        eprintln!("Refusing to clear pairing table without --yes");
        std::process::exit(1);
    }
    let op = args.connect().await?;
    match cmd {
        DevicesCmd::List => list_devices(&op).await,
        DevicesCmd::JoinCode => crate::join_code::mint(&op).await,
        DevicesCmd::Approve { request_id, latest } => approve(&op, args, request_id, latest).await,
        DevicesCmd::Rename { device, name } => {
            let (device, label) = (device.trim().to_string(), name.trim().to_string());
            if device.is_empty() || label.is_empty() {
                eprintln!(
                    "--device and --name are required. Run `openclaw devices list` to choose a paired device."
                );
                std::process::exit(1);
            }
            let r = op
                .call(
                    "device.pair.rename",
                    json!({"deviceId": device, "label": label}),
                )
                .await?;
            done(&op, &r, format!("Renamed {device} \u{2192} {label}"))
        }
        DevicesCmd::Clear { pending, .. } => clear(&op, pending).await,
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
            no_scopes,
        } => {
            let mut params = json!({"deviceId": device, "role": role});
            if no_scopes {
                params["scopes"] = json!([]);
            } else if !scopes.is_empty() {
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
                    device_label(d),
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

/// A paired device's display name as the real CLI picks it: the operator label, then the
/// client's display name, then its client id, then the device id.
fn device_label(d: &Value) -> String {
    ["operatorLabel", "displayName", "clientId", "deviceId"]
        .iter()
        .find_map(|k| d[*k].as_str().filter(|v| !v.is_empty()))
        .unwrap_or_default()
        .to_string()
}

async fn clear(op: &Operator, pending: bool) -> Result<()> {
    let r = op.call("device.pair.list", json!({})).await?;
    let mut removed = Vec::new();
    for d in r["paired"].as_array().into_iter().flatten() {
        let Some(id) = d["deviceId"]
            .as_str()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        op.call("device.pair.remove", json!({"deviceId": id}))
            .await?;
        removed.push(id.to_string());
    }
    let mut rejected = Vec::new();
    if pending {
        for p in r["pending"].as_array().into_iter().flatten() {
            let Some(id) = p["requestId"]
                .as_str()
                .map(str::trim)
                .filter(|v| !v.is_empty())
            else {
                continue;
            };
            op.call("device.pair.reject", json!({"requestId": id}))
                .await?;
            rejected.push(id.to_string());
        }
    }
    if op.json {
        println!(
            "{}",
            pretty(&json!({"removedDevices": removed, "rejectedPending": rejected}))
        );
        return Ok(());
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    println!(
        "Cleared {} paired device{}",
        removed.len(),
        plural(removed.len())
    );
    if pending {
        println!(
            "Rejected {} pending request{}",
            rejected.len(),
            plural(rejected.len())
        );
    }
    Ok(())
}

/// What a pending request asks for next to what its device already holds.
struct ApprovalState {
    kind: &'static str,
    requested: Value,
    approved: Option<Value>,
}

fn sorted_unique(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = values
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The real `resolvePendingDeviceApprovalState`: new pairing, role upgrade, scope upgrade or
/// re-approval, judged against the paired device with the same id and key.
fn approval_state(request: &Value, paired: &[Value]) -> ApprovalState {
    let requested_roles = sorted_unique(
        strings(&request["roles"])
            .into_iter()
            .chain(strings(&request["role"])),
    );
    let requested_scopes = sorted_unique(strings(&request["scopes"]));
    let requested = json!({"roles": requested_roles, "scopes": requested_scopes});
    let device = paired.iter().find(|d| {
        d["deviceId"].as_str().map(str::trim) == request["deviceId"].as_str().map(str::trim)
            && match (d["publicKey"].as_str(), request["publicKey"].as_str()) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    });
    let Some(device) = device else {
        return ApprovalState {
            kind: "new-pairing",
            requested,
            approved: None,
        };
    };
    let approved_roles_all = sorted_unique(
        strings(&device["roles"])
            .into_iter()
            .chain(strings(&device["role"])),
    );
    let approved_roles = match device["tokens"].as_array() {
        None => approved_roles_all,
        Some(tokens) => sorted_unique(
            tokens
                .iter()
                .filter(|t| t["revokedAtMs"].is_null())
                .filter_map(|t| t["role"].as_str().map(String::from)),
        )
        .into_iter()
        .filter(|r| approved_roles_all.contains(r))
        .collect(),
    };
    let approved_scopes = sorted_unique(strings(&device["scopes"]));
    let kind = if !requested_roles.iter().all(|r| approved_roles.contains(r)) {
        "role-upgrade"
    } else if !requested_scopes.iter().all(|s| approved_scopes.contains(s)) {
        "scope-upgrade"
    } else {
        "re-approval"
    };
    ApprovalState {
        kind,
        requested,
        approved: Some(json!({"roles": approved_roles, "scopes": approved_scopes})),
    }
}

fn access_summary(access: Option<&Value>) -> String {
    let Some(a) = access else {
        return "none".into();
    };
    let join = |v: &Value| {
        let items = strings(v);
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    format!(
        "roles: {}; scopes: {}",
        join(&a["roles"]),
        join(&a["scopes"])
    )
}

/// The real `quoteCliArg`: bare when shell-safe, else single-quoted.
fn quote_arg(v: &str) -> String {
    let safe = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_/:=.,@%+-".contains(c));
    if safe {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// The exact command that approves `request_id`, keeping `--url`, a nondefault `--timeout` and
/// `--json`, never a credential (the real `formatPairingApproveCommand`).
fn approve_command(request_id: &str, args: &OperatorArgs) -> String {
    let mut parts = vec![
        "openclaw".to_string(),
        "devices".into(),
        "approve".into(),
        request_id.to_string(),
    ];
    if let Some(url) = args.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        parts.extend(["--url".into(), url.to_string()]);
    }
    if let Some(t) = args.timeout.filter(|t| *t != 10_000) {
        parts.extend(["--timeout".into(), t.to_string()]);
    }
    if args.json {
        parts.push("--json".into());
    }
    parts
        .iter()
        .map(|p| quote_arg(p))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The real `formatAuthFlagReminder`: credentials are never printed, only named.
fn auth_reminder(token: bool, password: bool) -> Option<String> {
    let flags: Vec<&str> = [(token, "--token"), (password, "--password")]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
    match flags.len() {
        0 => None,
        1 => Some(format!(
            "Reuse the same {} option when rerunning.",
            flags[0]
        )),
        _ => Some(format!(
            "Reuse the same {} options when rerunning.",
            flags.join("/")
        )),
    }
}

/// Without a request id, or with `--latest`, the newest pending request is only shown, and the
/// command exits 1: approving always takes the exact id (the real CLI's rule).
async fn approve(
    op: &Operator,
    args: &OperatorArgs,
    request_id: Option<String>,
    latest: bool,
) -> Result<()> {
    let request_id = request_id
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let request_id = match request_id {
        Some(id) if !latest => id,
        _ => return preview_latest(op, args).await,
    };
    let r = match op
        .call("device.pair.approve", json!({"requestId": request_id}))
        .await
    {
        Ok(r) => r,
        Err(e)
            if format!("{e:#}")
                .to_lowercase()
                .contains("unknown requestid") =>
        {
            eprintln!(
                "No pending device request matches {request_id}. Run `openclaw devices list` and retry with the current request ID."
            );
            std::process::exit(1);
        }
        Err(e) => return Err(e),
    };
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

async fn preview_latest(op: &Operator, args: &OperatorArgs) -> Result<()> {
    let r = op.call("device.pair.list", json!({})).await?;
    let pending = r["pending"].as_array().cloned().unwrap_or_default();
    let paired = r["paired"].as_array().cloned().unwrap_or_default();
    // The first of the newest, as the real `selectLatestPendingRequest` reduces.
    let newest = pending.iter().fold(None::<&Value>, |best, cur| match best {
        Some(b) if cur["ts"].as_u64().unwrap_or(0) <= b["ts"].as_u64().unwrap_or(0) => Some(b),
        _ => Some(cur),
    });
    let Some(req) = newest.filter(|r| {
        r["requestId"]
            .as_str()
            .is_some_and(|id| !id.trim().is_empty())
    }) else {
        eprintln!("No pending device pairing requests to approve");
        std::process::exit(1);
    };
    let id = s(&req["requestId"]);
    let state = approval_state(req, &paired);
    let command = approve_command(&id, args);
    let given = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
    let (token_given, password_given) = (given(&args.token), given(&args.password));
    if op.json {
        let payload = json!({
            "selected": req,
            "approvalState": {
                "kind": state.kind,
                "requested": state.requested,
                "approved": state.approved,
            },
            "approveCommand": command,
            "requiresAuthFlags": {"token": token_given, "password": password_given},
        });
        println!("{}", pretty(&payload));
        std::process::exit(1);
    }
    let identity = req["displayName"]
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .unwrap_or_else(|| s(&req["deviceId"]));
    println!("Selected pending device request {id}");
    println!("  Device: {identity}");
    println!("  Requested: {}", access_summary(Some(&state.requested)));
    if state.approved.is_some() {
        println!("  Approved: {}", access_summary(state.approved.as_ref()));
    }
    if let Some(ip) = req["remoteIp"].as_str().filter(|ip| !ip.is_empty()) {
        println!("  IP:     {ip}");
    }
    println!("  Note:   {}", match state.kind {
        "scope-upgrade" => "Already paired. Requested scopes exceed the current approval, so reconnect stays blocked until you approve this upgrade.",
        "role-upgrade" => "Already paired. Requested role exceeds the current approval, so reconnect stays blocked until you approve this upgrade.",
        "re-approval" => "Already paired. Approval-bound device details changed, so OpenClaw created a fresh request instead of silently reusing the old approval.",
        _ => "First-time device pairing request.",
    });
    eprintln!("Approve this exact request with: {command}");
    if let Some(reminder) = auth_reminder(token_given, password_given) {
        eprintln!("{reminder}");
    }
    std::process::exit(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: Option<&str>, timeout: Option<u64>, json: bool) -> OperatorArgs {
        // Parsed, so the test holds whatever options the connection grows.
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            op: OperatorArgs,
        }
        let mut argv = vec!["t".to_string(), "--token".into(), "secret".into()];
        if let Some(url) = url {
            argv.extend(["--url".into(), url.to_string()]);
        }
        if let Some(t) = timeout {
            argv.extend(["--timeout".into(), t.to_string()]);
        }
        if json {
            argv.push("--json".into());
        }
        <Cli as clap::Parser>::parse_from(argv).op
    }

    #[test]
    fn approve_command_keeps_url_timeout_json_but_never_the_token() {
        assert_eq!(
            approve_command("abc-1", &args(None, None, false)),
            "openclaw devices approve abc-1"
        );
        assert_eq!(
            approve_command("abc-1", &args(Some("ws://h:1/a b"), Some(10_000), true)),
            "openclaw devices approve abc-1 --url 'ws://h:1/a b' --json"
        );
        assert_eq!(
            approve_command("it's", &args(None, Some(5000), false)),
            "openclaw devices approve 'it'\\''s' --timeout 5000"
        );
    }

    #[test]
    fn the_auth_reminder_names_flags_never_values() {
        assert_eq!(auth_reminder(false, false), None);
        assert_eq!(
            auth_reminder(true, false).unwrap(),
            "Reuse the same --token option when rerunning."
        );
        assert_eq!(
            auth_reminder(true, true).unwrap(),
            "Reuse the same --token/--password options when rerunning."
        );
    }

    #[test]
    fn approval_state_classifies_as_the_real_cli() {
        let req = json!({"deviceId": "d1", "publicKey": "k", "roles": ["operator"], "scopes": ["operator.read", "operator.write"]});
        assert_eq!(approval_state(&req, &[]).kind, "new-pairing");
        let paired = json!({"deviceId": "d1", "publicKey": "k", "roles": ["operator"], "scopes": ["operator.read"],
            "tokens": [{"role": "operator"}]});
        let st = approval_state(&req, std::slice::from_ref(&paired));
        assert_eq!(st.kind, "scope-upgrade");
        assert_eq!(
            access_summary(st.approved.as_ref()),
            "roles: operator; scopes: operator.read"
        );
        let node = json!({"deviceId": "d1", "publicKey": "k", "roles": ["node"], "scopes": []});
        assert_eq!(
            approval_state(&node, std::slice::from_ref(&paired)).kind,
            "role-upgrade"
        );
        let same = json!({"deviceId": "d1", "publicKey": "k", "roles": ["operator"], "scopes": ["operator.read"]});
        assert_eq!(approval_state(&same, &[paired]).kind, "re-approval");
        let other_key = json!({"deviceId": "d1", "publicKey": "k2", "roles": ["operator"]});
        let paired =
            json!({"deviceId": "d1", "publicKey": "k", "roles": ["operator"], "scopes": []});
        assert_eq!(approval_state(&other_key, &[paired]).kind, "new-pairing");
    }

    #[test]
    fn device_label_prefers_the_operator_label() {
        let d = json!({"deviceId": "id", "clientId": "cli", "displayName": "Mac", "operatorLabel": "Kitchen"});
        assert_eq!(device_label(&d), "Kitchen");
        assert_eq!(
            device_label(&json!({"deviceId": "id", "clientId": "cli"})),
            "cli"
        );
        assert_eq!(device_label(&json!({"deviceId": "id"})), "id");
    }
}
