//! The one place that configures wasmtime: component model, epoch
//! interruption for CPU deadlines, and the pooling allocator (on-demand when the pool cannot
//! reserve its address space).

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances; a call's CPU deadline is counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);
/// Linear memory one plugin instance may use.
pub const MAX_MEMORY_BYTES: usize = 64 << 20;
/// Memory a pooled instance slot keeps resident between instances.
const KEEP_RESIDENT_BYTES: usize = 32 << 20;
/// Table memory a slot keeps resident between instances (an interpreter's tables fit).
const KEEP_RESIDENT_TABLE_BYTES: usize = 1 << 20;
/// Instances alive at once (concurrent invokes plus loads).
const POOL_INSTANCES: u32 = 256;
/// Invokes in flight at once, in all plugins: half the pool, so the spares each plugin keeps
/// ready and the loads (a describe instantiates too) always find a slot. A call beyond it is
/// refused at once; each call in flight may hold one thread, so this bounds those too.
pub const MAX_CALLS_IN_FLIGHT: usize = POOL_INSTANCES as usize / 2;

/// The admission of [`MAX_CALLS_IN_FLIGHT`].
pub static CALL_PERMITS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(MAX_CALLS_IN_FLIGHT);

pub fn new_engine() -> wasmtime::Result<Engine> {
    match Engine::new(&config(true)) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            tracing::warn!("pooling allocator unavailable ({e}); allocating instances on demand");
            Engine::new(&config(false))
        }
    }
}

fn config(pooling: bool) -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    // Tables are filled when an instance is made, not at a call's first use of each slot:
    // instances are made ahead of their call (see `plugin.rs`), so the call does not pay.
    config.table_lazy_init(false);
    if pooling {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(POOL_INSTANCES);
        pool.total_core_instances(POOL_INSTANCES * 4);
        pool.total_memories(POOL_INSTANCES * 2);
        pool.total_tables(POOL_INSTANCES * 4);
        // A call runs on a fiber stack of its own; no more run at once than there are
        // instances. (The default, 1000, costs a guard page's mprotect each at start.)
        pool.total_stacks(POOL_INSTANCES);
        pool.max_memory_size(MAX_MEMORY_BYTES);
        pool.max_memories_per_component(4);
        // A slot's memory stays resident and is reset in place when its instance is dropped
        // (after the call's answer is out), so the next instance's call does not fault in
        // the pages it writes. It is what makes an interpreter's fresh instance (Python,
        // JavaScript) cheap to call: each call writes megabytes of the interpreter's heap.
        pool.linear_memory_keep_resident(KEEP_RESIDENT_BYTES);
        pool.table_keep_resident(KEEP_RESIDENT_TABLE_BYTES);
        // Not `pagemap_scan`: resetting only the pages an instance wrote makes a Rust
        // plugin's drop cheaper, but it decommits the pages an interpreter only read, which
        // the next call then faults in again. Measured on 2 cores: a Rust instantiate + call
        // 29 -> 12 us, a Python call on a ready spare 357 -> 1603 us.
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    config
}

/// Advances the engine's epoch every [`EPOCH_TICK`] on a thread of its own, for as long as the
/// engine lives.
pub fn start_epoch_ticker(engine: &Engine) {
    let weak = Arc::new(engine.weak());
    std::thread::Builder::new()
        .name("openclaw-epoch".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => return,
            }
        })
        .expect("spawn the epoch thread");
}

/// Ticks that make up `timeout`, at least one.
pub fn deadline_ticks(timeout: Duration) -> u64 {
    (timeout.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64
}
