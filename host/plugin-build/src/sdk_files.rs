//! The SDKs as this binary carries them, written into each new project.

/// `(path inside the SDK, text)` for each listed file of `sdk/<lang>`.
macro_rules! carried {
    ($lang:literal: $($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../../sdk/", $lang, "/", $path)))),*]
    };
}

pub const RUST: &[(&str, &str)] = carried!("rust":
    "Cargo.toml", "README.md", "wit/world.wit", "wit/types.wit", "wit/plugin.wit",
    "wit/log.wit", "wit/exec.wit", "wit/exec-approvals.wit", "wit/browser.wit",
    "wit/location.wit", "wit/notify.wit", "wit/screen.wit", "wit/camera.wit", "wit/fs.wit",
    "wit/uploads.wit", "wit/browser-automation.wit", "wit/browser-tabs.wit",
    "wit/browser-page.wit", "wit/browser-downloads.wit", "wit/browser-files.wit", "wit/mcp.wit",
    "wit/tools.wit", "src/lib.rs",
    "src/failure.rs", "src/macros.rs", "src/browser.rs", "src/browser_automation.rs",
    "src/browser_tabs.rs", "src/browser_page.rs", "src/browser_downloads.rs",
    "src/browser_files.rs", "src/camera.rs",
    "src/exec.rs", "src/exec_approvals.rs", "src/fs.rs", "src/location.rs", "src/log.rs", "src/mcp.rs",
    "src/notify.rs", "src/screen.rs", "src/uploads.rs",
);

pub const PYTHON: &[(&str, &str)] = carried!("python":
    "pyproject.toml", "README.md", "openclaw_plugin/__init__.py",
    "openclaw_plugin/capability.py", "openclaw_plugin/component.py",
    "openclaw_plugin/failure.py", "openclaw_plugin/params.py", "openclaw_plugin/plugin.py",
    "openclaw_plugin/log.py", "openclaw_plugin/exec.py", "openclaw_plugin/exec_approvals.py",
    "openclaw_plugin/browser.py", "openclaw_plugin/browser_tabs.py",
    "openclaw_plugin/browser_page.py", "openclaw_plugin/browser_downloads.py",
    "openclaw_plugin/browser_files.py",
    "openclaw_plugin/camera.py", "openclaw_plugin/fs.py", "openclaw_plugin/location.py",
    "openclaw_plugin/notify.py", "openclaw_plugin/screen.py", "openclaw_plugin/uploads.py",
    "openclaw_plugin/mcp.py",
);

pub const JS: &[(&str, &str)] = carried!("js":
    "package.json", "README.md", "index.js", "failure.js", "params.js", "build.mjs",
    "log.js", "exec.js", "exec-approvals.js", "browser.js", "browser-tabs.js", "browser-page.js",
    "browser-downloads.js", "browser-files.js",
    "camera.js", "fs.js", "location.js", "mcp.js", "notify.js", "screen.js", "uploads.js",
);

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{JS, PYTHON, RUST};

    /// The files under `dir` (relative to `root`), but for tests, examples and build output.
    fn on_disk(root: &Path, dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let skipped = [
                "tests",
                "examples",
                "node_modules",
                "__pycache__",
                "Cargo.lock",
                "target",
            ];
            if skipped.contains(&name.as_str()) || name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                on_disk(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                found.push(relative.to_string_lossy().into_owned());
            }
        }
    }

    /// A file added to an SDK must be carried too, or new projects would not build.
    #[test]
    fn every_file_of_each_sdk_is_carried() {
        let sdks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sdk");
        for (lang, files) in [("rust", RUST), ("python", PYTHON), ("js", JS)] {
            let root = sdks.join(lang);
            let mut found = Vec::new();
            on_disk(&root, &root, &mut found);
            found.sort();
            let mut carried: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
            carried.sort();
            assert_eq!(carried, found, "sdk/{lang}");
        }
    }
}
