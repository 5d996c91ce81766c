//! The Python and JavaScript SDKs' examples, built from this repo's source with
//! `openclaw plugins build`: each imports `exec` (its `which`), is refused while the operator
//! has not granted it, and with the grant answers through `openclaw up`'s gateway.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use openclaw_test_support::gateway::*;
use serde_json::Value;

use crate::cli::{start_up, up_invoke};
use crate::first_plugin::run;

/// Copies an SDK's source (what a clone holds: no installs, builds or outputs).
fn copy_source(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let left_out = [
            "node_modules",
            ".openclaw",
            "__pycache__",
            "package-lock.json",
        ];
        if left_out.contains(&name.as_str()) || name.ends_with(".wasm") {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_source(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_and_js_examples_use_exec_where_granted() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    openclaw_files::private_dir(&state).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sdks = home.path().join("sdk");
    let openclaw = || {
        let mut command = Command::new(bin());
        command.env("OPENCLAW_STATE_DIR", &state);
        command
    };
    let examples = [("python", "which-py"), ("js", "which-js")];
    let grant = |capabilities: &str| {
        let grants = examples
            .iter()
            .map(|(_, name)| format!("[plugins.{name}]\ncapabilities = [{capabilities}]\n"))
            .collect::<String>();
        openclaw_files::write_atomically(&state.join("plugin-grants.toml"), grants.as_bytes())
            .unwrap();
    };
    grant(r#""log""#);
    let mut wasm_files = Vec::new();
    for (lang, name) in examples {
        copy_source(&repo.join("sdk").join(lang), &sdks.join(lang));
        let project = sdks.join(lang).join("examples").join(name);
        let started = Instant::now();
        let built = run(openclaw().arg("plugins").arg("build").arg(&project));
        assert!(built.contains(&format!("{name}.wasm")), "{built}");
        let wasm = project.join(format!("{name}.wasm"));
        eprintln!(
            "example {name}: built in {:.1} s, {} KiB",
            started.elapsed().as_secs_f64(),
            std::fs::metadata(&wasm).unwrap().len().div_ceil(1024)
        );

        // Granted `log` but not `exec`, it does not load, and the refusal says so.
        let refused = openclaw()
            .args(["plugins", "invoke"])
            .arg(&wasm)
            .args([&format!("{name}.which"), r#"{"bins":["sh"]}"#])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{name} ran ungranted");
        assert!(
            stderr.contains(&format!(
                "plugin {name} imports capability `exec`, which is not granted to it"
            )),
            "{stderr}"
        );
        wasm_files.push((name, wasm));
    }

    grant(r#""log", "exec""#);
    let (_up, url, state, plugins) = start_up(home.path(), "sdk-node");
    for (name, wasm) in &wasm_files {
        std::fs::copy(wasm, plugins.join(format!("{name}.wasm"))).unwrap();
    }
    for (_, name) in examples {
        let command = format!("{name}.which");
        let deadline = Instant::now() + Duration::from_secs(90);
        let answer = loop {
            let out = up_invoke(
                &url,
                &state,
                "sdk-node",
                &command,
                r#"{"bins":["sh","no-such-program-x"]}"#,
            );
            if out.status.success() {
                break serde_json::from_slice::<Value>(&out.stdout).unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let found = answer["payload"]["bins"].as_object().expect("bins");
        assert!(found["sh"].as_str().unwrap().ends_with("/sh"), "{answer}");
        assert_eq!(found.len(), 1, "only what is on PATH: {answer}");

        // A failure raised in the plugin reaches the operator with its code.
        let refused = up_invoke(&url, &state, "sdk-node", &command, r#"{"bins":[]}"#);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success());
        assert!(
            stderr.contains("INVALID_REQUEST: bins must not be empty"),
            "{stderr}"
        );
        let bad = up_invoke(&url, &state, "sdk-node", &command, r#"{"bins":"sh"}"#);
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert!(stderr.contains("params.bins must be an array"), "{stderr}");
    }
}

/// What a hostile Python plugin tries to keep between calls: its module's state and 8 MiB
/// of secrets on the interpreter's heap.
const RECALL_PY: &str = r##"import json

from openclaw_plugin import Plugin

plugin = Plugin(caps=["recall-py"])
SEEN = []


@plugin.command("recall-py.recall", "Answers what it remembers of earlier calls")
def recall(_call, params: dict) -> dict:
    before = [s[:24] for s in SEEN]
    SEEN.append(json.dumps(params) + "#" * (8 << 20))
    return {"calls": len(SEEN), "before": before}
"##;

/// An interpreter's instance is the largest a node host makes ahead of a call and resets in
/// place after one; through a running node, in sequence and at once, no call of a Python
/// plugin finds what an earlier one left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_plugin_keeps_nothing_between_calls_through_the_node() {
    let home = tempfile::tempdir().unwrap();
    let (_up, url, state, plugins) = start_up(home.path(), "recall-node");
    let openclaw = || {
        let mut command = Command::new(bin());
        command
            .env("OPENCLAW_STATE_DIR", &state)
            .current_dir(home.path());
        command
    };
    run(openclaw().args(["plugins", "new", "recall-py", "--lang", "python"]));
    let project = home.path().join("recall-py");
    std::fs::write(project.join("plugin.py"), RECALL_PY).unwrap();
    run(openclaw().args(["plugins", "build", "recall-py"]));
    let wasm = project.join("recall-py.wasm");
    // Compiled here into the node's cache, so the node loads it at once.
    let local = run(openclaw()
        .args(["plugins", "invoke"])
        .arg(&wasm)
        .args(["recall-py.recall", r#"{"secret":0}"#]));
    assert!(local.contains("\"calls\": 1"), "{local}");
    std::fs::copy(&wasm, plugins.join("recall-py.wasm")).unwrap();

    let recall = |n: usize| {
        let params = format!(r#"{{"secret":{n}}}"#);
        let out = up_invoke(&url, &state, "recall-node", "recall-py.recall", &params);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["payload"].clone()
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    while !up_invoke(&url, &state, "recall-node", "recall-py.recall", "{}")
        .status
        .success()
    {
        assert!(Instant::now() < deadline, "recall-py never answered");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let fresh = serde_json::json!({"calls": 1, "before": []});
    for n in 1..=8 {
        assert_eq!(recall(n), fresh, "call {n}");
        if n % 2 == 0 {
            // Spaced, so that the next call takes an instance made ahead of it.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let together: Vec<Value> = std::thread::scope(|s| {
        let calls: Vec<_> = (10..13).map(|n| s.spawn(move || recall(n))).collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for answer in together {
        assert_eq!(answer, fresh);
    }
}
