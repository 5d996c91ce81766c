//! JavaScript plugin projects: the template `plugins new --lang js` writes, and the build, which
//! installs the project's own dependencies (`npm install`, into its `node_modules`) and runs
//! the SDK's build script: a bundle of the entry module, componentized by componentize-js.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::Value;

use super::{fail_unless_ok, world, Project};

const PACKAGE_JSON: &str = r#"{
  "name": "__NAME__",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "main": "plugin.js",
  "scripts": {
    "test": "node --test"
  },
  "openclaw": {
    "capabilities": []
  },
  "dependencies": {
    "@openclaw/plugin-sdk": "file:.openclaw/sdk"
  },
  "devDependencies": {
    "@bytecodealliance/componentize-js": "0.23.0",
    "@bytecodealliance/preview2-shim": "0.25.0",
    "rolldown": "1.3.3"
  }
}
"#;

const PLUGIN_JS: &str = r#"// __NAME__: a plugin for the OpenClaw node host.
import { Failure, Plugin } from '@openclaw/plugin-sdk';

export const plugin = new Plugin({ caps: ['__NAME__'] }).command(
  '__NAME__.greet',
  'Greets someone by name',
  { name: 'string' },
  (_call, { name }) => {
    const trimmed = name.trim();
    if (!trimmed) throw Failure.invalid('name must not be empty');
    return { greeting: `Hello, ${trimmed}!` };
  },
);
"#;

const TEST_JS: &str = r#"import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Call, Failure, code } from '@openclaw/plugin-sdk';
import { plugin } from './plugin.js';

test('greets by name', () => {
  const answer = plugin.invoke(Call.local(), '__NAME__.greet', '{"name": "Ada"}');
  assert.deepEqual(JSON.parse(answer), { greeting: 'Hello, Ada!' });
  assert.throws(
    () => plugin.invoke(Call.local(), '__NAME__.greet', '{"name": " "}'),
    (e) => e instanceof Failure && e.code === code.INVALID_REQUEST,
  );
});
"#;

const README_MD: &str = r#"# __NAME__

A plugin for the OpenClaw node host, in JavaScript.

```sh
npm install && npm test                                 # its own test
openclaw plugins build .                                # -> __NAME__.wasm
openclaw plugins invoke __NAME__.wasm __NAME__.greet '{"name":"Ada"}'
cp __NAME__.wasm ../plugins/                            # live on `openclaw up`'s node
```

The SDK is in `.openclaw/sdk`. A capability (`import * as exec from
'@openclaw/plugin-sdk/exec'`) must be listed in package.json's `openclaw.capabilities`.
Commands answer synchronously.
"#;

const GITIGNORE: &str = "/*.wasm\nnode_modules/\n/.openclaw/build/\n";

/// The project's files, by path inside it (`__NAME__` and `__MODULE__` are filled in).
pub const TEMPLATE: &[(&str, &str)] = &[
    ("package.json", PACKAGE_JSON),
    ("plugin.js", PLUGIN_JS),
    ("plugin.test.js", TEST_JS),
    ("README.md", README_MD),
    (".gitignore", GITIGNORE),
];

/// The name, capabilities and entry module package.json declares.
pub fn project(dir: &Path) -> Result<(Project, String)> {
    let path = dir.join("package.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let doc: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let name = doc["name"]
        .as_str()
        .with_context(|| format!("{} names no package name", path.display()))?;
    let capabilities = match &doc["openclaw"]["capabilities"] {
        Value::Null => Vec::new(),
        list => serde_json::from_value(list.clone()).with_context(|| {
            format!(
                "openclaw.capabilities in {} must be a list of names",
                path.display()
            )
        })?,
    };
    let entry = doc["main"].as_str().unwrap_or("plugin.js").to_string();
    let sdk = dir.join("node_modules/@openclaw/plugin-sdk");
    Ok((Project::new(dir, name, capabilities, sdk)?, entry))
}

/// Builds the entry module into the component `out`, in the work dir `work`.
pub fn build(project: &Project, entry: &str, work: &Path, out: &Path) -> Result<()> {
    install(&project.dir)?;
    let wit = work.join("wit");
    world::write(&wit, &project.name, &project.capabilities)?;
    let mut command = Command::new("node");
    command
        // The SDK is a link in the project's node_modules; its build script finds the
        // toolchain there, as the project's own dependencies, wherever the SDK lies.
        .args(["--preserve-symlinks", "--preserve-symlinks-main"])
        .arg(project.sdk.join("build.mjs"))
        .arg("--entry")
        .arg(project.dir.join(entry))
        .arg("--wit")
        .arg(&wit)
        .args(["--world", &project.name])
        .arg("--work")
        .arg(work)
        .arg("--out")
        .arg(out);
    fail_unless_ok(&mut command, "the build (node, Node.js 20+)")
}

/// `npm install` in the project, when its dependencies were never installed or package.json
/// changed since.
fn install(dir: &Path) -> Result<()> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(&dir.join("node_modules/.package-lock.json"));
    if installed.is_some() && installed >= modified(&dir.join("package.json")) {
        return Ok(());
    }
    println!("Installing the project's dependencies (npm install)");
    let mut npm = Command::new("npm");
    npm.args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir);
    fail_unless_ok(&mut npm, "npm install (is npm installed?)")
}
