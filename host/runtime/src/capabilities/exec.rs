//! The `exec` capability: `system.which` and `system.run(.prepare)` for plugins, over the
//! host's executor (`openclaw-exec`), where the approvals are enforced and no plugin can reach
//! around them. Editing the approvals is the separate `exec-approvals` capability.

use std::sync::Arc;

use openclaw_exec::ExecError;
use wasmtime::component::{HasSelf, Linker};

use super::Capability;
use crate::bindings::openclaw::plugin::exec::{self, RunOutput, RunRequest};
use crate::bindings::Failure;
use crate::services::ExecContext;
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "exec",
    interface: "openclaw:plugin/exec",
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    exec::add_to_linker::<_, HasSelf<Exec>>(linker, CallState::capability::<Exec>)
}

pub struct Exec {
    context: Arc<ExecContext>,
}

impl CapabilityState for Exec {
    fn new(caller: &Caller) -> Exec {
        Exec {
            context: caller.services.exec.clone(),
        }
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

fn request(req: RunRequest) -> openclaw_exec::RunRequest {
    openclaw_exec::RunRequest {
        argv: req.argv,
        raw_command: req.raw_command,
        cwd: req.cwd,
        env: req.env,
        timeout_ms: req.timeout_ms,
        agent_id: req.agent_id,
        session_key: req.session_key,
        run_id: req.run_id,
        suppress_notify_on_exit: req.suppress_notify_on_exit,
    }
}

impl exec::Host for Exec {
    async fn which(&mut self, bins: Vec<String>) -> Vec<(String, String)> {
        self.context.executor.which(bins)
    }

    async fn screen_recording_permitted(&mut self) -> bool {
        openclaw_hardware::screen::works()
    }

    async fn prepare(&mut self, req: RunRequest) -> Result<String, Failure> {
        Ok(self.context.executor.prepare(&request(req))?.to_string())
    }

    async fn run(&mut self, req: RunRequest) -> Result<RunOutput, Failure> {
        let (output, event) = self.context.executor.run(&request(req)).await;
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
