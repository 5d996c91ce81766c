//! Every released contract stays loadable: a plugin built against each version's frozen copy
//! (`wit/released/<version>.wit`) loads beside the others, imports every interface that
//! version has, and answers through each of them.

use std::path::Path;

use serde_json::{json, Value};

use openclaw_test_support::fixtures::named;

use super::*;

/// The capability interfaces each released version has.
fn interfaces_of(version: &str) -> Vec<&'static str> {
    let mut all = vec![
        "log", "exec", "browser", "location", "notify", "screen", "camera",
    ];
    let added = [
        ("0.1.1", "exec-approvals"),
        ("0.1.2", "fs"),
        ("0.1.3", "uploads"),
        ("0.1.5", "browser-automation"),
        ("0.1.9", "mcp"),
    ];
    let number = semver::Version::parse(version).unwrap();
    for (since, capability) in added {
        if number >= semver::Version::parse(since).unwrap() {
            all.push(capability);
        }
    }
    all.sort();
    all
}

/// The capabilities a probe of `version` needs: its interfaces, and `exec-approvals` for
/// 0.1.0 too, whose `exec` edits the approvals.
fn capabilities_of(version: &str) -> Vec<&'static str> {
    let mut all = interfaces_of(version);
    if !all.contains(&"exec-approvals") {
        all.push("exec-approvals");
        all.sort();
    }
    all
}

fn released_versions() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/released");
    let mut versions: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    versions.sort_by_key(|v| semver::Version::parse(v).unwrap());
    versions
}

fn command(version: &str, action: &str) -> String {
    format!("released{}.{action}", version.replace('.', ""))
}

/// The interfaces a probe of `version` is asked to call: the cheap ones it has, for a version
/// before `exec-approvals` the deprecated `exec.approvals-get`, and from 0.1.8 the split
/// automation browser.
fn touched(version: &str) -> Vec<&'static str> {
    let has = interfaces_of(version);
    let mut touched = vec!["log", "exec", "screen", "camera"];
    touched.extend(
        ["fs", "exec-approvals"]
            .into_iter()
            .filter(|c| has.contains(c)),
    );
    let split = semver::Version::parse(version).unwrap() >= semver::Version::new(0, 1, 8);
    if split {
        touched.extend([
            "browser-tabs",
            "browser-page",
            "browser-downloads",
            "browser-files",
        ]);
    } else if has.contains(&"browser-automation") {
        touched.push("browser-automation");
    }
    if has.contains(&"mcp") {
        touched.push("mcp");
    }
    if !has.contains(&"exec-approvals") {
        touched.push("exec-legacy");
    }
    touched
}

#[tokio::test]
pub(crate) async fn a_plugin_built_against_every_released_contract_loads_and_answers() {
    let versions = released_versions();
    assert!(versions.len() >= 8, "{versions:?}");
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let mut toml = String::new();
    for version in &versions {
        let name = format!("released-{}", version.replace('.', "-"));
        // A release without its fixture fails here.
        std::fs::copy(named(&name).path(), plugins.join(format!("{name}.wasm"))).unwrap();
        let granted = capabilities_of(version);
        toml.push_str(&format!("[plugins.{name}]\ncapabilities = {granted:?}\n"));
    }
    let host = PluginHost::new(None, grants(&dir, &toml), services(&dir), Vec::new()).unwrap();
    let errors = host.load_all(Some(&plugins)).await;
    assert!(errors.is_empty(), "{errors:?}");

    let set = host.current();
    for version in &versions {
        let name = format!("released-{}", version.replace('.', "-"));
        let plugin = set.plugins().find(|p| *p.name == name).unwrap();
        let mut imported = plugin.capabilities.clone();
        imported.sort();
        assert_eq!(imported, capabilities_of(version), "{version}");
        let wasm = std::fs::read(named(&name).path()).unwrap();
        let seen = host
            .inspect(&name, &named(&name).path(), &wasm)
            .await
            .unwrap();
        assert_eq!(seen.contract, Some(format!("openclaw:plugin@{version}")));

        let answer = host
            .invoke(&call(), &command(version, "version"), None, SECOND * 5)
            .await
            .unwrap();
        assert_eq!(answer, json!({"contract": version}).to_string());

        let touched = touched(version);
        let params = json!(touched).to_string();
        let answer = host
            .invoke(
                &call(),
                &command(version, "touch"),
                Some(&params),
                SECOND * 5,
            )
            .await
            .unwrap_or_else(|e| panic!("{version}: {e:?}"));
        let answers: Vec<String> = serde_json::from_str(&answer).unwrap();
        assert_eq!(answers.len(), touched.len(), "{version}: {answers:?}");
        let which = &answers[touched.iter().position(|t| *t == "exec").unwrap()];
        assert!(which.contains("\"sh\""), "{version}: {which}");
        if let Some(i) = touched.iter().position(|t| *t == "mcp") {
            // This host runs no MCP servers: the capability says so.
            assert_eq!(answers[i], "MCP_SERVER_UNAVAILABLE", "{version}");
        }
        for edited in ["exec-approvals", "exec-legacy"] {
            if let Some(i) = touched.iter().position(|t| *t == edited) {
                let approvals: Value = serde_json::from_str(&answers[i]).unwrap();
                assert!(approvals.get("hash").is_some(), "{version}: {approvals}");
            }
        }
    }
}
