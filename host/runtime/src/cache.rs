//! Compiled plugins on disk: `<dir>/<sha256 of the wasm>-<engine fingerprint>.cwasm`. A hit
//! skips Cranelift entirely; a file from another engine build is never loaded, and is removed
//! when the cache opens. Both halves of the name are SHA-256, stable across builds of the
//! host that share an engine configuration.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use openclaw_protocol::identity::hex;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

use openclaw_files::write_atomically;

#[derive(Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
    engine: String,
}

/// A `Hasher` that feeds SHA-256, so that what wasmtime hashes gives a stable name.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        unreachable!("only the digest is read")
    }
}

/// The engine's compatibility fingerprint: what decides whether its compiled code loads.
pub fn engine_fingerprint(engine: &Engine) -> String {
    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hex(&hasher.0.finalize())
}

impl Cache {
    /// A cache under `dir`; `None` compiles every time (tests, or a read-only state dir).
    /// What other engines compiled there is removed.
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Cache {
        let cache = Cache {
            dir,
            engine: engine_fingerprint(engine),
        };
        if let Some(dir) = &cache.dir {
            cache.sweep(dir);
        }
        cache
    }

    fn sweep(&self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let ours = format!("-{}.cwasm", self.engine);
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".cwasm") && !name.ends_with(&ours) {
                if let Err(e) = std::fs::remove_file(entry.path()) {
                    tracing::warn!("cannot remove the stale {name}: {e}");
                }
            }
        }
    }

    /// The component for `wasm`, from the cache or compiled (and then cached). `sha256` is
    /// the bytes' digest in hex when the caller knows it already (a built-in's, computed at
    /// build time); else it is computed here.
    pub fn component(
        &self,
        engine: &Engine,
        wasm: &[u8],
        sha256: Option<&str>,
    ) -> wasmtime::Result<Component> {
        let Some(path) = self.path_for(wasm, sha256) else {
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

    fn path_for(&self, wasm: &[u8], sha256: Option<&str>) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let sha = match sha256 {
            Some(known) => known.to_string(),
            None => hex(&Sha256::digest(wasm)),
        };
        Some(dir.join(format!("{sha}-{}.cwasm", self.engine)))
    }
}
