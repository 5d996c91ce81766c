//! Interop with the real OpenClaw 2026.9.6 (npm), both directions: the real node host and the
//! real CLI against our gateway, our node host and CLI against the real gateway.

#[allow(dead_code)]
#[path = "../e2e/support.rs"]
mod support;

#[path = "../../host/runtime/tests/fixtures/mod.rs"]
mod fixtures;

#[allow(dead_code)]
#[path = "../e2e/device_procs.rs"]
mod device_procs;

mod ours_on_theirs;
mod real;
mod theirs_on_ours;
