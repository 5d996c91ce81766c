//! The fixture plugins under `tests/fixtures`, built by this crate's build script.

use std::path::PathBuf;

/// The component of fixture `name` (the crate `fixture-<name>`).
pub fn fixture(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("OPENCLAW_FIXTURES_DIR"))
        .join(format!("fixture_{}.wasm", name.replace('-', "_")));
    assert!(path.exists(), "no fixture {}", path.display());
    path
}
