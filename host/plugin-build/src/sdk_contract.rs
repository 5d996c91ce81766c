//! The Python and JavaScript SDKs against the contract this binary serves: their packages
//! carry its version, and each capability module offers exactly its interface's functions,
//! but the deprecated ones. A contract change that the SDKs did not follow fails here.

use openclaw_runtime::contract;

use super::sdk_files::{JS, PYTHON};
use super::world::without_deprecated;

#[test]
fn the_world_offers_the_split_browser_not_the_deprecated_whole() {
    let offered = super::world::offered();
    let has = |name: &str| offered.iter().any(|o| o == name);
    assert!(has("browser-tabs"), "{offered:?}");
    assert!(!has("browser-automation"), "{offered:?}");
    assert!(has("log") && !has("plugin"), "{offered:?}");
}

/// Each interface the world offers a new plugin, by file stem, with its functions (WIT names)
/// but the deprecated ones.
fn interfaces() -> Vec<(&'static str, Vec<String>)> {
    let offered = super::world::offered();
    let mut found = Vec::new();
    for (file, text) in contract::FILES {
        let interface = file.trim_end_matches(".wit");
        if !offered.iter().any(|o| o == interface) {
            continue;
        }
        let mut functions: Vec<String> = without_deprecated(text)
            .lines()
            .filter_map(|l| l.strip_prefix("    ")?.split_once(": func"))
            .map(|(name, _)| name.to_string())
            .collect();
        functions.sort();
        found.push((interface, functions));
    }
    found
}

fn camel(name: &str) -> String {
    let mut parts = name.split('-');
    let mut out = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let mut chars = part.chars();
        out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        out.push_str(chars.as_str());
    }
    out
}

fn carried<'a>(files: &'a [(&str, &str)], path: &str) -> &'a str {
    files
        .iter()
        .find(|(p, _)| *p == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .1
}

#[test]
fn each_js_module_offers_its_interface_at_the_contract_version() {
    let package: serde_json::Value = serde_json::from_str(carried(JS, "package.json")).unwrap();
    assert_eq!(
        package["version"],
        contract::version(),
        "sdk/js/package.json"
    );
    for (interface, functions) in interfaces() {
        let text = carried(JS, &format!("{interface}.js"));
        let from = format!(
            " from 'openclaw:plugin/{interface}@{}';",
            contract::version()
        );
        assert!(
            text.contains(&from),
            "sdk/js/{interface}.js imports nothing{from}"
        );
        // The bindings it names (`{ ... } from`; not the `import * as raw from` its wrappers
        // call), and its own wrappers.
        let parts: Vec<&str> = text.split(&from).collect();
        let passed: Vec<String> = parts[..parts.len() - 1]
            .iter()
            .filter_map(|part| {
                let names = part.rfind('{')?;
                (part.rfind("import * as").is_none_or(|all| all < names))
                    .then(|| part[names + 1..].trim_end_matches([' ', '}']))
            })
            .flat_map(|names| names.split(','))
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        let wrapped: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("export function ")?.split_once('('))
            .map(|(name, _)| name.to_string())
            .collect();
        let expected: Vec<String> = functions.iter().map(|f| camel(f)).collect();
        offers_exactly(
            &expected,
            &passed,
            &wrapped,
            &format!("sdk/js/{interface}.js"),
        );
    }
}

/// Every function of the interface is offered, and nothing passed on as a binding is not one
/// of them (a wrapper may add helpers).
fn offers_exactly(expected: &[String], passed: &[String], wrapped: &[String], module: &str) {
    for function in expected {
        assert!(
            passed.contains(function) || wrapped.contains(function),
            "{module} does not offer {function}"
        );
    }
    for name in passed {
        assert!(
            expected.contains(name),
            "{module} passes on {name}, not in the contract"
        );
    }
}

#[test]
fn each_python_module_offers_its_interface_at_the_contract_version() {
    let project: toml::Value = toml::from_str(carried(PYTHON, "pyproject.toml")).unwrap();
    assert_eq!(
        project["project"]["version"].as_str(),
        Some(contract::version()),
        "sdk/python/pyproject.toml"
    );
    for (interface, functions) in interfaces() {
        let module = interface.replace('-', "_");
        let text = carried(PYTHON, &format!("openclaw_plugin/{module}.py"));
        let imported = format!("from wit_world.imports.{module} import ");
        let mut passed: Vec<String> = Vec::new();
        let mut wrapped: Vec<String> = Vec::new();
        for line in text.lines() {
            if let Some((_, name)) = line
                .split_once(" = _wit.")
                .or_else(|| line.split_once(" = raw."))
            {
                passed.push(name.to_string());
            } else if let Some((name, _)) =
                line.strip_prefix("def ").and_then(|l| l.split_once('('))
            {
                wrapped.push(name.to_string());
            } else if let Some(names) = line.trim().strip_prefix(&imported) {
                passed.extend(names.split(',').map(|n| n.trim().to_string()));
            }
        }
        // Capitalized names are types.
        passed.retain(|n| n.starts_with(|c: char| c.is_ascii_lowercase()));
        let expected: Vec<String> = functions.iter().map(|f| f.replace('-', "_")).collect();
        offers_exactly(
            &expected,
            &passed,
            &wrapped,
            &format!("sdk/python/openclaw_plugin/{module}.py"),
        );
    }
}
