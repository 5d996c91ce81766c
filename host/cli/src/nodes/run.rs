//! `nodes run`: a command on a node the way the exec tool runs it, prepare then run, with its
//! output and exit code passed through. When the policy asks, the run waits for an approval
//! (`run_approval`) and then runs the approved plan.

use anyhow::{bail, Result};
use openclaw_protocol::node_invoke::InvokeParams;
use serde_json::{json, Map, Value};

use super::run_approval::{self, Policy};
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
    /// The caller's exec policy (`deny|allowlist|full`, `off|on-miss|always`), combined with
    /// the node's own as the exec tool combines them.
    pub security: Option<String>,
    pub ask: Option<String>,
    pub argv: Vec<String>,
}

pub async fn run_command(op: &Operator, node_id: &str, options: RunOptions) -> Result<()> {
    let RunOptions {
        cwd,
        env,
        timeout_ms,
        agent,
        needs_screen_recording,
        security,
        ask,
        argv,
    } = options;
    let mut overrides = Map::new();
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
    let mut prepare = json!({"command": argv, "cwd": cwd, "agentId": agent});
    if let Some(security) = &security {
        prepare["security"] = json!(security);
    }
    if let Some(ask) = &ask {
        prepare["ask"] = json!(ask);
    }
    if !overrides.is_empty() {
        prepare["env"] = json!(overrides);
    }
    let prepared = call("system.run.prepare", prepare).await?;
    let prepared = &prepared["payload"];
    let plan = &prepared["plan"];
    let policy = Policy::combine(security.as_deref(), ask.as_deref(), &prepared["execPolicy"]);
    policy.refuse_if_denied()?;

    let result = if policy.asks_before_running() {
        run_approval::approve_and_run(op, node_id, prepared, &policy, &overrides, |params| {
            call(
                "system.run",
                with_extras(params, timeout_ms, needs_screen_recording),
            )
        })
        .await?
    } else {
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
        match call("system.run", params).await {
            Ok(result) => result,
            // The node judged the run a miss that needs a human: ask, then run the plan.
            Err(e) if policy.asks_after(&e.to_string()) => {
                run_approval::approve_and_run(
                    op,
                    node_id,
                    prepared,
                    &policy,
                    &overrides,
                    |params| {
                        call(
                            "system.run",
                            with_extras(params, timeout_ms, needs_screen_recording),
                        )
                    },
                )
                .await?
            }
            Err(e) => return Err(e.into()),
        }
    };
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

/// The run's own settings on top of the approved request.
fn with_extras(mut params: Value, timeout_ms: Option<u64>, screen: bool) -> Value {
    if let Some(ms) = timeout_ms {
        params["timeoutMs"] = json!(ms);
    }
    if screen {
        params["needsScreenRecording"] = json!(true);
    }
    params
}
