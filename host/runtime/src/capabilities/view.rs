//! What a capability's module sees of the call it serves, and nothing of the other modules:
//! who is calling, a state of its own made on the call's first use of it, and the invoke the
//! call is bound to. A capability links against any store data that holds its state
//! ([`Holds`]), as wasmtime-wasi's views do; `CallState` (`state.rs`) is the one that does.

use std::sync::Arc;

use openclaw_exec::InvokeFields;

use super::fs::grant::FsRoots;
use crate::bindings::{host_failure, Failure};
use crate::services::Services;

/// Who is calling: the same for every call of one loaded plugin.
pub struct Caller {
    pub plugin: Arc<str>,
    /// The directories its `fs` grant opens.
    pub fs_roots: FsRoots,
    pub services: Services,
}

/// A capability's state for one call, made from the caller when the call first uses it.
pub trait CapabilityState: Send + Sized + 'static {
    fn new(caller: &Caller) -> Self;
}

/// Store data that keeps state `S` for its call: the projection a capability links with.
pub trait Holds<S>: Send + 'static {
    fn holds(&mut self) -> &mut S;
}

/// Store data bound to the invoke its call serves.
pub trait Invoke {
    /// The invoke's agent: every command the call runs is for it.
    fn agent_id(&self) -> Option<Arc<str>>;
    /// What the invoke says to exec, handed over once.
    fn take_invoke_fields(&mut self) -> Option<InvokeFields>;
}

/// A device error, passed on as a failure with the same code.
pub fn hardware_failure(e: openclaw_hardware::HardwareError) -> Failure {
    host_failure(e.code, e.message)
}
