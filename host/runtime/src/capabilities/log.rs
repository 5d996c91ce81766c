//! The `log` capability: a plugin's lines in the host log, tagged with its name.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use super::view::{Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::log::{self, Level};

pub const NAME: &str = "log";
pub const INTERFACES: &[&str] = &["openclaw:plugin/log"];

pub fn link<T: Holds<Log>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    log::add_to_linker::<T, HasSelf<Log>>(linker, T::holds)
}

pub struct Log {
    plugin: Arc<str>,
}

impl CapabilityState for Log {
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
