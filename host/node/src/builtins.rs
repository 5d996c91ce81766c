//! The plugins embedded in the binary, and the capabilities they get by default.

use openclaw_runtime::grants::Grants;
use openclaw_runtime::Builtin;

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "system",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/system.wasm")),
    },
    Builtin {
        name: "canvas",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/canvas.wasm")),
    },
    Builtin {
        name: "browser",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/browser.wasm")),
    },
];

/// The built-ins this node serves: `browser` (browser.proxy) only when the config allows it.
pub fn enabled_builtins(browser_proxy: bool) -> Vec<Builtin> {
    BUILTINS
        .iter()
        .filter(|b| browser_proxy || b.name != "browser")
        .cloned()
        .collect()
}

/// `system` runs processes (under the exec approvals); `canvas` and `browser` drive the
/// node's Chromium; all log.
pub fn with_builtin_grants(grants: Grants) -> Grants {
    grants
        .with_default("system", &["log", "exec"])
        .with_default("canvas", &["log", "browser"])
        .with_default("browser", &["log", "browser"])
}
