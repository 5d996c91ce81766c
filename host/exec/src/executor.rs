//! `which`, `prepare` and `run` under the approvals: the policy is decided here, before any
//! process starts, whoever asks.

use std::path::PathBuf;
use std::time::Duration;

use openclaw_protocol::errors::ErrorCode;
use openclaw_protocol::exec_command::{
    check_raw_command, format_exec_command, shell_wrapper_script,
};
use serde_json::{json, Value};

use crate::allow_always::{self, Coverage};
use crate::analysis::{Context, Segment};
use crate::approval::{Approval, Bound, Grant};
use crate::approvals::{ApprovalsStore, Ask, Policy, Security};
use crate::approved_paths::{capture_cwd, pin_program, CWD_CHANGED};
use crate::authorization::{allow_always_grant, Authorization};
use crate::config_policy::ExecConfig;
use crate::invoke_fields::InvokeFields;
use crate::plan::Plan;
use crate::policy::{decide, Verdict};
use crate::policy_snapshot::PolicySnapshot;
use crate::script_operand::{self, ScriptOperand};
use crate::spawn::Outcome;
use crate::{
    allowlist, analysis, env, inline_eval, plan_runner, policy, spawn, ExecError, ExecEvent,
};

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
    /// What the invoke itself says beyond the plugin's request (approval, prepare hints).
    pub invoke: InvokeFields,
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

    /// What `run` would execute, as the `system.run.prepare` payload, without running it: the
    /// plan a person would approve, bound (unless the caller and the policy both say
    /// full/off) to the canonical directory and the program's real path, with the policy it
    /// was made under and what "allow always" would write.
    pub fn prepare(&self, req: &RunRequest) -> Result<Value, ExecError> {
        validate(req)?;
        let agent = req.agent_id.as_deref();
        let policy = self.policy(agent);
        environment(req, &policy)?;
        let path = path_env();
        let bind = req.invoke.binds_approval(&policy);
        let (argv, cwd) = match bind {
            true => bound_paths(req, &path)?,
            false => {
                let dir = req.cwd.as_deref().map(PathBuf::from);
                let here = dir
                    .map_or_else(std::env::current_dir, Ok)
                    .and_then(std::fs::canonicalize);
                let cwd = here.map_err(|_| {
                    ExecError::new(
                        ErrorCode::SystemRunDenied,
                        "SYSTEM_RUN_DENIED: working directory does not exist or is inaccessible",
                    )
                })?;
                (req.argv.clone(), cwd)
            }
        };
        let cx = Context {
            path_env: &path,
            cwd: &cwd,
        };
        let analysis = analysis::analyse(&argv, &cx).ok();
        let command_text = format_exec_command(&argv);
        // Under an allowlist the node runs the plan it judged, not the text: show that plan.
        let preview = match policy.security {
            Security::Allowlist => analysis.as_ref().map(|a| a.plan.preview()),
            _ => shell_wrapper_script(&argv).map(|s| s.trim().to_string()),
        }
        .filter(|p| *p != command_text);
        let coverage = match (&analysis, bind) {
            (Some(a), true) => {
                let inline = |s: &Segment| {
                    let mut argv = vec![s.exe.path.display().to_string()];
                    argv.extend(s.args.iter().cloned());
                    inline_eval::in_command(&argv, &cx).is_some()
                };
                Coverage::of(&a.segments, &cwd, inline)
            }
            _ => Coverage::default(),
        };
        let document = self.approvals.document().unwrap_or_default();
        let mut plan = json!({
            "argv": argv,
            "cwd": cwd.display().to_string(),
            "commandText": command_text,
            "commandPreview": preview,
            "agentId": req.agent_id,
            "sessionKey": req.session_key,
        });
        if let Some(index) = script_index(&argv, &cx).filter(|_| bind) {
            let script = ScriptOperand::capture(&argv, index, &cwd).map_err(ExecError::invalid)?;
            plan["mutableFileOperand"] = script.to_value();
        }
        plan["policySnapshot"] = PolicySnapshot::of_document(&document, agent).to_value();
        Ok(json!({
            "plan": plan,
            "execPolicy": {"security": policy.security.as_str(), "ask": policy.ask.as_str()},
            "allowAlwaysCoverage": coverage.to_value(),
        }))
    }

    /// Runs `req` when the approvals allow it, or the approval the gateway forwarded with
    /// it does. The event says how it went, denied or finished; a request that is malformed
    /// gets no event.
    pub async fn run(&self, req: &RunRequest) -> (Result<Outcome, ExecError>, Option<ExecEvent>) {
        if let Err(e) = validate(req) {
            return (Err(e), None);
        }
        let agent = req.agent_id.as_deref();
        let command_text = format_exec_command(&req.argv);
        let bound = Bound {
            argv: &req.argv,
            command_text: &command_text,
            cwd: req.cwd.as_deref(),
            agent_id: agent,
            session_key: req.session_key.as_deref(),
        };
        let approval = match Approval::parse(&req.invoke.approval, &bound) {
            Ok(approval) => approval,
            Err(e) => return (Err(e), None),
        };
        let mut policy = self.policy(agent);
        let env = match environment(req, &policy) {
            Ok(env) => env,
            Err(e) => return (Err(e), None),
        };
        let denied = Denied {
            session_key: req.session_key.clone().unwrap_or_else(|| "node".into()),
            run_id: req
                .run_id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            command: command_text_of(req),
        };
        let approval = approval.as_ref();
        // A person approved the policy they saw: if it changed since, they must see it again.
        let seen = approval
            .filter(|a| a.grant != Grant::AskFallback)
            .and_then(|a| a.plan.policy_snapshot.as_ref());
        if let Some(seen) = seen {
            let document = self.approvals.document().unwrap_or_default();
            if !seen.is_current(&PolicySnapshot::of_document(&document, agent)) {
                return denied.deny(
                    "approval-required",
                    "SYSTEM_RUN_DENIED: exec approval policy changed; request approval again",
                );
            }
        }
        if approval.is_some_and(|a| a.grant == Grant::AskFallback) {
            policy.security = policy.security.min(policy.ask_fallback);
            policy.ask = Ask::Off;
        }
        let path = path_env();
        // An approval is for one directory, by its identity, and runs there.
        let cwd_snapshot = match approval.map(|_| capture_cwd(req.cwd.as_deref())) {
            Some(Err(message)) => return denied.deny("approval-required", message),
            Some(Ok(snapshot)) => Some(snapshot),
            None => None,
        };
        let cwd = match &cwd_snapshot {
            Some(snapshot) => Some(snapshot.cwd.clone()),
            None => req.cwd.as_ref().map(PathBuf::from),
        };
        let verdict = decide(
            &policy,
            &policy::Request {
                argv: &req.argv,
                cwd: cwd.as_deref(),
                path_env: &path,
                home: &self.home,
                approved: approval.is_some_and(Approval::approved_by_ask),
            },
        );
        let plan = match verdict {
            Ok(Verdict::AsGiven) => None,
            Ok(Verdict::Plan(plan)) => Some(plan),
            Err(denial) => return denied.deny(denial.reason, &denial.message),
        };
        if let (Some(approval), Some(snapshot)) = (approval, &cwd_snapshot) {
            let authorization = Authorization {
                approval,
                agent_id: agent,
                security: policy.security,
                ask: policy.ask,
            };
            let grant = allow_always_grant(approval, &req.argv, &snapshot.cwd, &path);
            let committed = self.approvals.update(|doc| {
                if !authorization.still_holds(doc) {
                    return Err("the exec approval policy changed".into());
                }
                let Some(coverage) = &grant else {
                    return Ok(false);
                };
                // As the real's `applyAllowAlwaysDecision`: a grant is written for a named
                // agent only, never guessed, so a run without one is refused.
                let Some(key) = agent else {
                    return Err("Exec allowlist update requires an explicit agent id.".into());
                };
                Ok(allow_always::grant(
                    doc,
                    key,
                    coverage,
                    &command_text,
                    now_ms(),
                ))
            });
            if let Err(why) = committed {
                tracing::warn!(run = %denied.run_id, "approval state not persisted: {why}");
                return denied.deny(
                    "approval-state-write-failed",
                    "SYSTEM_RUN_DENIED: approval state could not be persisted",
                );
            }
            // Last look before the start: the same policy, the same directory.
            let document = self.approvals.document().unwrap_or_default();
            if !authorization.still_holds(&document) {
                return denied.deny(
                    "approval-required",
                    "SYSTEM_RUN_DENIED: exec approval changed before execution",
                );
            }
            if !snapshot.still_holds() {
                return denied.deny("approval-required", CWD_CHANGED);
            }
            // The script a person approved, by its content.
            let cx = Context {
                path_env: &path,
                cwd: &snapshot.cwd,
            };
            let approved_script = approval.plan.script.as_ref();
            if approved_script.is_some_and(|s| !s.still_holds(&req.argv, &snapshot.cwd)) {
                return denied.deny("approval-required", script_operand::CHANGED);
            }
            if approved_script.is_none() && script_index(&req.argv, &cx).is_some() {
                return denied.deny("approval-required", script_operand::MISSING);
            }
        }
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
            session_key: denied.session_key,
            run_id: denied.run_id,
            command: denied.command,
            exit_code: o.exit_code,
            timed_out: o.timed_out,
            success: o.exit_code == Some(0) && !o.timed_out,
            output: tail(output.trim(), EVENT_OUTPUT_CHARS),
            suppress_notify_on_exit: req.suppress_notify_on_exit,
        };
        (Ok(o), Some(event))
    }
}

/// Who a refusal's `exec.denied` event is for.
struct Denied {
    session_key: String,
    run_id: String,
    command: String,
}

impl Denied {
    fn deny(self, reason: &str, message: &str) -> (Result<Outcome, ExecError>, Option<ExecEvent>) {
        let event = ExecEvent::Denied {
            session_key: self.session_key,
            run_id: self.run_id,
            command: self.command,
            reason: reason.to_string(),
        };
        (
            Err(ExecError::new(ErrorCode::SystemRunDenied, message)),
            Some(event),
        )
    }
}

/// The argv an approval binds, and the directory: the canonical one (the node's own when
/// none is given), and a directly run program by its real path. A shell given no script
/// cannot be bound at all.
fn bound_paths(req: &RunRequest, path: &str) -> Result<(Vec<String>, PathBuf), ExecError> {
    let snapshot = capture_cwd(req.cwd.as_deref()).map_err(ExecError::invalid)?;
    let cx = Context {
        path_env: path,
        cwd: &snapshot.cwd,
    };
    if analysis::shell_without_script(&req.argv, &cx) {
        return Err(ExecError::invalid(UNSUPPORTED_SHAPE));
    }
    let argv = match analysis::analyse(&req.argv, &cx).map(|a| a.plan) {
        Ok(Plan::Program(step)) => pin_program(&req.argv, &step.program, &step.argv),
        Ok(Plan::Script(_)) => req.argv.clone(),
        Err(_) if analysis::runs_a_shell(&req.argv, &cx) => req.argv.clone(),
        Err(_) => match allowlist::resolve(&req.argv[0], path, &snapshot.cwd) {
            Some(_) => req.argv.clone(),
            None => {
                return Err(ExecError::invalid(
                    "SYSTEM_RUN_DENIED: approval requires a stable executable path",
                ))
            }
        },
    };
    Ok((argv, snapshot.cwd))
}

/// Which argument of `argv` names a script the command runs (under any wrappers).
fn script_index(argv: &[String], cx: &Context) -> Option<usize> {
    let wrapped = match analysis::analyse(argv, cx).map(|a| a.plan) {
        Ok(Plan::Program(step)) if argv.ends_with(&step.argv[1..]) => argv.len() - step.argv.len(),
        Ok(Plan::Script(_)) => return None,
        _ => 0,
    };
    script_operand::index(argv, wrapped, cx.cwd)
}

/// The real node host's refusal of a command it cannot bind an approval to.
const UNSUPPORTED_SHAPE: &str = "SYSTEM_RUN_DENIED: approval cannot safely bind this interpreter/runtime command\nNo approval request was created for this attempt; this is not a user denial. Retry a supported single executable with an absolute path through the normal approval flow. This node approval path cannot bind script/interpreter payloads nested in its shell wrapper.";

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
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

/// The command as the events name it.
fn command_text_of(req: &RunRequest) -> String {
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
