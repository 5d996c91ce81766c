//! Host capabilities are WIT interfaces a plugin imports. This maps each import of a component
//! to the capability it asks for, so the host can check grants before it instantiates.

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::Engine;

use crate::bindings::openclaw::plugin::{
    browser, camera, exec, exec_approvals, location, log, notify, screen,
};
use crate::state::CallState;

/// Capabilities by name, with the interface that carries each.
pub const CAPABILITIES: &[(&str, &str)] = &[
    ("log", "openclaw:plugin/log"),
    ("exec", "openclaw:plugin/exec"),
    ("exec-approvals", "openclaw:plugin/exec-approvals"),
    ("browser", "openclaw:plugin/browser"),
    ("location", "openclaw:plugin/location"),
    ("notify", "openclaw:plugin/notify"),
    ("screen", "openclaw:plugin/screen"),
    ("camera", "openclaw:plugin/camera"),
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

fn classify(name: &str) -> Import {
    // Interface names carry a version: `openclaw:plugin/log@0.1.0`.
    let unversioned = name.split('@').next().unwrap_or(name);
    if let Some((cap, _)) = CAPABILITIES.iter().find(|(_, iface)| *iface == unversioned) {
        return Import::Capability(cap);
    }
    if unversioned == "openclaw:plugin/types" {
        return Import::Types;
    }
    if name.starts_with("wasi:") {
        return Import::Wasi(name.to_string());
    }
    Import::Unknown(name.to_string())
}

/// A linker with WASI and every capability. Grants are checked at load, against the imports.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<CallState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    log::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    exec::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    crate::exec::editing::add_legacy_to_linker(&mut linker)?;
    exec_approvals::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    browser::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    location::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    notify::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    screen::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    camera::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
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
}
