//! The plugin contract this host serves, `wit/` as it was built in: one file per interface
//! and `world.wit`, which alone writes the package version.

/// `(file name, text)` of every file of the contract package.
pub const FILES: &[(&str, &str)] = &[
    ("world.wit", include_str!("../../../wit/world.wit")),
    ("types.wit", include_str!("../../../wit/types.wit")),
    ("plugin.wit", include_str!("../../../wit/plugin.wit")),
    ("log.wit", include_str!("../../../wit/log.wit")),
    ("exec.wit", include_str!("../../../wit/exec.wit")),
    (
        "exec-approvals.wit",
        include_str!("../../../wit/exec-approvals.wit"),
    ),
    ("browser.wit", include_str!("../../../wit/browser.wit")),
    ("location.wit", include_str!("../../../wit/location.wit")),
    ("notify.wit", include_str!("../../../wit/notify.wit")),
    ("screen.wit", include_str!("../../../wit/screen.wit")),
    ("camera.wit", include_str!("../../../wit/camera.wit")),
    ("fs.wit", include_str!("../../../wit/fs.wit")),
    ("uploads.wit", include_str!("../../../wit/uploads.wit")),
    (
        "browser-automation.wit",
        include_str!("../../../wit/browser-automation.wit"),
    ),
    (
        "browser-tabs.wit",
        include_str!("../../../wit/browser-tabs.wit"),
    ),
    (
        "browser-page.wit",
        include_str!("../../../wit/browser-page.wit"),
    ),
    (
        "browser-downloads.wit",
        include_str!("../../../wit/browser-downloads.wit"),
    ),
    (
        "browser-files.wit",
        include_str!("../../../wit/browser-files.wit"),
    ),
    ("mcp.wit", include_str!("../../../wit/mcp.wit")),
    ("tools.wit", include_str!("../../../wit/tools.wit")),
];

/// The contract's version: `0.1.9` from `package openclaw:plugin@0.1.9;` in `world.wit`.
pub fn version() -> &'static str {
    FILES[0]
        .1
        .lines()
        .find_map(|l| l.trim().strip_prefix("package openclaw:plugin@"))
        .and_then(|rest| rest.strip_suffix(';'))
        .expect("wit/world.wit names the package")
}

#[cfg(test)]
mod tests;
