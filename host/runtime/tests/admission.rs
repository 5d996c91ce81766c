//! Admission: at most `MAX_CALLS_IN_FLIGHT` invokes run at once, in all plugins; the next is
//! refused at once with a clear error, and the slots come back when the calls end. In a test
//! binary of its own: the limit is the process's, and other tests would see it taken.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openclaw_browser::{BrowserOptions, NodeBrowser};
use openclaw_hardware::location::{Location, LocationOptions};
use openclaw_runtime::engine::{CALL_PERMITS, MAX_CALLS_IN_FLIGHT};
use openclaw_runtime::grants::Grants;
use openclaw_runtime::{Call, ExecContext, PluginHost, Services};
use openclaw_test_support::fixtures::RUNNER;

fn call() -> Call {
    Call {
        invoke_id: "inv-1".into(),
        node_id: "node-1".into(),
        timeout_ms: 1000,
        idempotency_key: None,
    }
}

/// The runner fixture, allowed to run anything: its calls wait on a process, not a core.
async fn runner_host(dir: &tempfile::TempDir) -> PluginHost {
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::copy(RUNNER.path(), plugins.join("runner.wasm")).unwrap();
    let grants_path = dir.path().join("grants.toml");
    std::fs::write(
        &grants_path,
        "[plugins.runner]\ncapabilities = [\"exec\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("exec-approvals.json"),
        r#"{"version":1,"defaults":{"security":"full","ask":"off"}}"#,
    )
    .unwrap();
    let services = Services::new(
        ExecContext::new(dir.path().join("exec-approvals.json"), None),
        NodeBrowser::new(BrowserOptions {
            executable: None,
            profile_dir: dir.path().join("browser-profile"),
            control_url: None,
            canvas_files: openclaw_browser::target::CanvasFiles {
                root: dir.path().join("canvas"),
                private: vec![dir.path().to_path_buf()],
            },
        }),
        Location::new(LocationOptions::default()),
    );
    let grants = Grants::load(&grants_path).unwrap();
    let host = PluginHost::new(None, grants, services, Vec::new()).unwrap();
    let errors = host.load_all(Some(&plugins)).await;
    assert!(errors.is_empty(), "{errors:?}");
    host
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_beyond_the_limit_is_refused_at_once_and_the_slots_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(runner_host(&dir).await);
    let long = Some(r#"{"argv": ["sleep", "30"]}"#);
    let mut running = Vec::new();
    for _ in 0..MAX_CALLS_IN_FLIGHT {
        let host = host.clone();
        running.push(tokio::spawn(async move {
            host.invoke(&call(), "runner.argv", long, Duration::from_secs(60))
                .await
        }));
    }
    let started = Instant::now();
    while CALL_PERMITS.available_permits() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the calls never all started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let quick = Some(r#"{"argv": ["true"]}"#);
    let refused = host
        .invoke(&call(), "runner.argv", quick, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "UNAVAILABLE");
    assert_eq!(
        refused.message,
        format!("plugin runner is busy ({MAX_CALLS_IN_FLIGHT} calls in flight)")
    );

    // Ending the calls (their callers went away) gives every slot back.
    for call in &running {
        call.abort();
    }
    let started = Instant::now();
    while CALL_PERMITS.available_permits() < MAX_CALLS_IN_FLIGHT {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "slots never came back"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ok = host
        .invoke(&call(), "runner.argv", quick, Duration::from_secs(5))
        .await
        .expect("admitted again once the calls ended");
    assert!(ok.contains("\"exitCode\":0"), "{ok}");
}
