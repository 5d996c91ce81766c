//! The plugin runtime: every node command family is a WebAssembly component. This crate loads
//! components (built-ins and a plugins dir), checks their capability imports against the
//! operator's grants, and runs each invoke in a fresh, limited instance. It knows nothing
//! about WebSockets.

mod bindings;
pub mod cache;
mod capabilities;
pub mod contract;
pub mod engine;
pub mod grants;
mod plugin;
mod registry;
mod services;
mod state;
pub mod watch;

pub use bindings::tool_plugin::exports::openclaw::plugin::tools::{McpTarget, Tool};
pub use bindings::{Call, Failure, Surface};
pub use capabilities::{interfaces as capability_interfaces, names as capability_names};
pub use plugin::{LoadError, Origin, Plugin};
pub use registry::{
    wasm_files, Builtin, Inspection, PluginError, PluginHost, PluginSet, PluginTool,
};
pub use services::{ExecContext, Services};
