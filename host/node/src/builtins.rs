//! The plugins embedded in the binary, and the capabilities they get by default.

use openclaw_hardware::{camera, screen};
use openclaw_runtime::grants::Grants;
use openclaw_runtime::Builtin;

use crate::settings::NodeSettings;

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
    Builtin {
        name: "notify",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/notify.wasm")),
    },
    Builtin {
        name: "location",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/location.wasm")),
    },
    Builtin {
        name: "screen",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/screen.wasm")),
    },
    Builtin {
        name: "camera",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/camera.wasm")),
    },
    Builtin {
        name: "files",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/files.wasm")),
    },
    Builtin {
        name: "file-transfer",
        wasm: include_bytes!(concat!(env!("OUT_DIR"), "/file_transfer.wasm")),
    },
];

/// The built-ins this node serves: `browser` (browser.proxy) and `location` only when the
/// config turns them on, `screen` only with a display, `camera` only with a camera.
pub fn enabled_builtins(settings: &NodeSettings) -> Vec<Builtin> {
    BUILTINS
        .iter()
        .filter(|b| match b.name {
            "browser" => settings.browser.proxy_enabled,
            "location" => settings.location.enabled,
            "screen" => screen::works(),
            "camera" => camera::works(),
            _ => true,
        })
        .cloned()
        .collect()
}

/// Each built-in gets the capabilities its commands stand on, and `log`. Only `system` may
/// edit the exec approvals. `files` and `file-transfer` read under the node user's home, as
/// the real node host's `fs.listDir` does (never the state dir, which the runtime keeps out of
/// every root); `file-transfer` writes nowhere until the operator grants `allowWritePaths`.
pub fn with_builtin_grants(grants: Grants) -> Grants {
    grants
        .with_default("system", &["log", "exec", "exec-approvals"])
        .with_default("canvas", &["log", "browser"])
        .with_default("browser", &["log", "browser", "browser-automation"])
        .with_default("notify", &["log", "notify"])
        .with_default("location", &["log", "location"])
        .with_default("screen", &["log", "screen"])
        .with_default("camera", &["log", "camera"])
        .with_default("files", &["fs", "uploads"])
        .with_default_fs("files", &["~"])
        .with_default("file-transfer", &["fs"])
        .with_default_fs("file-transfer", &["~"])
}
