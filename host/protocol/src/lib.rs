//! The OpenClaw gateway protocol as data: frames, connect parameters, `hello-ok`, error codes,
//! device identity and the signed connect payloads. Both the gateway and its clients use it;
//! nothing here does I/O.

pub mod connect;
pub mod errors;
pub mod exec_approval;
pub mod exec_approvals;
pub mod exec_command;
pub mod frames;
pub mod hello;
pub mod identity;
pub mod limits;
pub mod node_commands;
pub mod node_events;
pub mod node_invoke;
pub mod nodes;
pub mod pending;
pub mod records;
pub mod setup_code;
pub mod signature;
pub mod tls_pin;

/// The protocol version this implementation speaks (`hello-ok.protocol`).
pub const PROTOCOL_VERSION: u32 = 4;
/// Oldest protocol a node-role client (or a probe) may connect with.
pub const MIN_NODE_PROTOCOL_VERSION: u32 = 3;
/// `hello-ok.features.capabilities` entry of a gateway that takes `node.pluginSurface.refresh`
/// as `{caps, commands, permissions}` (this project's extension). The real gateway serves a
/// method of that name with another shape, so the method list alone cannot tell them apart.
pub const SURFACE_REDECLARE_CAPABILITY: &str = "node-surface-redeclare-v1";
/// Default gateway port.
pub const DEFAULT_PORT: u16 = 18789;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
