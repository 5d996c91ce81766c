//! `nodes run`: a command on a node the way the exec tool runs it, prepare then run, with its
//! output and exit code passed through. When the policy asks, the run waits for an approval
//! (`run_approval`) and then runs the approved plan.

use anyhow::{bail, Result};
use std::collections::BTreeMap;

use openclaw_protocol::node_commands::{SystemRunParams, SystemRunPrepareParams};
use openclaw_protocol::node_invoke::InvokeParams;
use serde_json::Value;

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
    let mut overrides = BTreeMap::new();
    for kv in &env {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--env {kv}: expected KEY=VALUE")
        };
        overrides.insert(k.to_string(), v.to_string());
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
    let prepare = SystemRunPrepareParams {
        command: argv,
        cwd,
        agent_id: agent.clone(),
        security: security.clone(),
        ask: ask.clone(),
        env: (!overrides.is_empty()).then(|| overrides.clone()),
        ..Default::default()
    };
    let prepared = call("system.run.prepare", prepare.to_value()).await?;
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
        let params = SystemRunParams {
            command: serde_json::from_value(plan["argv"].clone()).unwrap_or_default(),
            raw_command: plan["commandText"].as_str().map(String::from),
            cwd: plan["cwd"].as_str().map(String::from),
            env: Some(overrides.clone()),
            timeout_ms,
            agent_id: agent,
            needs_screen_recording: needs_screen_recording.then_some(true),
            ..Default::default()
        };
        match call("system.run", params.to_value()).await {
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
fn with_extras(mut params: SystemRunParams, timeout_ms: Option<u64>, screen: bool) -> Value {
    if timeout_ms.is_some() {
        params.timeout_ms = timeout_ms;
    }
    if screen {
        params.needs_screen_recording = Some(true);
    }
    params.to_value()
}
