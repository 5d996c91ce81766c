//! Interop with the real OpenClaw 2026.9.6 (npm), both directions: the real node host and the
//! real CLI against our gateway, our node host and CLI against the real gateway.

mod approvals_cli;
mod approvals_ours_on_theirs;
mod approvals_theirs_on_ours;
mod browser;
mod config;
mod config_sections;
mod file_transfer;
mod files;
mod mcp;
mod node_service;
mod ours_on_theirs;
mod password_auth;
mod plaintext_rule;
mod real_cli_on_ours;
mod setup_codes;
mod theirs_on_ours;
