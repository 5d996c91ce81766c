//! Compiled plugins on disk: `<dir>/<sha256 of the wasm>-<engine hash>.cwasm`. A hit skips
//! Cranelift entirely; a file from another engine build is never loaded.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use openclaw_protocol::identity::hex;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

use openclaw_files::write_atomically;

#[derive(Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
    engine_hash: String,
}

impl Cache {
    /// A cache under `dir`; `None` compiles every time (tests, or a read-only state dir).
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Cache {
        let mut h = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        Cache {
            dir,
            engine_hash: format!("{:016x}", h.finish()),
        }
    }

    /// The component for `wasm`, from the cache or compiled (and then cached).
    pub fn component(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Component> {
        let Some(path) = self.path_for(wasm) else {
            return Component::new(engine, wasm);
        };
        if path.exists() {
            // SAFETY: the file was written by `precompile_component` of an engine with the same
            // compatibility hash (it is in the name), into a directory only this host writes.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => {
                    tracing::warn!(path = %path.display(), "discarding unusable cache entry: {e}")
                }
            }
        }
        let compiled = engine.precompile_component(wasm)?;
        if let Err(e) = write_atomically(&path, &compiled) {
            tracing::warn!(path = %path.display(), "could not cache the compiled plugin: {e}");
        }
        // SAFETY: these bytes were produced just now by this engine.
        unsafe { Component::deserialize(engine, &compiled) }
    }

    fn path_for(&self, wasm: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let sha = hex(&Sha256::digest(wasm));
        Some(dir.join(format!("{sha}-{}.cwasm", self.engine_hash)))
    }
}
