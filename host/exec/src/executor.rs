//! `which`, `prepare` and `run` under the approvals: the policy is decided here, before any
//! process starts, whoever asks.

use std::path::PathBuf;
use std::time::Duration;

use openclaw_protocol::errors::ErrorCode;
use openclaw_protocol::exec_command::{check_raw_command, format_exec_command};
use serde_json::{json, Value};

use crate::analysis::Context;
use crate::approvals::{ApprovalsStore, Ask, Policy, Security};
use crate::config_policy::ExecConfig;
use crate::plan::Plan;
use crate::policy::{decide, Verdict};
use crate::spawn::Outcome;
use crate::{allowlist, analysis, env, plan_runner, policy, spawn, ExecError, ExecEvent};

/// PATH used when the host has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// `exec.finished.output` keeps this many characters (the tail).
const EVENT_OUTPUT_CHARS: usize = 20_000;

/// A run as `system.run` asks for it.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    pub argv: Vec<String>,
    /// The command as the operator wrote it; must match argv.
    pub raw_command: Option<String>,
    pub cwd: Option<String>,
    /// Overrides of the node's environment.
    pub env: Vec<(String, String)>,
    pub timeout_ms: Option<u64>,
    pub agent_id: Option<String>,
    pub session_key: Option<String>,
    pub run_id: Option<String>,
    pub suppress_notify_on_exit: bool,
}

/// Runs commands under the node's exec config and the approvals in one file.
pub struct Executor {
    pub approvals: ApprovalsStore,
    config: ExecConfig,
    home: String,
}

impl Executor {
    pub fn new(approvals_path: PathBuf) -> Executor {
        Executor {
            approvals: ApprovalsStore::new(approvals_path),
            config: ExecConfig::default(),
            home: std::env::var("HOME").unwrap_or_default(),
        }
    }

    /// The same, under the policy `openclaw.json`'s `tools.exec` sets.
    pub fn with_config(self, config: ExecConfig) -> Executor {
        Executor { config, ..self }
    }

    /// The policy of a run for `agent_id`: the config's, tightened by the approvals.
    fn policy(&self, agent_id: Option<&str>) -> Policy {
        Policy {
            safe_bins: self.config.safe_bins(agent_id),
            strict_inline_eval: self.config.strict_inline_eval(agent_id),
            ..self
                .approvals
                .policy(agent_id, self.config.policy(agent_id))
        }
    }

    /// Resolves names on the node's PATH; names not found are left out.
    pub fn which(&self, bins: Vec<String>) -> Vec<(String, String)> {
        let path = path_env();
        bins.into_iter()
            .filter_map(|b| allowlist::which(&b, &path).map(|p| (b, p.display().to_string())))
            .collect()
    }

    /// What `run` would execute, as the `system.run.prepare` payload, without running it.
    pub fn prepare(&self, req: &RunRequest) -> Result<Value, ExecError> {
        validate(req)?;
        let policy = self.policy(req.agent_id.as_deref());
        environment(req, &policy)?;
        let cwd = match (&req.cwd, policy.security, policy.ask) {
            (Some(dir), Security::Full, Ask::Off) => {
                Some(std::fs::canonicalize(dir).map_err(|_| {
                    ExecError::new(
                        ErrorCode::SystemRunDenied,
                        "SYSTEM_RUN_DENIED: working directory does not exist or is inaccessible",
                    )
                })?)
            }
            (dir, _, _) => dir.as_ref().map(PathBuf::from),
        };
        // Under an allowlist the node runs the plan it judged, not the text: show that plan.
        let preview = (policy.security == Security::Allowlist)
            .then(|| {
                let here = std::env::current_dir().ok()?;
                let path = path_env();
                let cx = Context {
                    path_env: &path,
                    cwd: cwd.as_deref().unwrap_or(&here),
                };
                analysis::analyse(&req.argv, &cx).ok()
            })
            .flatten()
            .map(|a| a.plan.preview());
        Ok(json!({
            "plan": {
                "argv": req.argv,
                "cwd": cwd.map(|c| c.display().to_string()),
                "commandText": command_text(req),
                "commandPreview": preview,
                "agentId": req.agent_id,
                "sessionKey": req.session_key,
            },
            "execPolicy": {"security": policy.security.as_str(), "ask": policy.ask.as_str()},
            "allowAlwaysCoverage": {"complete": false, "patterns": []},
        }))
    }

    /// Runs `req` when the approvals allow it. The event says how it went, denied or
    /// finished; a request that is malformed gets no event.
    pub async fn run(&self, req: &RunRequest) -> (Result<Outcome, ExecError>, Option<ExecEvent>) {
        if let Err(e) = validate(req) {
            return (Err(e), None);
        }
        let policy = self.policy(req.agent_id.as_deref());
        let env = match environment(req, &policy) {
            Ok(env) => env,
            Err(e) => return (Err(e), None),
        };
        let session_key = req.session_key.clone().unwrap_or_else(|| "node".into());
        let run_id = req
            .run_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let command = command_text(req);
        let cwd = req.cwd.as_ref().map(PathBuf::from);
        let path = path_env();
        let verdict = decide(
            &policy,
            &policy::Request {
                argv: &req.argv,
                cwd: cwd.as_deref(),
                path_env: &path,
                home: &self.home,
            },
        );
        let plan = match verdict {
            Ok(Verdict::AsGiven) => None,
            Ok(Verdict::Plan(plan)) => Some(plan),
            Err(denial) => {
                let event = ExecEvent::Denied {
                    session_key,
                    run_id,
                    command,
                    reason: denial.reason.to_string(),
                };
                return (
                    Err(ExecError::new(ErrorCode::SystemRunDenied, denial.message)),
                    Some(event),
                );
            }
        };
        let timeout = req.timeout_ms.filter(|t| *t > 0).map(Duration::from_millis);
        let o = execute(plan.as_ref(), &req.argv, cwd.as_deref(), &env, timeout).await;
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
        let event = ExecEvent::Finished {
            session_key,
            run_id,
            command,
            exit_code: o.exit_code,
            timed_out: o.timed_out,
            success: o.exit_code == Some(0) && !o.timed_out,
            output: tail(output.trim(), EVENT_OUTPUT_CHARS),
            suppress_notify_on_exit: req.suppress_notify_on_exit,
        };
        (Ok(o), Some(event))
    }
}

/// Runs what was decided: the judged plan, or under `security=full` the argv as given.
pub(crate) async fn execute(
    plan: Option<&Plan>,
    argv: &[String],
    cwd: Option<&std::path::Path>,
    env: &[(String, String)],
    timeout: Option<Duration>,
) -> Outcome {
    let (program, argv) = match plan {
        Some(Plan::Script(script)) => return plan_runner::run(script, cwd, env, timeout).await,
        Some(Plan::Program(step)) => (Some(step.program.as_path()), step.argv.as_slice()),
        None => (None, argv),
    };
    let launch = spawn::Launch {
        program,
        argv,
        cwd,
        env,
    };
    spawn::run(&launch, timeout).await
}

fn path_env() -> String {
    std::env::var("PATH")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_PATH.into())
}

fn command_text(req: &RunRequest) -> String {
    req.raw_command
        .clone()
        .unwrap_or_else(|| format_exec_command(&req.argv))
}

/// Checks shared by prepare and run: argv, rawCommand.
fn validate(req: &RunRequest) -> Result<(), ExecError> {
    if req.argv.is_empty() || req.argv[0].trim().is_empty() {
        return Err(ExecError::invalid("command required"));
    }
    if let Some(raw) = &req.raw_command {
        if check_raw_command(&req.argv, raw).is_err() {
            return Err(ExecError::invalid("rawCommand does not match command"));
        }
    }
    Ok(())
}

/// The environment overrides a run gets, or the refusal (`INVALID_REQUEST` with a
/// `SYSTEM_RUN_DENIED:` message naming every refused key, as on the real node host).
fn environment(req: &RunRequest, policy: &Policy) -> Result<Vec<(String, String)>, ExecError> {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let path = path_env();
    let cx = Context {
        path_env: &path,
        cwd: req
            .cwd
            .as_deref()
            .map(std::path::Path::new)
            .unwrap_or(&here),
    };
    checked_env(&req.argv, &req.env, policy.security, &cx).map_err(ExecError::invalid)
}

/// The overrides `env` that `argv` gets under `security`, or the denial message.
pub(crate) fn checked_env(
    argv: &[String],
    env: &[(String, String)],
    security: Security,
    cx: &Context,
) -> Result<Vec<(String, String)>, String> {
    let strict = security == Security::Allowlist;
    if let Some(message) = env::refused_assignments(&analysis::env_assignments(argv, cx), strict) {
        return Err(message);
    }
    env::check_overrides(env, strict, analysis::runs_a_shell(argv, cx))
}

fn tail(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(count - max).collect();
    format!("... (truncated) {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(argv: &[&str]) -> RunRequest {
        RunRequest {
            argv: argv.iter().map(|a| a.to_string()).collect(),
            session_key: Some("s1".into()),
            run_id: Some("r1".into()),
            ..RunRequest::default()
        }
    }

    #[tokio::test]
    async fn a_run_reports_how_it_went_and_a_denial_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exec-approvals.json");
        // Allowlist patterns match the resolved program (`/bin` may be a link to `/usr/bin`).
        let echo = std::fs::canonicalize("/bin/echo").unwrap();
        let doc = json!({"version": 1, "defaults": {"security": "allowlist", "ask": "off"},
                         "agents": {"*": {"allowlist": [{"pattern": echo}]}}});
        openclaw_files::write_atomically(&path, doc.to_string().as_bytes()).unwrap();
        let executor = Executor::new(path);

        let (output, event) = executor.run(&request(&["/bin/echo", "hi"])).await;
        assert_eq!(output.unwrap().stdout, "hi\n");
        assert_eq!(
            event,
            Some(ExecEvent::Finished {
                session_key: "s1".into(),
                run_id: "r1".into(),
                command: "/bin/echo hi".into(),
                exit_code: Some(0),
                timed_out: false,
                success: true,
                output: "hi".into(),
                suppress_notify_on_exit: false,
            })
        );

        let (output, event) = executor.run(&request(&["/bin/touch", "x"])).await;
        let e = output.unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                ErrorCode::SystemRunDenied,
                "SYSTEM_RUN_DENIED: allowlist miss"
            )
        );
        assert!(
            matches!(&event, Some(ExecEvent::Denied { reason, .. }) if reason == "allowlist-miss"),
            "{event:?}"
        );
        assert!(!dir.path().join("x").exists());

        // A malformed request is refused before the policy, with no event.
        let (output, event) = executor.run(&request(&[" "])).await;
        assert_eq!(
            output.unwrap_err().message,
            "INVALID_REQUEST: command required"
        );
        assert_eq!(event, None);
    }
}
