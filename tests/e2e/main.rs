//! End-to-end tests: the real `openclaw` binary as a gateway process, real WebSocket clients on
//! loopback, a real SQLite file that survives `kill -9`. What they share with the interop
//! tests and the benches lives in `tests/support` (`openclaw-test-support`).

mod browser_control;
mod browser_files;
mod browser_pages;
mod browser_request;
mod canvas;
mod canvas_escape;
mod cli;
mod config_reload;
mod devices_cli;
mod durability;
mod exec_approvals_flow;
mod exec_approvals_gateway;
mod exec_approvals_guard;
mod exec_policy;
mod file_transfer;
mod files;
mod first_plugin;
mod flood;
mod handshake;
mod hardware;
mod invoke;
mod lan;
mod lan_limits;
mod lan_pairing;
mod mcp;
mod node;
mod node_run_flags;
mod node_service;
mod pairing;
mod password_auth;
mod plugin_build;
mod plugin_grants;
mod private_files;
mod sdk_examples;
mod secrets;
mod setup_codes;
mod terminal_upload;
