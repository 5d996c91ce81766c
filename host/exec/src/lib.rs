//! The exec policy and its runs, with no engine in sight: the approvals file, allowlist
//! matching through wrappers and shell scripts, the environment rules, and the spawn that
//! kills a run's whole process group. The runtime's `exec` capability and the CLI's
//! `approvals` commands both use it.

mod allow_always;
mod allowlist;
mod analysis;
mod approval;
pub mod approvals;
mod approved_paths;
#[cfg(test)]
mod approved_runs;
mod authorization;
mod config_policy;
#[cfg(test)]
mod corpus;
mod env;
mod env_lists;
mod error;
mod events;
mod executor;
mod identity;
mod inline_eval;
mod invoke_fields;
mod plan;
#[cfg(test)]
mod plan_parity;
mod plan_runner;
mod policy;
mod policy_snapshot;
mod safe_bins;
mod script;
mod script_operand;
mod shell_options;
pub mod spawn;
#[cfg(test)]
mod test_processes;
mod wrappers;

pub use approvals::ApprovalsStore;
pub use config_policy::{mode_conflict, ExecConfig};
pub use env::is_dangerous as is_dangerous_env;
pub use error::ExecError;
pub use events::ExecEvent;
pub use executor::{Executor, RunRequest};
pub use invoke_fields::InvokeFields;
pub use policy_snapshot::PolicySnapshot;
pub use spawn::Outcome;
