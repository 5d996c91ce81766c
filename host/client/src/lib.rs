//! A client of an OpenClaw gateway (ours or the real one): it answers the challenge, signs the
//! device proof, sends `connect`, and then multiplexes requests and events over one socket.

mod connect;
mod connection;
mod error;
pub mod join_fetch;
pub mod plaintext;
pub mod tls;
mod transport;

pub use connect::{connect, ConnectOptions};
pub use connection::{Events, GatewayClient};
pub use error::ClientError;
pub use transport::{gateway_url, with_context_path};
