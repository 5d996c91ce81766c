//! `nodes run`: a command on a node the way the exec tool runs it, prepare then run, with its
//! output and exit code passed through.

use anyhow::{bail, Result};
use openclaw_protocol::node_invoke::InvokeParams;
use serde_json::{json, Value};

use crate::operator::Operator;
use crate::render::s;

/// What `nodes run` asks of the node.
pub struct RunOptions {
    pub cwd: Option<String>,
    /// `KEY=VALUE` overrides.
    pub env: Vec<String>,
    pub timeout_ms: Option<u64>,
    pub agent: Option<String>,
    /// The command records the screen: the node runs it only where it can.
    pub needs_screen_recording: bool,
    pub argv: Vec<String>,
}

pub async fn run_command(op: &Operator, node_id: &str, options: RunOptions) -> Result<()> {
    let RunOptions {
        cwd,
        env,
        timeout_ms,
        agent,
        needs_screen_recording,
        argv,
    } = options;
    let mut overrides = serde_json::Map::new();
    for kv in &env {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--env {kv}: expected KEY=VALUE")
        };
        overrides.insert(k.to_string(), json!(v));
    }
    let call = |command: &str, params: Value| {
        let key = uuid::Uuid::new_v4().to_string();
        let request = InvokeParams::new(node_id, command, params, key).to_value();
        let wait = op.timeout.max(std::time::Duration::from_millis(
            timeout_ms.unwrap_or(0) + 35_000,
        ));
        async move {
            op.client
                .request_with_timeout("node.invoke", request, wait)
                .await
        }
    };
    let prepared = call(
        "system.run.prepare",
        json!({"command": argv, "cwd": cwd, "agentId": agent}),
    )
    .await?;
    let plan = &prepared["payload"]["plan"];
    let mut params = json!({
        "command": plan["argv"],
        "rawCommand": plan["commandText"],
        "cwd": plan["cwd"],
        "env": overrides,
        "timeoutMs": timeout_ms,
        "agentId": agent,
    });
    if needs_screen_recording {
        params["needsScreenRecording"] = json!(true);
    }
    let result = call("system.run", params).await?;
    let out = &result["payload"];
    print!("{}", s(&out["stdout"]));
    eprint!("{}", s(&out["stderr"]));
    use std::io::Write;
    std::io::stdout().flush().ok();
    if let Some(error) = out["error"].as_str() {
        bail!("{error}");
    }
    if out["timedOut"] == true {
        eprintln!("openclaw: the command timed out on the node");
        std::process::exit(124);
    }
    std::process::exit(out["exitCode"].as_i64().map_or(1, |c| c as i32));
}
