//! `openclaw.json`, which the CLI, the gateway and the node host each read for themselves:
//! where it lives, reading it (JSON5) and writing it (atomically, keeping no comments), and
//! the shared secrets resolved from it. What each part makes of its keys is typed in that
//! part (`GatewayConfig::apply_file`, `NodeSettings::from_config`).

mod file;
mod secrets;

pub use file::{backup_path, config_path, service_env_path, state_dir, Config};
pub use secrets::{client_secrets, gateway_password, gateway_token, is_remote};
