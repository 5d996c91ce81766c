//! The `exec` capability: `system.which` and `system.run(.prepare)` for plugins, over the
//! host's executor (`openclaw-exec`), where the approvals are enforced and no plugin can reach
//! around them. Editing the approvals is the separate `exec-approvals` capability (`editing`).

pub(crate) mod editing;

use openclaw_exec::ExecError;

use crate::bindings::openclaw::plugin::exec::{self, RunOutput, RunRequest};
use crate::bindings::Failure;
use crate::state::CallState;

fn failure(code: &str, message: impl Into<String>) -> Failure {
    Failure {
        code: code.into(),
        message: message.into(),
    }
}

impl From<ExecError> for Failure {
    fn from(e: ExecError) -> Failure {
        failure(e.code, e.message)
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

impl exec::Host for CallState {
    async fn which(&mut self, bins: Vec<String>) -> Vec<(String, String)> {
        self.exec.executor.which(bins)
    }

    async fn prepare(&mut self, req: RunRequest) -> Result<String, Failure> {
        Ok(self.exec.executor.prepare(&request(req))?.to_string())
    }

    async fn run(&mut self, req: RunRequest) -> Result<RunOutput, Failure> {
        let ctx = self.exec.clone();
        let (output, event) = ctx.executor.run(&request(req)).await;
        if let (Some(event), Some(events)) = (event, &ctx.events) {
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
