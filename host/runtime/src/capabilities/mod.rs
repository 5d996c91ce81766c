//! Host capabilities are WIT interfaces a plugin imports. Each lives in its own module here,
//! which owns its interface name, the state it keeps for a call and how it is linked (a
//! projection from the call's store to that state). `ALL` is the one list of them: it decides
//! which imports count as capabilities (and so need a grant), what `plugins inspect` reports,
//! and what a linker may provide.
//!
//! Grants are enforced by linking: a plugin is instantiated through a linker that holds WASI
//! and its granted capabilities only, so an ungranted import leaves it unlinkable, and no
//! capability checks a grant when it is called.

pub(crate) mod browser;
pub(crate) mod browser_automation;
pub(crate) mod camera;
pub(crate) mod exec;
pub(crate) mod exec_approvals;
pub(crate) mod fs;
mod linkers;
pub(crate) mod location;
pub(crate) mod log;
pub(crate) mod mcp;
pub(crate) mod notify;
pub(crate) mod screen;
pub(crate) mod uploads;
pub(crate) mod view;

pub use fs::home_dir;
pub use linkers::Linkers;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::Engine;

use crate::state::CallState;

/// One capability: its grant name, the WIT interfaces that carry it, and how it is linked.
pub struct Capability {
    pub name: &'static str,
    pub interfaces: &'static [&'static str],
    link: fn(&mut Linker<CallState>) -> wasmtime::Result<()>,
}

/// A capability's module, as [`ALL`] lists it: its `NAME`, `INTERFACES` and `link`.
macro_rules! capability {
    ($module:ident) => {
        Capability {
            name: $module::NAME,
            interfaces: $module::INTERFACES,
            link: $module::link::<CallState>,
        }
    };
}

/// Every capability this host provides.
pub const ALL: &[Capability] = &[
    capability!(log),
    capability!(exec),
    capability!(exec_approvals),
    capability!(browser),
    capability!(location),
    capability!(notify),
    capability!(screen),
    capability!(camera),
    capability!(fs),
    capability!(uploads),
    capability!(browser_automation),
    capability!(mcp),
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

/// What `component` imports. A 0.1.0 `exec` that edits the approvals (`approvals-get|set`,
/// deprecated) counts as importing `exec-approvals` too: only that grant links them.
pub fn imports_of(engine: &Engine, component: &Component) -> Vec<Import> {
    let mut imports = Vec::new();
    for (name, item) in component.component_type().imports(engine) {
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            continue;
        };
        let import = classify(name);
        if import == Import::Capability(exec::NAME)
            && instance
                .exports(engine)
                .any(|(f, _)| exec_approvals::LEGACY_FUNCTIONS.contains(&f))
        {
            imports.push(Import::Capability(exec_approvals::NAME));
        }
        // A capability of several interfaces is imported once.
        if !imports.contains(&import) {
            imports.push(import);
        }
    }
    imports
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
    if let Some(cap) = ALL.iter().find(|c| c.interfaces.contains(&unversioned)) {
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

/// The interfaces that carry `capability` (`browser-tabs`, ... for `browser-automation`),
/// without the package: empty for a name that is no capability.
pub fn interfaces(capability: &str) -> Vec<&'static str> {
    ALL.iter()
        .filter(|c| c.name == capability)
        .flat_map(|c| c.interfaces)
        .filter_map(|i| i.strip_prefix("openclaw:plugin/"))
        .collect()
}

/// The name of every capability this host provides, as grants and imports spell them.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|c| c.name).collect()
}

/// A linker with WASI and the capabilities in `granted` (names from `ALL`), nothing else.
fn linker_for(engine: &Engine, granted: &[&'static str]) -> wasmtime::Result<Linker<CallState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    for capability in ALL.iter().filter(|c| granted.contains(&c.name)) {
        (capability.link)(&mut linker)?;
    }
    // The 0.1.0 functions edit the approvals from inside `exec`: both grants link them.
    if granted.contains(&exec::NAME) && granted.contains(&exec_approvals::NAME) {
        exec_approvals::link_into_exec(&mut linker)?;
    }
    Ok(linker)
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

    /// The linker is the enforcement: without the grant, the import has nothing to link to,
    /// whatever the load's own checks say.
    #[test]
    fn a_linker_holds_only_the_capabilities_of_its_grants() {
        use openclaw_test_support::fixtures::{Fixture, LEGACY_APPROVER, RUNNER};
        let engine = crate::engine::new_engine().unwrap();
        let links = |granted: &[&'static str], fixture: Fixture| {
            let component = Component::from_file(&engine, fixture).unwrap();
            let linker = linker_for(&engine, granted).unwrap();
            linker.instantiate_pre(&component).is_ok()
        };
        assert!(!links(&["log"], RUNNER));
        assert!(links(&["exec"], RUNNER));
        // The 0.1.0 plugin's exec edits the approvals: both grants, or it does not link.
        assert!(!links(&["exec"], LEGACY_APPROVER));
        assert!(!links(&["exec-approvals"], LEGACY_APPROVER));
        assert!(links(&["exec", "exec-approvals"], LEGACY_APPROVER));
    }

    #[test]
    fn names_and_interfaces_are_unique_and_every_capability_links() {
        let mut names: Vec<_> = ALL.iter().map(|c| c.name).collect();
        let mut interfaces: Vec<_> = ALL.iter().flat_map(|c| c.interfaces).collect();
        names.sort();
        names.dedup();
        interfaces.sort();
        interfaces.dedup();
        assert_eq!(names.len(), ALL.len());
        let total: usize = ALL.iter().map(|c| c.interfaces.len()).sum();
        assert_eq!(interfaces.len(), total);
        // Every interface the world offers belongs to a capability.
        let world = crate::contract::FILES[0].1;
        for line in world.lines() {
            if let Some(name) = line.trim().strip_prefix("import ") {
                let interface = format!("openclaw:plugin/{}", name.trim_end_matches(';'));
                assert!(interfaces.contains(&&interface.as_str()), "{interface}");
            }
        }
        let engine = crate::engine::new_engine().unwrap();
        linker_for(&engine, &super::names()).expect("every capability links beside the others");
        // The plugin builds check imports against declared capabilities with the same map.
        for capability in ALL {
            for interface in super::interfaces(capability.name) {
                let built = openclaw_wasm_build::declared::capability_of(interface);
                assert_eq!(built, capability.name, "{interface}");
            }
        }
    }
}
