//! The `exec` capability: `system.which` and `system.run(.prepare)`, with the approvals policy
//! enforced here in the host, where no plugin can reach around it. Editing the approvals is
//! the separate `exec-approvals` capability (`editing`).

mod allowlist;
mod analysis;
pub mod approvals;
#[cfg(test)]
mod corpus;
pub(crate) mod editing;
mod env;
mod env_lists;
mod policy;
mod script;
pub mod spawn;
mod wrappers;

use std::path::PathBuf;
use std::time::Duration;

use openclaw_protocol::exec_command::{check_raw_command, format_exec_command};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::bindings::openclaw::plugin::exec::{self, RunOutput, RunRequest};
use crate::bindings::Failure;
use crate::state::CallState;
use approvals::{ApprovalsStore, Ask, Policy, Security};
use policy::{decide, Verdict};

/// PATH used when the host has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// `exec.finished.output` keeps this many characters (the tail).
const EVENT_OUTPUT_CHARS: usize = 20_000;

/// A `node.event` the host sends on a plugin's behalf.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeEvent {
    pub event: String,
    pub payload: Value,
}

/// What the exec capability needs from the node host.
pub struct ExecContext {
    pub approvals: ApprovalsStore,
    pub events: Option<mpsc::UnboundedSender<NodeEvent>>,
    pub home: String,
}

impl ExecContext {
    pub fn new(
        approvals_path: PathBuf,
        events: Option<mpsc::UnboundedSender<NodeEvent>>,
    ) -> ExecContext {
        ExecContext {
            approvals: ApprovalsStore::new(approvals_path),
            events,
            home: std::env::var("HOME").unwrap_or_default(),
        }
    }

    fn emit(&self, event: &str, payload: Value) {
        if let Some(tx) = &self.events {
            tx.send(NodeEvent {
                event: event.into(),
                payload,
            })
            .ok();
        }
    }
}

fn path_env() -> String {
    std::env::var("PATH")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_PATH.into())
}

fn failure(code: &str, message: impl Into<String>) -> Failure {
    Failure {
        code: code.into(),
        message: message.into(),
    }
}

/// Checks shared by prepare and run: argv, rawCommand.
fn validate(req: &RunRequest) -> Result<(), Failure> {
    if req.argv.is_empty() || req.argv[0].trim().is_empty() {
        return Err(failure(
            "INVALID_REQUEST",
            "INVALID_REQUEST: command required",
        ));
    }
    if let Some(raw) = &req.raw_command {
        if check_raw_command(&req.argv, raw).is_err() {
            return Err(failure(
                "INVALID_REQUEST",
                "INVALID_REQUEST: rawCommand does not match command",
            ));
        }
    }
    Ok(())
}

/// The environment overrides a run gets, or the refusal (`INVALID_REQUEST` with a
/// `SYSTEM_RUN_DENIED:` message naming every refused key, as on the real node host).
fn environment(req: &RunRequest, policy: &Policy) -> Result<Vec<(String, String)>, Failure> {
    let strict = policy.security == Security::Allowlist;
    let refusal = |message: String| failure("INVALID_REQUEST", message);
    if let Some(message) = env::refused_assignments(&analysis::env_assignments(&req.argv), strict) {
        return Err(refusal(message));
    }
    env::check_overrides(&req.env, strict, analysis::runs_a_shell(&req.argv)).map_err(refusal)
}

fn tail(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(count - max).collect();
    format!("... (truncated) {tail}")
}

impl exec::Host for CallState {
    async fn which(&mut self, bins: Vec<String>) -> Vec<(String, String)> {
        let path = path_env();
        bins.into_iter()
            .filter_map(|b| allowlist::which(&b, &path).map(|p| (b, p.display().to_string())))
            .collect()
    }

    async fn prepare(&mut self, req: RunRequest) -> Result<String, Failure> {
        validate(&req)?;
        let policy = self.exec.approvals.policy(req.agent_id.as_deref());
        environment(&req, &policy)?;
        let cwd = match (&req.cwd, policy.security, policy.ask) {
            (Some(dir), Security::Full, Ask::Off) => {
                Some(std::fs::canonicalize(dir).map_err(|_| {
                    failure(
                        "SYSTEM_RUN_DENIED",
                        "SYSTEM_RUN_DENIED: working directory does not exist or is inaccessible",
                    )
                })?)
            }
            (dir, _, _) => dir.as_ref().map(PathBuf::from),
        };
        let command_text = req
            .raw_command
            .clone()
            .unwrap_or_else(|| format_exec_command(&req.argv));
        let plan = json!({
            "plan": {
                "argv": req.argv,
                "cwd": cwd.map(|c| c.display().to_string()),
                "commandText": command_text,
                "commandPreview": Value::Null,
                "agentId": req.agent_id,
                "sessionKey": req.session_key,
            },
            "execPolicy": {"security": policy.security.as_str(), "ask": policy.ask.as_str()},
            "allowAlwaysCoverage": {"complete": false, "patterns": []},
        });
        Ok(plan.to_string())
    }

    async fn run(&mut self, req: RunRequest) -> Result<RunOutput, Failure> {
        validate(&req)?;
        let ctx = self.exec.clone();
        let session_key = req.session_key.clone().unwrap_or_else(|| "node".into());
        let run_id = req
            .run_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let command = req
            .raw_command
            .clone()
            .unwrap_or_else(|| format_exec_command(&req.argv));
        let policy = ctx.approvals.policy(req.agent_id.as_deref());
        let env = environment(&req, &policy)?;
        let cwd = req.cwd.as_ref().map(PathBuf::from);
        let path = path_env();
        let verdict = decide(
            &policy,
            &policy::Request {
                argv: &req.argv,
                cwd: cwd.as_deref(),
                path_env: &path,
                home: &ctx.home,
            },
        );
        let (program, argv) = match verdict {
            Ok(Verdict::AsGiven) => (None, req.argv.clone()),
            Ok(Verdict::Resolved { program, argv }) => (Some(program), argv),
            Err(denial) => {
                ctx.emit(
                    "exec.denied",
                    json!({"sessionKey": session_key, "runId": run_id, "host": "node", "command": command, "reason": denial.reason}),
                );
                return Err(failure("SYSTEM_RUN_DENIED", denial.message));
            }
        };
        let timeout = req.timeout_ms.filter(|t| *t > 0).map(Duration::from_millis);
        let o = spawn::run(
            &spawn::Launch {
                program: program.as_deref(),
                argv: &argv,
                cwd: cwd.as_deref(),
                env: &env,
            },
            timeout,
        )
        .await;
        let success = o.exit_code == Some(0) && !o.timed_out;
        let output = [
            o.stdout.as_str(),
            o.stderr.as_str(),
            o.error.as_deref().unwrap_or(""),
        ]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
        ctx.emit(
            "exec.finished",
            json!({
                "sessionKey": session_key, "runId": run_id, "host": "node", "command": command,
                "exitCode": o.exit_code, "timedOut": o.timed_out, "success": success,
                "output": tail(output.trim(), EVENT_OUTPUT_CHARS),
                "suppressNotifyOnExit": req.suppress_notify_on_exit,
            }),
        );
        Ok(RunOutput {
            exit_code: o.exit_code,
            timed_out: o.timed_out,
            stdout: o.stdout,
            stderr: o.stderr,
            error: o.error,
        })
    }
}
