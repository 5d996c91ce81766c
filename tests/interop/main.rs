//! Interop with the real OpenClaw 2026.9.6 (npm), both directions: the real node host and the
//! real CLI against our gateway, our node host and CLI against the real gateway.

mod browser;
mod config;
mod file_transfer;
mod files;
mod node_service;
mod ours_on_theirs;
mod theirs_on_ours;
