//! Host capabilities are WIT interfaces a plugin imports. Each lives in its own module here,
//! which owns its interface name, the state it keeps for a call and how it is linked (a
//! projection from the call's store to that state). `ALL` is the one list of them: it decides
//! which imports count as capabilities (and so need a grant), what `plugins inspect` reports,
//! and what the linker provides.

mod browser;
mod browser_automation;
mod camera;
mod exec;
mod exec_approvals;
mod fs;
mod location;
mod log;
mod notify;
mod screen;
mod uploads;

pub use fs::home_dir;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::Engine;

use crate::bindings::{host_failure, Failure};
use crate::state::CallState;

/// One capability: its grant name, the WIT interface that carries it, and how it is linked.
pub struct Capability {
    pub name: &'static str,
    pub interface: &'static str,
    link: fn(&mut Linker<CallState>) -> wasmtime::Result<()>,
}

/// Every capability this host provides. `exec` comes before `exec-approvals`, which adds the
/// 0.1.0 editing functions to the `exec` instance.
pub const ALL: &[Capability] = &[
    log::CAPABILITY,
    exec::CAPABILITY,
    exec_approvals::CAPABILITY,
    browser::CAPABILITY,
    location::CAPABILITY,
    notify::CAPABILITY,
    screen::CAPABILITY,
    camera::CAPABILITY,
    fs::CAPABILITY,
    uploads::CAPABILITY,
    browser_automation::CAPABILITY,
];

/// What a component imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// One of ours, by capability name.
    Capability(&'static str),
    /// Locked-down WASI, always linked.
    Wasi(String),
    /// The contract's shared types (no functions, nothing to grant).
    Types,
    /// Something this host does not provide.
    Unknown(String),
}

pub fn imports_of(engine: &Engine, component: &Component) -> Vec<Import> {
    component
        .component_type()
        .imports(engine)
        .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentInstance(_)))
        .map(|(name, _)| classify(name))
        .collect()
}

/// The contract a component was built against, read off the `plugin` interface it exports:
/// `openclaw:plugin@0.1.0`.
pub fn contract_of(engine: &Engine, component: &Component) -> Option<String> {
    component
        .component_type()
        .exports(engine)
        .find_map(|(name, _)| {
            name.strip_prefix("openclaw:plugin/plugin@")
                .map(String::from)
        })
        .map(|version| format!("openclaw:plugin@{version}"))
}

fn classify(name: &str) -> Import {
    // Interface names carry a version: `openclaw:plugin/log@0.1.0`.
    let unversioned = name.split('@').next().unwrap_or(name);
    if let Some(cap) = ALL.iter().find(|c| c.interface == unversioned) {
        return Import::Capability(cap.name);
    }
    if unversioned == "openclaw:plugin/types" {
        return Import::Types;
    }
    if name.starts_with("wasi:") {
        return Import::Wasi(name.to_string());
    }
    Import::Unknown(name.to_string())
}

/// The name of every capability this host provides, as grants and imports spell them.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|c| c.name).collect()
}

/// A linker with WASI and every capability. Grants are checked at load, against the imports.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<CallState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    for capability in ALL {
        (capability.link)(&mut linker)?;
    }
    Ok(linker)
}

/// A device error, passed on as a failure with the same code.
fn hardware_failure(e: openclaw_hardware::HardwareError) -> Failure {
    host_failure(e.code, e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_classified() {
        assert_eq!(
            classify("openclaw:plugin/log@0.1.0"),
            Import::Capability("log")
        );
        assert_eq!(
            classify("openclaw:plugin/exec-approvals@0.1.1"),
            Import::Capability("exec-approvals")
        );
        assert_eq!(classify("openclaw:plugin/types@0.1.0"), Import::Types);
        assert_eq!(
            classify("wasi:io/streams@0.2.6"),
            Import::Wasi("wasi:io/streams@0.2.6".into())
        );
        assert_eq!(
            classify("acme:evil/net@1.0.0"),
            Import::Unknown("acme:evil/net@1.0.0".into())
        );
    }

    #[test]
    fn names_and_interfaces_are_unique_and_every_capability_links() {
        let mut names: Vec<_> = ALL.iter().map(|c| c.name).collect();
        let mut interfaces: Vec<_> = ALL.iter().map(|c| c.interface).collect();
        names.sort();
        names.dedup();
        interfaces.sort();
        interfaces.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_eq!(interfaces.len(), ALL.len());
        let engine = crate::engine::new_engine().unwrap();
        linker(&engine).expect("every capability links beside the others");
    }
}
