//! A newcomer's first plugin, the README's loop: `plugins new`, the project's own test,
//! `plugins build`, `plugins invoke`, then dropped into `openclaw up`'s plugins dir, where its
//! command answers through the gateway. The time it takes is printed for the README.

use std::process::Command;
use std::time::{Duration, Instant};

use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

use crate::cli::{start_up, up_invoke};

fn run(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_plugin_answers_through_up() {
    let home = tempfile::tempdir().unwrap();
    let (_up, url, state, plugins) = start_up(home.path(), "first-node");
    let work = home.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let openclaw = || {
        let mut command = Command::new(bin());
        command.env("OPENCLAW_STATE_DIR", &state).current_dir(&work);
        command
    };

    let started = Instant::now();
    let created = run(openclaw().args(["plugins", "new", "hello"]));
    assert!(created.contains("Created hello (rust)"), "{created}");
    let refused = openclaw()
        .args(["plugins", "new", "hello"])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "an existing project is kept");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists"));

    // The project passes its own test.
    let project = work.join("hello");
    let tested = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .arg("test")
        .current_dir(&project)
        .output()
        .unwrap();
    assert!(
        tested.status.success(),
        "{}",
        String::from_utf8_lossy(&tested.stderr)
    );
    let after_test = started.elapsed();

    let built = run(openclaw().args(["plugins", "build", "hello"]));
    let wasm = project.join("hello.wasm");
    assert!(built.contains("Built hello/hello.wasm"), "{built}");
    let local = run(openclaw().args([
        "plugins",
        "invoke",
        "hello/hello.wasm",
        "hello.greet",
        r#"{"name":"Ada"}"#,
    ]));
    assert_eq!(
        serde_json::from_str::<Value>(&local).unwrap(),
        json!({"greeting": "Hello, Ada!"})
    );

    // Dropped into up's plugins dir, it answers through the gateway.
    std::fs::copy(&wasm, plugins.join("hello.wasm")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let answer = loop {
        let out = up_invoke(
            &url,
            &state,
            "first-node",
            "hello.greet",
            r#"{"name":"Ada"}"#,
        );
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).into_owned();
        }
        assert!(
            Instant::now() < deadline,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(answer.contains("Hello, Ada!"), "{answer}");
    eprintln!(
        "first plugin: new + own test {:.1} s, answering through up {:.1} s after `plugins new`; hello.wasm {} KiB",
        after_test.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&wasm).unwrap().len().div_ceil(1024)
    );
}
