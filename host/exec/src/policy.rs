//! Decides one run under the approvals policy (security, ask, allowlist). A headless node
//! cannot ask, so `ask` falls back to `askFallback`.

use std::path::Path;

use crate::allowlist::Admits;
use crate::analysis::{analyse, Context, Segment};
use crate::approvals::{Ask, Policy, Security};
use crate::plan::Plan;

/// Why a run is refused: the event reason and the operator's message.
#[derive(Debug, Clone, PartialEq)]
pub struct Denial {
    pub reason: &'static str,
    pub message: String,
}

fn deny(reason: &'static str, message: &str) -> Denial {
    Denial {
        reason,
        message: message.into(),
    }
}

/// What to execute once a run is allowed.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// `security=full`: the argv as the request gave it.
    AsGiven,
    /// Admitted by the allowlist: exactly the plan the analysis judged (resolved programs,
    /// outer wrappers dropped, a script's commands run by the node), so nothing is looked up
    /// or read again.
    Plan(Plan),
}

/// The facts a decision reads.
pub struct Request<'a> {
    pub argv: &'a [String],
    /// As the request gave it: generated allowlist entries are bound to it.
    pub cwd: Option<&'a Path>,
    pub path_env: &'a str,
    pub home: &'a str,
}

pub fn decide(policy: &Policy, req: &Request) -> Result<Verdict, Denial> {
    if policy.security == Security::Deny {
        return Err(deny("security=deny", "SYSTEM_RUN_DISABLED: security=deny"));
    }
    // Analysed once, on first need.
    let mut analysed = None;
    let mut allowlisted = || {
        analysed
            .get_or_insert_with(|| allowlisted(policy, req))
            .clone()
    };
    let full = policy.security == Security::Full;
    let must_ask = policy.ask == Ask::Always
        || (policy.ask == Ask::OnMiss && !full && allowlisted().is_none());
    let miss = || deny("allowlist-miss", "SYSTEM_RUN_DENIED: allowlist miss");
    if !must_ask {
        return match full {
            true => Ok(Verdict::AsGiven),
            false => allowlisted().ok_or_else(miss),
        };
    }
    match policy.ask_fallback {
        Security::Full => Ok(Verdict::AsGiven),
        Security::Allowlist => allowlisted().ok_or_else(miss),
        Security::Deny => Err(deny(
            "approval-required",
            "SYSTEM_RUN_DENIED: approval required",
        )),
    }
}

/// The run the allowlist admits: every program the command runs matches an entry.
fn allowlisted(policy: &Policy, req: &Request) -> Option<Verdict> {
    let here;
    let cwd = match req.cwd {
        Some(cwd) => cwd,
        None => {
            here = std::env::current_dir().ok()?;
            &here
        }
    };
    let cx = Context {
        path_env: req.path_env,
        cwd,
    };
    let analysis = match analyse(req.argv, &cx) {
        Ok(analysis) => analysis,
        Err(why) => {
            tracing::debug!(argv = ?req.argv, "not allowlisted: {why}");
            return None;
        }
    };
    analysis
        .segments
        .iter()
        .all(|s| admitted(policy, s, req))
        .then_some(Verdict::Plan(analysis.plan))
}

/// A shell whose script cannot be read runs anything: a path-only entry does not admit it,
/// only an argPattern entry or the bare `*`. A safe bin reading only stdin needs no entry.
fn admitted(policy: &Policy, segment: &Segment, req: &Request) -> bool {
    let safe_bin = || !segment.opaque_shell && policy.safe_bins.admits(&segment.exe, &segment.args);
    safe_bin()
        || policy.allowlist.iter().any(|entry| {
            if entry.is_wildcard() {
                return true;
            }
            let cwd = req.cwd.filter(|_| segment.in_request_cwd);
            match entry.admits(&segment.exe, Some(&segment.args), cwd, req.home) {
                Admits::No => false,
                Admits::AnyArgs => !segment.opaque_shell,
                Admits::TheseArgs => true,
            }
        })
}
