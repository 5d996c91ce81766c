//! The `log` capability: a plugin's lines in the host log, tagged with its name.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use super::{Capability, CapabilityStates};
use crate::bindings::openclaw::plugin::log::{self, Level};
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "log",
    interfaces: &["openclaw:plugin/log"],
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    log::add_to_linker::<_, HasSelf<Log>>(linker, CallState::capability::<Log>)
}

pub struct Log {
    plugin: Arc<str>,
}

impl CapabilityState for Log {
    fn slot(states: &mut CapabilityStates) -> &mut Option<Log> {
        &mut states.log
    }

    fn new(caller: &Caller) -> Log {
        Log {
            plugin: caller.plugin.clone(),
        }
    }
}

impl log::Host for Log {
    async fn write(&mut self, level: Level, message: String) {
        let plugin = &*self.plugin;
        match level {
            Level::Debug => tracing::debug!(plugin, "{message}"),
            Level::Info => tracing::info!(plugin, "{message}"),
            Level::Warn => tracing::warn!(plugin, "{message}"),
            Level::Error => tracing::error!(plugin, "{message}"),
        }
    }
}
