//! One loaded plugin: a compiled component linked, through the linker of its grants, into an
//! `InstancePre` (an ungranted import has nothing to link to), and described. Each invoke
//! gets a fresh instance in a fresh store with a memory cap and a CPU deadline.
//!
//! For a plugin slow to instantiate (an interpreter: Python, JavaScript), a fresh instance is
//! made ahead of the call that uses it (a spare, one per plugin), and the
//! store a call used is dropped after its answer is out: a Python or JavaScript component
//! takes a millisecond or more to instantiate and tear down, which the call then does not
//! wait for. No instance ever serves two calls.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use openclaw_exec::InvokeFields;
use openclaw_protocol::errors::ErrorCode;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use crate::bindings::tool_plugin::exports::openclaw::plugin::tools::Tool;
use crate::bindings::tool_plugin::ToolPluginPre;
use crate::bindings::{Call, Failure, NodePlugin, NodePluginPre, Surface};
use crate::capabilities::{imports_of, Import};
use crate::engine::{deadline_ticks, CALL_PERMITS, MAX_CALLS_IN_FLIGHT, MAX_MEMORY_BYTES};
use crate::grants::Grants;
use crate::state::{CallState, Caller};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("plugin {plugin}: not a loadable WebAssembly component: {message}")]
    Compile { plugin: String, message: String },
    #[error(
        "plugin {plugin} imports capability `{capability}`, which is not granted to it; {hint}"
    )]
    NotGranted {
        plugin: String,
        capability: String,
        hint: String,
    },
    #[error("plugin {plugin} imports `{import}`, which this host does not provide (built against a newer openclaw:plugin?)")]
    UnknownImport { plugin: String, import: String },
    #[error("plugin {plugin} does not match the openclaw:plugin contract: {message}")]
    Link { plugin: String, message: String },
    #[error("plugin {plugin} failed in describe(): {message}")]
    Describe { plugin: String, message: String },
}

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(std::path::PathBuf),
}

pub struct Plugin {
    pub name: Arc<str>,
    pub origin: Origin,
    pub surface: Surface,
    /// Capabilities the component imports (all granted, or it would not have loaded).
    pub capabilities: Vec<&'static str>,
    pre: NodePluginPre<CallState>,
    /// Where the component also exports `tools` (the `tool-plugin` world).
    tools: Option<ToolPluginPre<CallState>>,
    caller: Arc<Caller>,
    spare: std::sync::Mutex<SpareSlot>,
}

/// A fresh instance, made before the call that will use it; no guest code but its own
/// initialisation has run in it.
struct Spare {
    store: Store<CallState>,
    instance: NodePlugin,
}

/// One invoke, as a call runs it: what the plugin is given, and the agent the host binds
/// the call to.
struct Request {
    call: Call,
    agent_id: Option<Arc<str>>,
    /// What the invoke itself says to exec: read from its params, not from the plugin.
    invoke_fields: InvokeFields,
    command: String,
    params_json: Option<String>,
}

enum SpareSlot {
    /// The plugin instantiates faster than a spare would save: its calls make their own
    /// instance, and no task races the next call to make one.
    Never,
    Empty,
    Making,
    Ready(Spare),
}

/// Why the linker of `granted` refused a component: an import of an ungranted capability,
/// one this host does not provide, or else the linker's own words (a function or type that
/// does not match the contract).
fn why_unlinkable(
    imports: &[Import],
    granted: &[&'static str],
    grants: &Grants,
    name: &str,
    builtin: bool,
    e: wasmtime::Error,
) -> LoadError {
    for import in imports {
        match import {
            Import::Capability(cap) if !granted.contains(cap) => {
                return LoadError::NotGranted {
                    plugin: name.into(),
                    capability: cap.to_string(),
                    hint: grants.how_to_grant(name, builtin, cap),
                }
            }
            Import::Unknown(import) => {
                return LoadError::UnknownImport {
                    plugin: name.into(),
                    import: import.clone(),
                }
            }
            _ => {}
        }
    }
    LoadError::Link {
        plugin: name.into(),
        message: format!("{e:#}"),
    }
}

/// An instantiation at least this slow is made ahead of its call. A Rust plugin takes tens of
/// microseconds, an interpreter a millisecond or more.
const SPARE_WORTH: Duration = Duration::from_micros(300);

/// How long a describe() may run.
const DESCRIBE_DEADLINE: Duration = Duration::from_secs(2);

impl Plugin {
    /// Loads `component` through `linker`, which holds WASI and exactly the capabilities in
    /// `granted`: an import it does not hold leaves the component unlinkable, and the error
    /// then says which grant is missing.
    pub async fn load(
        engine: &Engine,
        linker: &Linker<CallState>,
        granted: &[&'static str],
        grants: &Grants,
        caller: Caller,
        origin: Origin,
        component: Component,
    ) -> Result<Plugin, LoadError> {
        let builtin = origin == Origin::Builtin;
        let plugin_name = caller.plugin.clone();
        let name: &str = &plugin_name;
        let imports = imports_of(engine, &component);
        let linked = linker.instantiate_pre(&component).and_then(|pre| {
            let tools = ToolPluginPre::new(pre.clone()).ok();
            Ok((NodePluginPre::new(pre)?, tools))
        });
        let (pre, tools) = match linked {
            Ok(linked) => linked,
            Err(e) => return Err(why_unlinkable(&imports, granted, grants, name, builtin, e)),
        };
        let mut capabilities: Vec<&'static str> = imports
            .iter()
            .filter_map(|i| match i {
                Import::Capability(cap) => Some(*cap),
                _ => None,
            })
            .collect();
        capabilities.dedup();
        let mut plugin = Plugin {
            name: name.into(),
            origin,
            surface: Surface {
                caps: Vec::new(),
                commands: Vec::new(),
            },
            capabilities,
            pre,
            tools,
            caller: Arc::new(caller),
            spare: std::sync::Mutex::new(SpareSlot::Empty),
        };
        let (surface, cold) = plugin
            .describe(engine)
            .await
            .map_err(|f| LoadError::Describe {
                plugin: name.into(),
                message: f.message,
            })?;
        plugin.surface = surface;
        // A first instantiation fast even cold settles it, without another instance.
        let first_spare = if cold < SPARE_WORTH {
            SpareSlot::Never
        } else {
            plugin.timed_spare(engine).await
        };
        *plugin
            .spare
            .get_mut()
            .expect("the spare slot is never poisoned") = first_spare;
        Ok(plugin)
    }

    /// The plugin's surface, and how long its first (cold) instantiation took.
    async fn describe(&self, engine: &Engine) -> Result<(Surface, Duration), Failure> {
        let mut store = self.new_store(engine);
        arm(&mut store, DESCRIBE_DEADLINE, None);
        let run = async {
            let started = std::time::Instant::now();
            let instance = self.pre.instantiate_async(&mut store).await?;
            let cold = started.elapsed();
            let surface = instance
                .openclaw_plugin_plugin()
                .call_describe(&mut store)
                .await?;
            Ok((surface, cold))
        };
        let result = tokio::time::timeout(DESCRIBE_DEADLINE * 2, run).await;
        self.finish(
            store,
            result.unwrap_or_else(|_| Err(Trap::Interrupt.into())),
            DESCRIBE_DEADLINE,
        )
    }

    /// The agent-visible tools the plugin publishes now, where it exports `tools`: asked of a
    /// fresh instance, within describe's deadline.
    pub async fn tools(&self, engine: &Engine) -> Result<Vec<Tool>, Failure> {
        let Some(pre) = &self.tools else {
            return Ok(Vec::new());
        };
        let mut store = self.new_store(engine);
        arm(&mut store, DESCRIBE_DEADLINE, None);
        let run = async {
            let instance = pre.instantiate_async(&mut store).await?;
            instance
                .openclaw_plugin_tools()
                .call_list_tools(&mut store)
                .await
        };
        let result = tokio::time::timeout(DESCRIBE_DEADLINE * 2, run).await;
        self.finish(
            store,
            result.unwrap_or_else(|_| Err(Trap::Interrupt.into())),
            DESCRIBE_DEADLINE,
        )
    }

    /// Runs one command in a fresh instance, bounded by `deadline` of CPU and wall time. It
    /// starts on the calling task; once its guest code has run for an epoch tick (5 ms) it
    /// moves to a thread of its own (tokio's blocking pool), so long calls never hold the
    /// threads that serve connections, and the OS shares the cores between them. Dropping
    /// the returned future ends the call, and with it any process the call runs.
    ///
    /// `agent_id` is the agent the invoke is for, which its exec runs are bound to.
    pub async fn invoke(
        self: &Arc<Self>,
        engine: &Engine,
        call: &Call,
        agent_id: Option<&str>,
        command: &str,
        params_json: Option<&str>,
        deadline: Duration,
    ) -> Result<String, Failure> {
        // Admitted before anything is instantiated, and held until the call ends, on
        // whichever thread it ends.
        let Ok(permit) = CALL_PERMITS.try_acquire() else {
            return Err(Failure {
                code: ErrorCode::Unavailable.into(),
                message: format!(
                    "plugin {} is busy ({MAX_CALLS_IN_FLIGHT} calls in flight)",
                    self.name
                ),
            });
        };
        let (plugin, engine) = (self.clone(), engine.clone());
        let request = Request {
            call: call.clone(),
            agent_id: agent_id.map(Arc::from),
            invoke_fields: invoke_fields(command, params_json),
            command: command.to_string(),
            params_json: params_json.map(String::from),
        };
        let busy = Arc::new(AtomicBool::new(false));
        let flag = busy.clone();
        let mut run = Box::pin(async move {
            let _permit = permit;
            plugin.run(&engine, &request, deadline, &flag).await
        });
        let inline = std::future::poll_fn(|cx| match run.as_mut().poll(cx) {
            Poll::Ready(result) => Poll::Ready(Some(result)),
            Poll::Pending if busy.load(Ordering::Relaxed) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        })
        .await;
        if let Some(result) = inline {
            return result;
        }
        let (_cancel_on_drop, cancelled) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Handle::current();
        let thread = tokio::task::spawn_blocking(move || {
            runtime.block_on(async move {
                tokio::select! {
                    result = run => Some(result),
                    _ = cancelled => None,
                }
            })
        });
        match thread.await {
            Ok(Some(result)) => result,
            Ok(None) | Err(_) => Err(Failure {
                code: ErrorCode::Unavailable.into(),
                message: format!("plugin {} call was abandoned", self.name),
            }),
        }
    }

    async fn run(
        self: &Arc<Self>,
        engine: &Engine,
        request: &Request,
        deadline: Duration,
        busy: &Arc<AtomicBool>,
    ) -> Result<String, Failure> {
        let (mut store, spare) = match self.take_spare(engine) {
            Some(Spare { store, instance }) => (store, Some(instance)),
            None => (self.new_store(engine), None),
        };
        store
            .data_mut()
            .bind_invoke(request.agent_id.clone(), request.invoke_fields.clone());
        arm(&mut store, deadline, Some(busy.clone()));
        let run = async {
            let instance = match spare {
                Some(instance) => instance,
                None => self.pre.instantiate_async(&mut store).await?,
            };
            instance
                .openclaw_plugin_plugin()
                .call_invoke(
                    &mut store,
                    &request.call,
                    &request.command,
                    request.params_json.as_deref(),
                )
                .await
        };
        // The epoch stops guest code; the wall clock also bounds time spent in host calls.
        let result = tokio::time::timeout(deadline + Duration::from_millis(50), run).await;
        self.finish(
            store,
            result.unwrap_or_else(|_| Err(Trap::Interrupt.into())),
            deadline,
        )?
    }

    /// A store for one call, with the memory cap; [`arm`] gives it its deadline.
    fn new_store(&self, engine: &Engine) -> Store<CallState> {
        let mut store = Store::new(engine, CallState::new(self.caller.clone()));
        store.limiter(|state| state);
        store
    }

    /// Instantiates once more, timed (describe's instantiation was the first, and cold, so
    /// slower than the calls' will be): slow enough, and it is the first spare; else the
    /// plugin keeps none.
    async fn timed_spare(&self, engine: &Engine) -> SpareSlot {
        let started = std::time::Instant::now();
        match self.make_spare(engine).await {
            SpareSlot::Ready(spare) if started.elapsed() >= SPARE_WORTH => SpareSlot::Ready(spare),
            SpareSlot::Ready(spare) => {
                // Resetting its memory is the drop's work; the load need not wait for it.
                tokio::task::spawn_blocking(move || drop(spare));
                SpareSlot::Never
            }
            other => other,
        }
    }

    /// Whether calls find an instance made ahead of them.
    pub fn keeps_spares(&self) -> bool {
        !matches!(
            *self.spare.lock().expect("the spare slot is never poisoned"),
            SpareSlot::Never
        )
    }

    /// The spare instance if one is ready; either way, the next one is started (unless one is
    /// being made already), so a call that follows finds it ready.
    fn take_spare(self: &Arc<Self>, engine: &Engine) -> Option<Spare> {
        let mut slot = self.spare.lock().expect("the spare slot is never poisoned");
        let taken = match std::mem::replace(&mut *slot, SpareSlot::Making) {
            SpareSlot::Ready(spare) => Some(spare),
            SpareSlot::Making => return None,
            SpareSlot::Never => {
                *slot = SpareSlot::Never;
                return None;
            }
            SpareSlot::Empty => None,
        };
        drop(slot);
        let (plugin, engine) = (self.clone(), engine.clone());
        tokio::spawn(async move {
            let next = plugin.make_spare(&engine).await;
            *plugin
                .spare
                .lock()
                .expect("the spare slot is never poisoned") = next;
        });
        taken
    }

    /// Instantiates the next spare, bounded as a describe() is; a component whose
    /// initialisation fails or loops leaves none, and its calls instantiate for themselves.
    async fn make_spare(&self, engine: &Engine) -> SpareSlot {
        let mut store = self.new_store(engine);
        arm(&mut store, DESCRIBE_DEADLINE, None);
        let made = tokio::time::timeout(
            DESCRIBE_DEADLINE * 2,
            self.pre.instantiate_async(&mut store),
        )
        .await;
        match made {
            Ok(Ok(instance)) => SpareSlot::Ready(Spare { store, instance }),
            _ => SpareSlot::Empty,
        }
    }

    /// Logs what the call printed and turns a trap into a failure the operator can read.
    fn finish<T>(
        &self,
        store: Store<CallState>,
        result: wasmtime::Result<T>,
        deadline: Duration,
    ) -> Result<T, Failure> {
        let state = store.data();
        state.flush_output();
        let memory_exhausted = state.memory_exhausted;
        // A plugin slow to instantiate is slow to tear down (an interpreter's heap): its
        // store is dropped on another thread, and the answer does not wait. A fast one's drop
        // costs less than handing it over, which would also compete for the cores.
        if self.keeps_spares() {
            tokio::task::spawn_blocking(move || drop(store));
        } else {
            drop(store);
        }
        result.map_err(|e| {
            let name = &self.name;
            if matches!(e.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
                Failure {
                    code: ErrorCode::Timeout.into(),
                    message: format!(
                        "plugin {name} did not finish within {} ms",
                        deadline.as_millis()
                    ),
                }
            } else if memory_exhausted {
                Failure {
                    code: ErrorCode::Unavailable.into(),
                    message: format!(
                        "plugin {name} ran out of memory (limit {} MiB)",
                        MAX_MEMORY_BYTES >> 20
                    ),
                }
            } else {
                tracing::warn!(plugin = %name, "plugin trapped: {e:#}");
                Failure {
                    code: ErrorCode::Unavailable.into(),
                    message: format!("plugin {name} crashed: {}", root_cause(&e)),
                }
            }
        })
    }
}

fn root_cause(e: &wasmtime::Error) -> String {
    match e.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => e.root_cause().to_string(),
    }
}

/// Gives a store its CPU deadline. Guest code yields to the async runtime at every epoch
/// tick from the second on, so a plugin that loops cannot hold the threads that serve the
/// connection and other calls; once its deadline has passed, the next tick traps it. `busy`
/// is raised at the first yield: the guest has then run for at least a whole tick. (The first
/// tick may come a microsecond after the call starts; a short call it met would be moved to
/// another thread for nothing.)
fn arm(store: &mut Store<CallState>, deadline: Duration, busy: Option<Arc<AtomicBool>>) {
    let ticks = deadline_ticks(deadline);
    let first = ticks.min(2);
    let mut ticks_left = ticks - (first - 1);
    store.set_epoch_deadline(first);
    store.epoch_deadline_callback(move |_| {
        if let Some(busy) = &busy {
            busy.store(true, Ordering::Relaxed);
        }
        ticks_left = ticks_left.saturating_sub(1);
        Ok(if ticks_left == 0 {
            UpdateDeadline::Interrupt
        } else {
            UpdateDeadline::Yield(1)
        })
    });
}

/// The exec fields of an invoke: an approval counts only on `system.run` itself, the
/// command the gateway checks approvals for before forwarding, and the prepare hints only on
/// `system.run.prepare`. Other invokes' params (a file's content, say) are not parsed for them.
fn invoke_fields(command: &str, params_json: Option<&str>) -> InvokeFields {
    match command {
        "system.run" | "system.run.prepare" => {
            let mut fields = InvokeFields::of_params(params_json);
            if command != "system.run" {
                fields.approval = Default::default();
            }
            fields
        }
        _ => InvokeFields::default(),
    }
}
