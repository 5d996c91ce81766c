//! One linker per distinct set of grants, made when a plugin with that set first loads and
//! kept for the host's life: there are few distinct sets, and a linker holds only functions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use wasmtime::component::Linker;
use wasmtime::Engine;

use crate::state::CallState;

pub struct Linkers {
    engine: Engine,
    by_grants: Mutex<HashMap<Vec<&'static str>, Arc<Linker<CallState>>>>,
}

impl Linkers {
    pub fn new(engine: &Engine) -> Linkers {
        Linkers {
            engine: engine.clone(),
            by_grants: Mutex::default(),
        }
    }

    /// The linker of exactly `granted` (capability names, in `ALL`'s order).
    pub fn for_grants(&self, granted: &[&'static str]) -> wasmtime::Result<Arc<Linker<CallState>>> {
        let mut known = self.by_grants.lock().unwrap();
        if let Some(linker) = known.get(granted) {
            return Ok(linker.clone());
        }
        let linker = Arc::new(super::linker_for(&self.engine, granted)?);
        known.insert(granted.to_vec(), linker.clone());
        Ok(linker)
    }

    /// How many distinct grant sets have a linker.
    pub fn count(&self) -> usize {
        self.by_grants.lock().unwrap().len()
    }
}
