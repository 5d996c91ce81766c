//! A minimal OpenClaw gateway: the WebSocket control plane for nodes. Device pairing, node
//! surface pairing, the node registry, invoke routing and the pending queue, with state in
//! SQLite. No chat channels, no model.

// Handlers return the protocol's error shape as their `Err`: it is the reply itself, built on
// the refusal path only, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod admission;
mod approvals;
mod auth_limit;
pub mod config;
mod config_file;
mod connection;
mod frame_guard;
mod invoke_router;
mod methods;
mod pairing;
pub mod policy;
mod policy_apply;
mod policy_reload;
mod server;
mod session;
mod state;
pub mod store;
mod tls;

pub use config::{
    AuthMode, BrowserNodeMode, BrowserNodesConfig, CommandsConfig, GatewayConfig, PairingConfig,
    RateLimitConfig, TlsSource,
};
/// Setup codes as `openclaw qr` mints them on the gateway's host, into the gateway's database.
pub mod setup_codes {
    pub use crate::pairing::bootstrap::Profile;
    pub use crate::pairing::setup::{auth_label, create, Bind, Request, Setup};
    pub use crate::tls::existing_fingerprint;
}
pub use server::{start, RunningGateway, StartError};
pub use state::{Gateway, VERSION};
