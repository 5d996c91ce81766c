//! The headless node host: a device identity, a connection to a gateway, and every command
//! served by a WebAssembly plugin.

pub mod allowlist;
mod builtins;
pub mod connection;
mod exec_events;
pub mod files;
pub mod host;
mod invoke_agent;
mod machine_model;
mod node_host;
mod pending;
mod permissions;
mod plugin_tools;
mod settings;
mod settings_file;
mod stats;
mod upload_sweeper;

pub use allowlist::CommandAllowlist;
pub use builtins::BUILTINS;
pub use connection::{run, Bootstrap, Fatal, NodeOptions};
pub use host::{grants_path, load_plugins, new_host, Plugins};
pub use invoke_agent::invoke_agent;
pub use node_host::{NodeHost, NodeHostConfig};
pub use settings::{BrowserSettings, NodeSettings};
