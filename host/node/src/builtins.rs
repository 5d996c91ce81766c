//! The plugins embedded in the binary, and the capabilities they get by default.

use openclaw_hardware::{camera, screen};
use openclaw_runtime::grants::Grants;
use openclaw_runtime::Builtin;

use crate::settings::NodeSettings;

/// A plugin built by `build.rs`, with the digest it wrote beside it.
macro_rules! builtin {
    ($name:literal, $file:literal) => {
        Builtin {
            name: $name,
            wasm: include_bytes!(concat!(env!("OUT_DIR"), "/", $file, ".wasm")),
            sha256: include_str!(concat!(env!("OUT_DIR"), "/", $file, ".sha256")),
        }
    };
}

pub const BUILTINS: &[Builtin] = &[
    builtin!("system", "system"),
    builtin!("canvas", "canvas"),
    builtin!("browser", "browser"),
    builtin!("notify", "notify"),
    builtin!("location", "location"),
    builtin!("screen", "screen"),
    builtin!("camera", "camera"),
    builtin!("files", "files"),
    builtin!("file-transfer", "file_transfer"),
    builtin!("mcp", "mcp"),
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
/// edit the exec approvals, and only `mcp` reaches the node's MCP servers. `files` and
/// `file-transfer` read under the node user's home, as the real node host's `fs.listDir` does
/// (never the state dir, which the runtime keeps out of every root); `file-transfer` writes
/// nowhere until the operator grants `allowWritePaths`.
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
        .with_default("mcp", &["log", "mcp"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_builtin_carries_the_digest_of_its_own_bytes() {
        for b in BUILTINS {
            assert_eq!(
                Builtin::hashed(b.name, b.wasm).sha256,
                b.sha256,
                "{}",
                b.name
            );
        }
    }
}
