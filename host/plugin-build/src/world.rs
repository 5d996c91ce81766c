//! The world a Python or JavaScript plugin is built against: the contract this binary serves,
//! with only the capabilities the project lists. Their toolchains import every interface of
//! the world they are given, so the contract's own `node-plugin` world would make each such
//! plugin ask for every grant; a world of its own keeps its import list an honest request.

use std::path::Path;

use anyhow::{bail, Context, Result};

use openclaw_runtime::contract;

/// Writes `wit/` under `dir`: the contract as a dependency, and world NAME importing
/// `capabilities`.
pub fn write(dir: &Path, name: &str, capabilities: &[String]) -> Result<()> {
    check_known(capabilities)?;
    let deps = dir.join("deps/openclaw-plugin");
    std::fs::create_dir_all(&deps).with_context(|| format!("cannot create {}", deps.display()))?;
    for (file, text) in contract::FILES {
        std::fs::write(deps.join(file), without_deprecated(text))?;
    }
    std::fs::write(dir.join("world.wit"), world(name, capabilities))?;
    Ok(())
}

/// Refuses a name that is no capability of the contract, naming the known ones.
pub fn check_known(capabilities: &[String]) -> Result<()> {
    let known = openclaw_runtime::capability_names();
    for capability in capabilities {
        if !known.contains(&capability.as_str()) {
            bail!(
                "unknown capability {capability:?} in the project's capabilities; known: {}",
                known.join(", ")
            );
        }
    }
    Ok(())
}

/// `text` without its `@deprecated` items. Python's and JavaScript's toolchains import every
/// function of an interface a world imports; a new plugin must not import what is kept only
/// for old ones (the 0.1.0 `exec.approvals-get|set` would need another grant).
pub(super) fn without_deprecated(text: &str) -> String {
    let mut out = String::new();
    // An item's doc comments and attributes, held until the item shows whether it is kept.
    let mut preamble = String::new();
    let mut dropping = false;
    for line in text.lines() {
        let item = line.trim_start();
        if dropping {
            dropping = !item.ends_with(';');
            continue;
        }
        if item.starts_with("///") || item.starts_with('@') {
            preamble.push_str(line);
            preamble.push('\n');
            continue;
        }
        if preamble.contains("@deprecated") {
            preamble.clear();
            dropping = !item.ends_with(';');
            continue;
        }
        out.push_str(&preamble);
        preamble.clear();
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The interfaces the contract's world offers a new plugin: its imports but the deprecated.
pub(super) fn offered() -> Vec<String> {
    without_deprecated(contract::FILES[0].1)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("import ")?.strip_suffix(';'))
        .map(String::from)
        .collect()
}

fn world(name: &str, capabilities: &[String]) -> String {
    let version = contract::version();
    let offered = offered();
    let mut text = format!("package local:{name};\n\nworld {name} {{\n");
    for capability in capabilities {
        for interface in openclaw_runtime::capability_interfaces(capability) {
            if offered.iter().any(|o| o == interface) {
                text.push_str(&format!(
                    "    import openclaw:plugin/{interface}@{version};\n"
                ));
            }
        }
    }
    text.push_str(&format!(
        "    export openclaw:plugin/plugin@{version};\n}}\n"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_world_imports_only_what_the_project_lists() {
        let version = contract::version();
        assert!(version.starts_with("0.1."), "{version}");
        let text = world("my-plugin", &["log".into(), "exec".into()]);
        assert_eq!(
            text,
            format!(
                "package local:my-plugin;\n\nworld my-plugin {{\n    import openclaw:plugin/log@{version};\n    import openclaw:plugin/exec@{version};\n    export openclaw:plugin/plugin@{version};\n}}\n"
            )
        );
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "p", &["exec".into()]).unwrap();
        let exec =
            std::fs::read_to_string(dir.path().join("deps/openclaw-plugin/exec.wit")).unwrap();
        assert!(exec.contains("run: func"), "{exec}");
        assert!(
            !exec.contains("approvals-"),
            "deprecated items are left out: {exec}"
        );
        assert!(!exec.contains("@deprecated"), "{exec}");
        let browser = world("b", &["browser-automation".into()]);
        for interface in ["tabs", "page", "downloads", "files"] {
            let line = format!("import openclaw:plugin/browser-{interface}@{version};");
            assert!(browser.contains(&line), "{browser}");
        }
        assert!(
            !browser.contains("browser-automation@"),
            "the deprecated interface is left out: {browser}"
        );
        let err = write(dir.path(), "p", &["net".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown capability \"net\""), "{err}");
    }
}
