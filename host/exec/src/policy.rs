//! Decides one run under the approvals policy (security, ask, allowlist), as the real node
//! host does: the node never asks a person itself. A run that needs asking is refused
//! (`approval required`) unless the gateway forwarded an approval for it; the gateway
//! applies `askFallback` when nobody answered (`approvalSource: "ask-fallback"`).

use std::path::{Path, PathBuf};

use crate::allowlist::Admits;
use crate::analysis::{analyse, Context, Segment};
use crate::approvals::{Ask, Policy, Security};
use crate::inline_eval;
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
    /// A person approved this run (the ask is satisfied).
    pub approved: bool,
}

pub fn decide(policy: &Policy, req: &Request) -> Result<Verdict, Denial> {
    if policy.security == Security::Deny {
        return Err(deny("security=deny", "SYSTEM_RUN_DISABLED: security=deny"));
    }
    // Inline code is refused unless a person approved this very run.
    if let Some(what) = (policy.strict_inline_eval && !req.approved)
        .then(|| inline_eval_hit(req))
        .flatten()
    {
        return Err(Denial {
            reason: "approval-required",
            message: format!(
                "SYSTEM_RUN_DENIED: approval required ({what} requires explicit approval in strictInlineEval mode)"
            ),
        });
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
    if must_ask && !req.approved {
        return Err(deny(
            "approval-required",
            "SYSTEM_RUN_DENIED: approval required",
        ));
    }
    if full {
        return Ok(Verdict::AsGiven);
    }
    match allowlisted() {
        Some(plan) => Ok(plan),
        // What a person approved runs as they saw it.
        None if req.approved => Ok(Verdict::AsGiven),
        None => Err(deny("allowlist-miss", "SYSTEM_RUN_DENIED: allowlist miss")),
    }
}

/// Where the request's relative names are looked up.
fn run_dir(req: &Request) -> Option<PathBuf> {
    match req.cwd {
        Some(cwd) => Some(cwd.to_path_buf()),
        None => std::env::current_dir().ok(),
    }
}

/// The inline eval the command would do, looked for in every simple command it runs.
fn inline_eval_hit(req: &Request) -> Option<String> {
    let cwd = run_dir(req)?;
    let cx = Context {
        path_env: req.path_env,
        cwd: &cwd,
    };
    inline_eval::in_command(req.argv, &cx)
}

/// The run the allowlist admits: every program the command runs matches an entry.
fn allowlisted(policy: &Policy, req: &Request) -> Option<Verdict> {
    let cwd = run_dir(req)?;
    let cx = Context {
        path_env: req.path_env,
        cwd: &cwd,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_eval_is_found_through_shells_and_wrappers() {
        let hit = |argv: &[&str]| {
            let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
            inline_eval_hit(&Request {
                argv: &argv,
                cwd: Some(Path::new("/")),
                path_env: "/usr/bin:/bin",
                home: "/nonexistent",
                approved: false,
            })
        };
        assert_eq!(hit(&["python3", "-c", "1"]).as_deref(), Some("python3 -c"));
        assert_eq!(
            hit(&["sh", "-c", "echo x && nice python3 -c 'print(1)'"]).as_deref(),
            Some("python3 -c")
        );
        assert_eq!(
            hit(&["sh", "-c", "echo . | xargs ls"]).as_deref(),
            Some("xargs inline command")
        );
        assert_eq!(
            hit(&["find", ".", "-maxdepth", "0", "-exec", "true", ";"]).as_deref(),
            Some("find -exec")
        );
        assert_eq!(hit(&["python3", "-V"]), None);
    }
}
