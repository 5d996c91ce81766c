//! The `exec` capability: `system.which` and `system.run(.prepare)` for plugins, over the
//! host's executor (`openclaw-exec`), where the approvals are enforced and no plugin can reach
//! around them. Editing the approvals is the separate `exec-approvals` capability, which also
//! links the deprecated `approvals-get|set` of 0.1.0 into this interface.
//!
//! The approvals differ by agent, so a run is for the agent of the invoke that called the
//! plugin, never one the plugin picks: a request naming another agent is refused.

use std::sync::Arc;

use openclaw_exec::{ExecError, InvokeFields};
use openclaw_protocol::errors::ErrorCode;
use wasmtime::component::Linker;

use super::view::{Caller, CapabilityState, Holds, Invoke};
use crate::bindings::openclaw::plugin::exec::{RunOutput, RunRequest};
use crate::bindings::{host_failure, Failure};
use crate::services::ExecContext;

pub const NAME: &str = "exec";
pub const INTERFACES: &[&str] = &["openclaw:plugin/exec"];

/// The `exec` instance as the contract's version names it; older imports find it by semver.
pub(super) fn instance_name() -> String {
    format!("{}@{}", INTERFACES[0], crate::contract::version())
}

/// Linked function by function, not by the generated `add_to_linker`, which would link the
/// deprecated approvals functions too: those come with the `exec-approvals` grant only.
pub fn link<T: Holds<Exec> + Invoke>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let mut exec = linker.instance(&instance_name())?;
    exec.func_wrap_async("which", |mut store, (bins,): (Vec<String>,)| {
        Box::new(async move { Ok((bound_to_invoke(store.data_mut()).which(bins),)) })
    })?;
    exec.func_wrap_async("prepare", |mut store, (req,): (RunRequest,)| {
        Box::new(async move { Ok((bound_to_invoke(store.data_mut()).prepare(req),)) })
    })?;
    exec.func_wrap_async("run", |mut store, (req,): (RunRequest,)| {
        Box::new(async move { Ok((bound_to_invoke(store.data_mut()).run(req).await,)) })
    })?;
    exec.func_wrap_async("screen-recording-permitted", |_store, (): ()| {
        Box::new(async move { Ok((openclaw_hardware::screen::works(),)) })
    })?;
    Ok(())
}

/// The call's exec state, bound to the agent of the invoke the call serves. Bound at every
/// use, not once: a spare instance is made, and its initialisation runs, before its invoke
/// is known.
fn bound_to_invoke<T: Holds<Exec> + Invoke>(state: &mut T) -> &mut Exec {
    let agent_id = state.agent_id();
    let fields = state.take_invoke_fields();
    let exec = state.holds();
    exec.agent_id = agent_id;
    if let Some(fields) = fields {
        exec.invoke = fields;
    }
    exec
}

pub struct Exec {
    plugin: Arc<str>,
    context: Arc<ExecContext>,
    /// The invoke's agent, the only one this call's runs may be for.
    agent_id: Option<Arc<str>>,
    /// What the invoke says to exec; its approval goes to the first run only.
    invoke: InvokeFields,
}

impl CapabilityState for Exec {
    fn new(caller: &Caller) -> Exec {
        Exec {
            plugin: caller.plugin.clone(),
            context: caller.services.exec.clone(),
            agent_id: None,
            invoke: InvokeFields::default(),
        }
    }
}

impl Exec {
    /// The executor's request for `req`, for the invoke's agent. A plugin may name that agent
    /// or none; naming another is refused rather than run under either policy.
    fn request(&self, req: RunRequest) -> Result<openclaw_exec::RunRequest, Failure> {
        let invoke_agent = self.agent_id.as_deref();
        if let Some(asked) = req.agent_id.as_deref().filter(|a| Some(*a) != invoke_agent) {
            let invoke = invoke_agent.map_or("none".into(), |a| format!("{a:?}"));
            return Err(host_failure(
                ErrorCode::InvalidRequest,
                format!(
                    "plugin {} asked for agent {asked:?}, but the invoke is for {invoke}: a plugin runs commands only for its invoke's agent",
                    self.plugin
                ),
            ));
        }
        Ok(openclaw_exec::RunRequest {
            argv: req.argv,
            raw_command: req.raw_command,
            cwd: req.cwd,
            env: req.env,
            timeout_ms: req.timeout_ms,
            agent_id: invoke_agent.map(String::from),
            session_key: req.session_key,
            run_id: req.run_id,
            suppress_notify_on_exit: req.suppress_notify_on_exit,
            invoke: self.invoke.clone(),
        })
    }
}

impl From<ExecError> for Failure {
    fn from(e: ExecError) -> Failure {
        // The executor's messages are worded by the protocol's rule already.
        Failure {
            code: e.code.into(),
            message: e.message,
        }
    }
}

impl Exec {
    fn which(&mut self, bins: Vec<String>) -> Vec<(String, String)> {
        self.context.executor.which(bins)
    }

    fn prepare(&mut self, req: RunRequest) -> Result<String, Failure> {
        Ok(self
            .context
            .executor
            .prepare(&self.request(req)?)?
            .to_string())
    }

    async fn run(&mut self, req: RunRequest) -> Result<RunOutput, Failure> {
        let mut request = self.request(req)?;
        // One approval, one run.
        request.invoke.approval = std::mem::take(&mut self.invoke.approval);
        let (output, event) = self.context.executor.run(&request).await;
        if let (Some(event), Some(events)) = (event, &self.context.events) {
            events.send(event).ok();
        }
        let o = output?;
        Ok(RunOutput {
            exit_code: o.exit_code,
            timed_out: o.timed_out,
            stdout: o.stdout,
            stderr: o.stderr,
            error: o.error,
        })
    }
}
