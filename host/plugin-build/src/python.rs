//! Python plugin projects: the template `plugins new --lang python` writes, and the build, which
//! runs componentize-py from a venv inside the project (`.openclaw/venv`, made and checked by
//! `python_venv`), so nothing is installed globally. componentize-py snapshots the interpreter
//! after the plugin module is imported, so each call starts from an initialised instance.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use super::{fail_unless_ok, python_venv, world, Project};

const PYPROJECT: &str = r#"[project]
name = "__NAME__"
version = "0.1.0"
requires-python = ">=3.10"

[tool.openclaw]
# The capabilities plugin.py imports (log, exec, fs, ...); the operator must grant each.
capabilities = []
# The SDK the plugin builds with.
sdk = ".openclaw/sdk"
"#;

const PLUGIN_PY: &str = r#""""__NAME__: a plugin for the OpenClaw node host."""

from dataclasses import dataclass

from openclaw_plugin import Call, Failure, Plugin

plugin = Plugin(caps=["__NAME__"])


@dataclass
class Greet:
    name: str


@plugin.command("__NAME__.greet", "Greets someone by name")
def greet(_call: Call, params: Greet) -> dict:
    name = params.name.strip()
    if not name:
        raise Failure.invalid("name must not be empty")
    return {"greeting": f"Hello, {name}!"}
"#;

const TESTS_INIT_PY: &str = r#"# The project's SDK, for `python3 -m unittest` run in the project dir.
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / ".openclaw" / "sdk"))
"#;

const TEST_PY: &str = r#"import json
import unittest

from openclaw_plugin import Call, Failure, code
from plugin import plugin


class Greet(unittest.TestCase):
    def test_greets_by_name(self):
        answer = plugin.invoke(Call.local(), "__NAME__.greet", '{"name": "Ada"}')
        self.assertEqual(json.loads(answer), {"greeting": "Hello, Ada!"})
        with self.assertRaises(Failure) as refused:
            plugin.invoke(Call.local(), "__NAME__.greet", '{"name": " "}')
        self.assertEqual(refused.exception.code, code.INVALID_REQUEST)
"#;

const README_MD: &str = r#"# __NAME__

A plugin for the OpenClaw node host, in Python.

```sh
python3 -m unittest                                     # its own test
openclaw plugins build .                                # -> __NAME__.wasm
openclaw plugins invoke __NAME__.wasm __NAME__.greet '{"name":"Ada"}'
cp __NAME__.wasm ../plugins/                            # live on `openclaw up`'s node
```

The first build makes `.openclaw/venv` with componentize-py. The SDK is in `.openclaw/sdk`.
A capability (`from openclaw_plugin import exec`) must be listed in pyproject.toml's
`[tool.openclaw] capabilities`.
"#;

const GITIGNORE: &str = "/*.wasm\n/.openclaw/venv/\n/.openclaw/build/\n__pycache__/\n";

/// The project's files, by path inside it (`__NAME__` and `__MODULE__` are filled in).
pub const TEMPLATE: &[(&str, &str)] = &[
    ("pyproject.toml", PYPROJECT),
    ("plugin.py", PLUGIN_PY),
    ("tests/__init__.py", TESTS_INIT_PY),
    ("tests/test___MODULE__.py", TEST_PY),
    ("README.md", README_MD),
    (".gitignore", GITIGNORE),
];

/// The name, capabilities and SDK dir pyproject.toml declares.
pub fn project(dir: &Path) -> Result<Project> {
    let path = dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let doc: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let name = doc
        .get("project")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .with_context(|| format!("{} names no [project] name", path.display()))?;
    let openclaw = doc.get("tool").and_then(|t| t.get("openclaw"));
    let capabilities = match openclaw.and_then(|o| o.get("capabilities")) {
        None => Vec::new(),
        Some(list) => list.clone().try_into().with_context(|| {
            format!(
                "[tool.openclaw] capabilities in {} must be a list of names",
                path.display()
            )
        })?,
    };
    let sdk = openclaw
        .and_then(|o| o.get("sdk"))
        .and_then(|s| s.as_str())
        .unwrap_or(".openclaw/sdk");
    Project::new(dir, name, capabilities, dir.join(sdk))
}

/// Builds `plugin.py` into the component `out`, in the work dir `work`.
pub fn build(project: &Project, work: &Path, out: &Path) -> Result<()> {
    let wit = work.join("wit");
    world::write(&wit, &project.name, &project.capabilities)?;
    // The module componentize-py exports: the class it instantiates, made from `plugin`.
    let app = work.join("app");
    std::fs::create_dir_all(&app)?;
    std::fs::write(
        app.join("openclaw_entry.py"),
        "from openclaw_plugin.component import export\nfrom plugin import plugin\n\nPlugin = export(plugin)\n",
    )?;
    let tool = python_venv::componentize_py(&project.dir)?;
    let mut command = Command::new(&tool);
    command
        .arg("-d")
        .arg(&wit)
        .args(["-w", &project.name, "componentize", "openclaw_entry"])
        .arg("-p")
        .arg(&app)
        .arg("-p")
        .arg(&project.dir)
        .arg("-p")
        .arg(&project.sdk)
        .arg("-o")
        .arg(out)
        // A failed import is reported as Python's traceback, without Rust's below it.
        .env_remove("RUST_BACKTRACE")
        // Nothing is written into the venv, which must stay as it was made (`python_venv`).
        .env("PYTHONDONTWRITEBYTECODE", "1");
    fail_unless_ok(&mut command, "componentize-py")
}
