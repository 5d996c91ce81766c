//! The capabilities a plugin declares in its manifest, against what the built component
//! imports: a build that imports a capability its manifest does not list fails, so the list
//! the author reads is the request the operator is asked to grant.

use std::path::Path;

use serde_json::Value;
use wasmparser::{Chunk, ComponentTypeRef, Parser, Payload};

/// The capabilities a package of `cargo metadata` declares in
/// `[package.metadata.openclaw] capabilities` (none when it has no such list); `None` when
/// that is not a list of names.
pub fn of_package(package: &Value) -> Option<Vec<String>> {
    match &package["metadata"]["openclaw"]["capabilities"] {
        Value::Null => Some(Vec::new()),
        Value::Array(names) => names.iter().map(|n| n.as_str().map(String::from)).collect(),
        _ => None,
    }
}

/// The interfaces whose capability has another name: the split automation browser. Every
/// other interface is the capability of its own name. (The runtime's tests hold this to the
/// capabilities it links.)
pub const GROUPED: &[(&str, &str)] = &[
    ("browser-tabs", "browser-automation"),
    ("browser-page", "browser-automation"),
    ("browser-downloads", "browser-automation"),
    ("browser-files", "browser-automation"),
];

/// The capability that `interface` belongs to.
pub fn capability_of(interface: &str) -> &str {
    GROUPED
        .iter()
        .find(|(i, _)| *i == interface)
        .map_or(interface, |(_, capability)| capability)
}

/// Refuses a component that imports a capability `declared` does not list; `manifest` names
/// the list in the error.
pub fn check_imports(wasm: &Path, declared: &[String], manifest: &str) -> Result<(), String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let imported =
        imported(&bytes).map_err(|e| format!("{} is not a component: {e}", wasm.display()))?;
    for capability in imported {
        if !declared.contains(&capability) {
            return Err(format!(
                "the plugin imports capability `{capability}`, which {manifest} does not list; \
                 add it there (the operator must grant it too)"
            ));
        }
    }
    Ok(())
}

/// The contract's capabilities the component imports (`exec`, `fs`, ...), once each.
pub fn imported(bytes: &[u8]) -> Result<Vec<String>, wasmparser::BinaryReaderError> {
    let mut found = Vec::new();
    let mut parser = Parser::new(0);
    let mut rest = bytes;
    // Only the outer component's own imports: nested modules and components are skipped whole.
    loop {
        let (consumed, payload) = match parser.parse(rest, true)? {
            Chunk::Parsed { consumed, payload } => (consumed, payload),
            // With `eof` set, the parser reports a short input as an error instead.
            Chunk::NeedMoreData(_) => unreachable!("parsed with eof"),
        };
        rest = &rest[consumed..];
        match payload {
            Payload::ComponentImportSection(section) => {
                for import in section {
                    let import = import?;
                    if !matches!(import.ty, ComponentTypeRef::Instance(_)) {
                        continue;
                    }
                    let name = import.name.name;
                    if let Some(interface) = name.strip_prefix("openclaw:plugin/") {
                        let interface = interface.split('@').next().unwrap_or_default();
                        let capability = capability_of(interface).to_string();
                        if interface != "types" && !found.contains(&capability) {
                            found.push(capability);
                        }
                    }
                }
            }
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => {
                // The parent parser counts the nested bytes as read; they are not fed to it.
                rest = &rest[unchecked_range.end - unchecked_range.start..];
            }
            Payload::End(_) => break,
            _ => {}
        }
    }
    Ok(found)
}
