//! The set of loaded plugins and the command table over it. Loads and reloads build a new
//! set and swap it in at once: an invoke holds the set it started with, so in-flight calls
//! finish on the old version.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use arc_swap::ArcSwap;
use futures_util::StreamExt;
use openclaw_protocol::errors::ErrorCode;
use sha2::Digest;
use tokio::sync::watch;
use wasmtime::component::Component;
use wasmtime::Engine;

use crate::bindings::tool_plugin::exports::openclaw::plugin::tools::Tool;
use crate::bindings::{Call, Failure, Surface};
use crate::cache::Cache;
use crate::capabilities::{self, Import};
use crate::engine;
use crate::grants::{Grants, GrantsError};
use crate::plugin::{LoadError, Origin, Plugin};
use crate::services::Services;
use crate::state::Caller;

/// What `inspect` found in a plugin file.
#[derive(Debug, Default)]
pub struct Inspection {
    /// Imported capabilities and whether each is granted.
    pub capabilities: Vec<(String, bool)>,
    /// Imports this host does not provide.
    pub unknown_imports: Vec<String>,
    /// The plugin's own description, when it could be run.
    pub surface: Option<Surface>,
    pub error: Option<String>,
    /// The contract it was built against (`openclaw:plugin@0.1.0`).
    pub contract: Option<String>,
}

/// A built-in plugin shipped inside the binary.
#[derive(Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub wasm: &'static [u8],
    /// SHA-256 of `wasm` in hex, computed when the binary was built: the cache key, which
    /// a start then need not hash megabytes for.
    pub sha256: &'static str,
}

impl Builtin {
    /// A built-in whose digest is computed now (its bytes, like it, live for the process).
    pub fn hashed(name: &'static str, wasm: &'static [u8]) -> Builtin {
        let sha256 = openclaw_protocol::identity::hex(&sha2::Sha256::digest(wasm));
        Builtin {
            name,
            wasm,
            sha256: Box::leak(sha256.into_boxed_str()),
        }
    }

    fn source(&self) -> WasmSource {
        WasmSource {
            bytes: Cow::Borrowed(self.wasm),
            sha256: Some(self.sha256),
        }
    }
}

/// One plugin being compiled and loaded.
type Prepare<'a> = Pin<Box<dyn Future<Output = Result<Plugin, PluginError>> + Send + 'a>>;

/// A plugin's bytes, and their digest when it is known ahead.
struct WasmSource {
    bytes: Cow<'static, [u8]>,
    sha256: Option<&'static str>,
}

impl WasmSource {
    fn of_file(bytes: Vec<u8>) -> WasmSource {
        WasmSource {
            bytes: Cow::Owned(bytes),
            sha256: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("command {command} is declared by both plugin {existing} and plugin {new}; {new} was not loaded (rename the command or remove one of them)")]
    DuplicateCommand {
        command: String,
        existing: String,
        new: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// The plugins in service, by name, and which plugin serves each command.
#[derive(Default, Clone)]
pub struct PluginSet {
    plugins: BTreeMap<String, Arc<Plugin>>,
    commands: BTreeMap<String, Arc<Plugin>>,
}

impl PluginSet {
    pub fn plugins(&self) -> impl Iterator<Item = &Arc<Plugin>> {
        self.plugins.values()
    }

    /// Sorted, deduplicated caps of every plugin.
    pub fn caps(&self) -> Vec<String> {
        let mut caps: Vec<String> = self
            .plugins
            .values()
            .flat_map(|p| p.surface.caps.clone())
            .collect();
        caps.sort();
        caps.dedup();
        caps
    }

    /// Sorted commands of every plugin.
    pub fn commands(&self) -> Vec<String> {
        self.commands.keys().cloned().collect()
    }

    /// A copy with `plugin` in place of any plugin of the same name.
    fn with(&self, plugin: Plugin) -> Result<PluginSet, PluginError> {
        let mut next = self.without(&plugin.name);
        for c in &plugin.surface.commands {
            if let Some(existing) = next.commands.get(&c.name) {
                return Err(PluginError::DuplicateCommand {
                    command: c.name.clone(),
                    existing: existing.name.to_string(),
                    new: plugin.name.to_string(),
                });
            }
        }
        let plugin = Arc::new(plugin);
        for c in &plugin.surface.commands {
            next.commands.insert(c.name.clone(), plugin.clone());
        }
        next.plugins.insert(plugin.name.to_string(), plugin);
        Ok(next)
    }

    fn without(&self, name: &str) -> PluginSet {
        let mut next = self.clone();
        next.plugins.remove(name);
        next.commands.retain(|_, p| &*p.name != name);
        next
    }
}

pub struct PluginHost {
    engine: Engine,
    linkers: capabilities::Linkers,
    cache: Cache,
    /// Replaced whole when the operator edits the grants file.
    grants: RwLock<Arc<Grants>>,
    services: Services,
    builtins: Vec<Builtin>,
    /// Read on every invoke without a lock; replaced whole by loads and reloads.
    set: ArcSwap<PluginSet>,
    /// Bumped on every change of the set, for whoever re-declares the node's surface.
    changed: watch::Sender<u64>,
}

impl PluginHost {
    /// `cache_dir` holds compiled `.cwasm` files (`None`: compile every time).
    pub fn new(
        cache_dir: Option<PathBuf>,
        grants: Grants,
        services: Services,
        builtins: Vec<Builtin>,
    ) -> wasmtime::Result<PluginHost> {
        let engine = engine::new_engine()?;
        engine::start_epoch_ticker(&engine);
        Ok(PluginHost {
            linkers: capabilities::Linkers::new(&engine),
            cache: Cache::new(&engine, cache_dir),
            engine,
            grants: RwLock::new(Arc::new(grants)),
            services,
            builtins,
            set: ArcSwap::default(),
            changed: watch::channel(0).0,
        })
    }

    /// What the capabilities act on.
    pub fn services(&self) -> &Services {
        &self.services
    }

    pub fn grants(&self) -> Arc<Grants> {
        self.grants.read().unwrap().clone()
    }

    /// Reads the grants file again. When what it grants changed, every plugin is loaded
    /// afresh under the new grants (built-ins, then the files in `dir`) and the new set
    /// replaces the old at once: a plugin that lost a grant it imports is out of service, one
    /// that gained the grant it lacked comes in. A file that cannot be read or parsed changes
    /// nothing. Answers whether the grants changed, with the errors of the plugins that did
    /// not load.
    pub async fn reload_grants(
        &self,
        dir: Option<&Path>,
    ) -> Result<(bool, Vec<PluginError>), GrantsError> {
        let current = self.grants();
        let fresh = current.reload()?;
        if fresh == *current {
            return Ok((false, Vec::new()));
        }
        *self.grants.write().unwrap() = Arc::new(fresh);
        Ok((true, self.rebuild(dir).await))
    }

    /// A new set of the built-ins and the files in `dir`, loaded under the grants as they
    /// are now, in place of the old one at once; what fails to load is left out (a built-in
    /// stays when the file named like it fails).
    async fn rebuild(&self, dir: Option<&Path>) -> Vec<PluginError> {
        let mut errors = Vec::new();
        let mut next = PluginSet::default();
        let mut add = |loaded: Result<Plugin, PluginError>| match loaded
            .and_then(|plugin| next.with(plugin))
        {
            Ok(with) => next = with,
            Err(e) => errors.push(e),
        };
        // A few prepared at once (compiling or reading the cache runs on the blocking pool,
        // so the cores share the work; more at once would only add compilers' memory), and
        // added in order: built-ins first, then the files by name.
        let at_once = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut prepares: Vec<Prepare<'_>> = self
            .builtins
            .iter()
            .map(|b| Box::pin(self.prepare(b.name, Origin::Builtin, b.source())) as Prepare<'_>)
            .collect();
        for (name, path) in dir.map(wasm_files).unwrap_or_default() {
            prepares.push(Box::pin(
                async move { self.prepare_file(&name, &path).await },
            ));
        }
        let mut loads = futures_util::stream::iter(prepares).buffered(at_once);
        while let Some(loaded) = loads.next().await {
            add(loaded);
        }
        self.swap(next);
        errors
    }

    /// The set in service now.
    pub fn current(&self) -> Arc<PluginSet> {
        self.set.load_full()
    }

    /// Wakes up after every change of the plugin set.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Loads the built-ins, then every `*.wasm` in `dir`, as one new set. A file named like a
    /// built-in replaces it, with only the grants the operator gave that file; if the file
    /// fails, the built-in keeps serving. Plugins that fail are skipped and their errors
    /// returned; the rest serve.
    pub async fn load_all(&self, dir: Option<&Path>) -> Vec<PluginError> {
        self.rebuild(dir).await
    }

    /// (Re)loads one plugin file. On failure the version in service (if any) keeps serving.
    pub async fn load_file(&self, name: &str, path: &Path) -> Result<(), PluginError> {
        self.serve(self.prepare_file(name, path).await?)
    }

    async fn prepare_file(&self, name: &str, path: &Path) -> Result<Plugin, PluginError> {
        let wasm = std::fs::read(path).map_err(|source| PluginError::Read {
            path: path.display().to_string(),
            source,
        })?;
        self.prepare(
            name,
            Origin::File(path.to_path_buf()),
            WasmSource::of_file(wasm),
        )
        .await
    }

    /// Takes a plugin file out of service; a built-in of the same name comes back.
    pub async fn remove_file(&self, name: &str) -> Result<(), PluginError> {
        if let Some(builtin) = self.builtins.iter().find(|b| b.name == name) {
            let plugin = self
                .prepare(builtin.name, Origin::Builtin, builtin.source())
                .await?;
            return self.serve(plugin);
        }
        let next = self.current().without(name);
        self.swap(next);
        Ok(())
    }

    /// Compiles (or reads from the cache) off the threads that serve invokes: Cranelift takes
    /// tens of milliseconds.
    async fn compile(&self, name: &str, wasm: WasmSource) -> Result<Component, LoadError> {
        let (engine, cache) = (self.engine.clone(), self.cache.clone());
        let compiled =
            tokio::task::spawn_blocking(move || cache.component(&engine, &wasm.bytes, wasm.sha256))
                .await
                .map_err(|e| wasmtime::Error::msg(e.to_string()))
                .and_then(|r| r);
        compiled.map_err(|e| LoadError::Compile {
            plugin: name.into(),
            message: format!("{e:#}"),
        })
    }

    /// What a plugin file asks for and serves, without putting it in service. A plugin is
    /// only described (run) when all its capabilities are granted to it as a file.
    pub async fn inspect(
        &self,
        name: &str,
        path: &Path,
        wasm: &[u8],
    ) -> Result<Inspection, PluginError> {
        let component = self
            .compile(name, WasmSource::of_file(wasm.to_vec()))
            .await?;
        let mut inspection = Inspection {
            contract: capabilities::contract_of(&self.engine, &component),
            ..Inspection::default()
        };
        for import in capabilities::imports_of(&self.engine, &component) {
            match import {
                Import::Capability(cap) => inspection
                    .capabilities
                    .push((cap.to_string(), self.grants().granted(name, false, cap))),
                Import::Unknown(other) => inspection.unknown_imports.push(other),
                Import::Wasi(_) | Import::Types => {}
            }
        }
        if inspection.capabilities.iter().all(|(_, granted)| *granted)
            && inspection.unknown_imports.is_empty()
        {
            match self
                .load(name, Origin::File(path.to_path_buf()), component)
                .await
            {
                Ok(plugin) => inspection.surface = Some(plugin.surface),
                Err(e) => inspection.error = Some(e.to_string()),
            }
        }
        Ok(inspection)
    }

    /// Loads `component` through the linker of the capabilities granted to it.
    async fn load(
        &self,
        name: &str,
        origin: Origin,
        component: Component,
    ) -> Result<Plugin, LoadError> {
        let builtin = origin == Origin::Builtin;
        let grants = self.grants();
        let granted = grants.granted_set(name, builtin);
        let linker = self
            .linkers
            .for_grants(&granted)
            .map_err(|e| LoadError::Link {
                plugin: name.into(),
                message: format!("{e:#}"),
            })?;
        let caller = Caller {
            plugin: name.into(),
            fs_roots: grants.fs_roots(name, builtin, &capabilities::home_dir()),
            services: self.services.clone(),
        };
        Plugin::load(
            &self.engine,
            &linker,
            &granted,
            &grants,
            caller,
            origin,
            component,
        )
        .await
    }

    /// How many distinct grant sets have a linker (one per set, shared by its plugins).
    pub fn linker_count(&self) -> usize {
        self.linkers.count()
    }

    /// Compiles and loads one plugin, without putting it in service.
    async fn prepare(
        &self,
        name: &str,
        origin: Origin,
        wasm: WasmSource,
    ) -> Result<Plugin, PluginError> {
        let component = self.compile(name, wasm).await?;
        Ok(self.load(name, origin, component).await?)
    }

    /// Puts `plugin` in service in place of any of its name.
    fn serve(&self, plugin: Plugin) -> Result<(), PluginError> {
        let next = self.current().with(plugin)?;
        self.swap(next);
        Ok(())
    }

    fn swap(&self, next: PluginSet) {
        self.set.store(Arc::new(next));
        self.changed.send_modify(|v| *v += 1);
    }

    /// Runs `command` on the plugin that serves it, for an invoke that names no agent.
    pub async fn invoke(
        &self,
        call: &Call,
        command: &str,
        params_json: Option<&str>,
        deadline: Duration,
    ) -> Result<String, Failure> {
        self.invoke_for_agent(call, None, command, params_json, deadline)
            .await
    }

    /// Runs `command` on the plugin that serves it, for the agent the invoke is for (the
    /// `agentId` of its params): the only agent the plugin's exec runs may be for.
    pub async fn invoke_for_agent(
        &self,
        call: &Call,
        agent_id: Option<&str>,
        command: &str,
        params_json: Option<&str>,
        deadline: Duration,
    ) -> Result<String, Failure> {
        let set = self.current();
        let Some(plugin) = set.commands.get(command) else {
            return Err(Failure {
                code: ErrorCode::Unavailable.into(),
                message: "command not supported".into(),
            });
        };
        plugin
            .invoke(&self.engine, call, agent_id, command, params_json, deadline)
            .await
    }
}

/// A tool a plugin publishes, with the plugin it comes from.
#[derive(Debug, Clone)]
pub struct PluginTool {
    pub plugin: Arc<str>,
    pub tool: Tool,
}

impl PluginHost {
    /// The tools every plugin publishes now. A plugin publishes tools for its own commands
    /// only: one naming another's command is dropped, so that no plugin can put words in
    /// another's mouth. A plugin that fails to answer publishes nothing.
    pub async fn plugin_tools(&self) -> Vec<PluginTool> {
        let set = self.current();
        let mut out = Vec::new();
        for plugin in set.plugins() {
            let tools = match plugin.tools(&self.engine).await {
                Ok(tools) => tools,
                Err(f) => {
                    tracing::warn!(plugin = %plugin.name, "cannot list the plugin's tools: {}", f.message);
                    continue;
                }
            };
            let own = |command: &str| plugin.surface.commands.iter().any(|c| c.name == command);
            out.extend(
                tools
                    .into_iter()
                    .filter(|t| own(&t.command))
                    .map(|tool| PluginTool {
                        plugin: plugin.name.clone(),
                        tool,
                    }),
            );
        }
        out
    }
}

/// `*.wasm` files of a directory as (plugin name, path), sorted by name.
pub fn wasm_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm") && p.is_file())
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p.clone())))
        .collect();
    files.sort();
    files
}
