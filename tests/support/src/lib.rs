//! What the tests and benches share, in one place: the fixture plugins, the `openclaw`
//! gateway and node host as processes, the real OpenClaw's processes, the device services
//! (gpsd, Xvfb, a session bus) the device tests start, and the benches' percentiles.

pub mod archive;
pub mod bench;
pub mod fixtures;
pub mod gateway;
pub mod hardware_services;
pub mod mcp_servers;
pub mod node;
pub mod pages;
pub mod real;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The `openclaw` binary of this build. Cargo puts a test or bench binary in
/// `<profile>/deps` and the package's binaries in `<profile>`; it builds the binary before
/// the integration tests of its package.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile = exe
            .parent()
            .and_then(Path::parent)
            .expect("a test binary in <profile>/deps");
        let bin = profile.join("openclaw");
        assert!(
            bin.exists(),
            "{} is missing: run the tests of openclaw-cli (`cargo test -p openclaw-cli`), which build it",
            bin.display()
        );
        bin
    })
}

/// Whether the tests run as root, who reads even what its mode forbids.
pub fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}
