//! A newcomer's first plugin, the README's loop, in each language: `plugins new`, the
//! project's own test, `plugins build`, `plugins invoke`, then dropped into `openclaw up`'s
//! plugins dir, where its command answers through the gateway. The time it takes is printed
//! for the README.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use openclaw_test_support::gateway::*;
use serde_json::{json, Value};

use crate::cli::{start_up, up_invoke};

pub(crate) fn run(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The project's own test, as its README says to run it.
fn own_test(lang: &str, project: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let steps: Vec<(&str, &[&str])> = match lang {
        "rust" => vec![(&cargo, &["test"])],
        "python" => vec![("python3", &["-m", "unittest"])],
        _ => vec![
            ("npm", &["install", "--no-audit", "--no-fund"]),
            ("npm", &["test"]),
        ],
    };
    for (program, args) in steps {
        run(Command::new(program).args(args).current_dir(project));
    }
}

async fn a_new_plugin_answers_through_up(lang: &str, name: &str) {
    let home = tempfile::tempdir().unwrap();
    let node = format!("first-{lang}");
    let (_up, url, state, plugins) = start_up(home.path(), &node);
    let work = home.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let openclaw = || {
        let mut command = Command::new(bin());
        command.env("OPENCLAW_STATE_DIR", &state).current_dir(&work);
        command
    };

    let started = Instant::now();
    let created = run(openclaw().args(["plugins", "new", name, "--lang", lang]));
    assert!(
        created.contains(&format!("Created {name} ({lang})")),
        "{created}"
    );
    let refused = openclaw()
        .args(["plugins", "new", name, "--lang", lang])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "an existing project is kept");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists"));

    // The project passes its own test.
    let project = work.join(name);
    own_test(lang, &project);
    let after_test = started.elapsed();

    let built = run(openclaw().args(["plugins", "build", name]));
    let wasm = project.join(format!("{name}.wasm"));
    assert!(
        built.contains(&format!("Built {name}/{name}.wasm")),
        "{built}"
    );
    let local = run(openclaw().args([
        "plugins",
        "invoke",
        &format!("{name}/{name}.wasm"),
        &format!("{name}.greet"),
        r#"{"name":"Ada"}"#,
    ]));
    assert_eq!(
        serde_json::from_str::<Value>(&local).unwrap(),
        json!({"greeting": "Hello, Ada!"})
    );

    // Dropped into up's plugins dir, it answers through the gateway.
    std::fs::copy(&wasm, plugins.join(format!("{name}.wasm"))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let command = format!("{name}.greet");
    let answer = loop {
        let out = up_invoke(&url, &state, &node, &command, r#"{"name":"Ada"}"#);
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
        "first plugin ({lang}): new + own test {:.1} s, answering through up {:.1} s after `plugins new`; {name}.wasm {} KiB",
        after_test.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&wasm).unwrap().len().div_ceil(1024)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_rust_plugin_answers_through_up() {
    a_new_plugin_answers_through_up("rust", "hello").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_python_plugin_answers_through_up() {
    a_new_plugin_answers_through_up("python", "hello-py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_js_plugin_answers_through_up() {
    a_new_plugin_answers_through_up("js", "hello-js").await;
}
