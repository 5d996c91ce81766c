//! The plugins embedded in the binary, and the capabilities they get by default.

use openclaw_runtime::grants::Grants;
use openclaw_runtime::Builtin;

pub const BUILTINS: &[Builtin] = &[Builtin {
    name: "system",
    wasm: include_bytes!(concat!(env!("OUT_DIR"), "/system.wasm")),
}];

/// `system` runs processes (under the exec approvals) and logs.
pub fn with_builtin_grants(grants: Grants) -> Grants {
    grants.with_default("system", &["log", "exec"])
}
