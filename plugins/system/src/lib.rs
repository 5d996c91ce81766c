//! The `system` command family of a headless node: it shapes the wire params and payloads of
//! spec §5.1-5.3; the host's `exec` capability decides and spawns.

use std::collections::BTreeMap;

use openclaw_plugin_sdk::exec::{self, RunRequest};
use openclaw_plugin_sdk::exec_approvals;
use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Deserialize)]
struct WhichParams {
    #[serde(default)]
    bins: Option<Vec<String>>,
}

fn which(_call: &Call, p: WhichParams) -> Result<Value, Failure> {
    let bins = p
        .bins
        .filter(|b| !b.is_empty())
        .ok_or_else(|| Failure::invalid("bins required"))?;
    let found: Map<String, Value> = exec::which(&bins)
        .into_iter()
        .map(|(name, path)| (name, Value::String(path)))
        .collect();
    Ok(serde_json::json!({ "bins": found }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunParams {
    #[serde(default)]
    command: Option<Vec<String>>,
    #[serde(default)]
    raw_command: Option<String>,
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    env: Option<BTreeMap<String, String>>,
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    needs_screen_recording: bool,
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    session_key: Option<String>,
    #[serde(default)]
    run_id: Option<String>,
    #[serde(default)]
    suppress_notify_on_exit: bool,
}

impl RunParams {
    fn request(self) -> Result<RunRequest, Failure> {
        let argv = self
            .command
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Failure::invalid("command required"))?;
        Ok(RunRequest {
            argv,
            raw_command: self.raw_command,
            cwd: self.cwd,
            env: self.env.unwrap_or_default().into_iter().collect(),
            timeout_ms: self.timeout_ms,
            agent_id: self.agent_id,
            session_key: self.session_key,
            run_id: self.run_id,
            suppress_notify_on_exit: self.suppress_notify_on_exit,
        })
    }
}

/// The `system.run` payload, fields in the real node host's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunPayload {
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
    timed_out: bool,
    success: bool,
    stdout: String,
    stderr: String,
    error: Option<String>,
}

fn run(_call: &Call, p: RunParams) -> Result<RunPayload, Failure> {
    // The command needs the screen: run it only where the node declares it can be recorded.
    if p.needs_screen_recording && !exec::screen_recording_permitted() {
        return Err(Failure::new(
            "SYSTEM_RUN_DENIED",
            "PERMISSION_MISSING: screenRecording",
        ));
    }
    let out = exec::run(&p.request()?)?;
    Ok(RunPayload {
        success: out.exit_code == Some(0) && !out.timed_out,
        exit_code: out.exit_code,
        timed_out: out.timed_out,
        stdout: out.stdout,
        stderr: out.stderr,
        error: out.error,
    })
}

fn prepare(_call: &Call, p: RunParams) -> Result<Value, Failure> {
    let plan = exec::prepare(&p.request()?)?;
    serde_json::from_str(&plan)
        .map_err(|e| Failure::unavailable(format!("host returned a bad plan: {e}")))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApprovalsGet {}

fn approvals_get(_call: &Call, _p: ApprovalsGet) -> Result<Value, Failure> {
    let snapshot = exec_approvals::get()?;
    serde_json::from_str(&snapshot).map_err(|e| Failure::unavailable(e.to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApprovalsSet {
    #[serde(default)]
    file: Option<Value>,
    #[serde(default)]
    base_hash: Option<String>,
}

fn approvals_set(_call: &Call, p: ApprovalsSet) -> Result<Value, Failure> {
    let file = p
        .file
        .ok_or_else(|| Failure::invalid("exec approvals file required"))?;
    let snapshot = exec_approvals::set(&file.to_string(), p.base_hash.as_deref())?;
    serde_json::from_str(&snapshot).map_err(|e| Failure::unavailable(e.to_string()))
}

plugin! {
    caps: ["system"],
    commands: {
        "system.run" => run: "Runs a command under the node's exec approvals",
        "system.run.prepare" => prepare: "Shows what system.run would execute, and under which policy",
        "system.which" => which: "Finds executables on the node's PATH",
        "system.execApprovals.get" => approvals_get: "Reads the node's exec approvals",
        "system.execApprovals.set" => approvals_set: "Replaces the node's exec approvals (needs the current hash)",
    }
}
