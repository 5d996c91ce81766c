//! The fixture plugins under `tests/fixtures`, built by this crate's build script and named by
//! the constants it generates (`ECHO`, `RUNNER`, `RELEASED_0_1_7`, ...).

use std::path::{Path, PathBuf};

/// A fixture: the name of its dir in `tests/fixtures`, and its built component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixture {
    pub name: &'static str,
    path: &'static str,
}

impl Fixture {
    /// The component, built.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(self.path)
    }
}

impl AsRef<Path> for Fixture {
    fn as_ref(&self) -> &Path {
        Path::new(self.path)
    }
}

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// The fixture named `name`, for names made at run time (`released-0-1-N`).
pub fn named(name: &str) -> Fixture {
    *ALL.iter().find(|f| f.name == name).unwrap_or_else(|| {
        let known: Vec<&str> = ALL.iter().map(|f| f.name).collect();
        panic!("no fixture {name}; known: {}", known.join(", "))
    })
}
