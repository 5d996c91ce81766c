//! The runtime against real components built from `tests/fixtures`.

mod fs_files;
mod fs_private;
mod fs_roots;
mod released;
mod sandbox;

use std::time::{Duration, Instant};

use openclaw_browser::{BrowserOptions, NodeBrowser};
use openclaw_hardware::location::{Location, LocationOptions};
use openclaw_runtime::grants::Grants;
use openclaw_runtime::{Call, ExecContext, LoadError, PluginError, PluginHost, Services};
use openclaw_test_support::fixtures::{
    Fixture, AUTHOR, ECHO, HOG, LOOPER, PEEKER, PUBLISHER, RECALL, RUNNER, SLOW_START, TAG_V1,
    TAG_V2, TRAPPER,
};

fn call() -> Call {
    Call {
        invoke_id: "inv-1".into(),
        node_id: "node-1".into(),
        timeout_ms: 1000,
        idempotency_key: None,
    }
}

fn grants(dir: &tempfile::TempDir, toml: &str) -> Grants {
    let path = dir.path().join("grants.toml");
    std::fs::write(&path, toml).unwrap();
    Grants::load(&path).unwrap()
}

fn services(dir: &tempfile::TempDir) -> Services {
    services_with(dir, None)
}

/// Exec approvals in `dir`, and a browser whose control requests go to `control_url`.
fn services_with(dir: &tempfile::TempDir, control_url: Option<String>) -> Services {
    Services::new(
        ExecContext::new(dir.path().join("exec-approvals.json"), None),
        NodeBrowser::new(BrowserOptions {
            executable: None,
            profile_dir: dir.path().join("browser-profile"),
            control_url,
            canvas_files: openclaw_browser::target::CanvasFiles {
                root: dir.path().join("canvas"),
                private: vec![dir.path().to_path_buf()],
            },
        }),
        Location::new(LocationOptions::default()),
    )
}

/// A host with `fixtures` copied into a plugins dir and all granted `log`.
async fn host_with(fixtures: &[Fixture]) -> (PluginHost, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let mut toml = String::new();
    for fixture in fixtures {
        let name = fixture.name;
        std::fs::copy(fixture, plugins.join(format!("{name}.wasm"))).unwrap();
        toml.push_str(&format!("[plugins.{name}]\ncapabilities = [\"log\"]\n"));
    }
    let host = PluginHost::new(None, grants(&dir, &toml), services(&dir), Vec::new()).unwrap();
    let errors = host.load_all(Some(&plugins)).await;
    assert!(errors.is_empty(), "{errors:?}");
    (host, dir)
}

/// The test that runs each fixture. A fixture without an entry here does not compile (as in
/// wasmtime's test-programs), so none is built and then forgotten.
mod fixture_tests {
    pub(crate) use super::a_memory_bomb_hits_the_cap_and_a_trap_fails_only_its_call as hog;
    pub(crate) use super::a_memory_bomb_hits_the_cap_and_a_trap_fails_only_its_call as trapper;
    pub(crate) use super::a_plugin_describes_itself_and_answers_with_fresh_instances as echo;
    pub(crate) use super::a_plugin_publishes_tools_for_its_own_commands_only as publisher;
    pub(crate) use super::a_plugin_slow_to_instantiate_keeps_an_instance_ready as slow_start;
    pub(crate) use super::a_plugin_written_the_authors_way_builds_and_answers as author;
    pub(crate) use super::an_infinite_loop_ends_at_the_deadline_and_the_host_carries_on as looper;
    pub(crate) use super::exec_without_a_grant_does_not_load_and_with_one_runs_under_the_approvals as runner;
    pub(crate) use super::fs_roots::links_and_dots_never_lead_out_of_a_root as lister;
    pub(crate) use super::no_call_finds_what_an_earlier_call_left_in_memory as recall;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_0;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_1;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_2;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_3;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_4;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_5;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_6;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_7;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_8;
    pub(crate) use super::released::a_plugin_built_against_every_released_contract_loads_and_answers as released_0_1_9;
    pub(crate) use super::reloading_swaps_versions_and_a_broken_file_leaves_the_old_one_serving as tag_v1;
    pub(crate) use super::reloading_swaps_versions_and_a_broken_file_leaves_the_old_one_serving as tag_v2;
    pub(crate) use super::sandbox::a_plugin_file_named_like_a_built_in_gets_none_of_its_grants as impostor;
    pub(crate) use super::sandbox::editing_the_approvals_needs_its_own_grant_even_for_0_1_0_plugins as approver;
    pub(crate) use super::sandbox::editing_the_approvals_needs_its_own_grant_even_for_0_1_0_plugins as legacy_approver;
    pub(crate) use super::the_browser_capability_needs_its_grant_and_stays_on_loopback as peeker;
}

macro_rules! tested {
    ($fixture:ident) => {
        #[allow(unused_imports)]
        use self::fixture_tests::$fixture as _;
    };
}
openclaw_test_support::for_each_fixture!(tested);

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_plugin_describes_itself_and_answers_with_fresh_instances() {
    let (host, _dir) = host_with(&[ECHO]).await;
    let set = host.current();
    assert_eq!(set.commands(), vec!["fixture.echo"]);
    assert_eq!(set.caps(), vec!["fixture"]);
    let plugin = set.plugins().next().unwrap();
    assert_eq!(plugin.capabilities, vec!["log"]);
    assert_eq!(
        plugin.surface.commands[0].summary,
        "Answers with its params"
    );
    for n in 0..3 {
        let params = format!("{{\"n\":{n}}}");
        let out = host
            .invoke(&call(), "fixture.echo", Some(&params), SECOND)
            .await
            .unwrap();
        assert_eq!(out, params);
    }
    let e = host
        .invoke(&call(), "fixture.echo", Some("{nope"), SECOND)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "INVALID_REQUEST",
            "INVALID_REQUEST: paramsJSON malformed JSON"
        )
    );
    let e = host
        .invoke(&call(), "no.such", None, SECOND)
        .await
        .unwrap_err();
    assert_eq!(e.message, "command not supported");
}

/// Instances are made ahead of their call and their memory slots are reset in place for the
/// next instance; neither may carry anything from one call to another. The fixture keeps a
/// counter in its data and a megabyte of the last params on its heap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_call_finds_what_an_earlier_call_left_in_memory() {
    let (host, _dir) = host_with(&[RECALL]).await;
    let recall = |n: usize| {
        let host = &host;
        async move {
            let params = format!("{{\"secret\":{n}}}");
            let out = host
                .invoke(&call(), "fixture.recall", Some(&params), SECOND)
                .await
                .unwrap();
            serde_json::from_str::<serde_json::Value>(&out).unwrap()
        }
    };
    let fresh = serde_json::json!({"calls": 1, "before": null});
    for n in 0..20 {
        assert_eq!(recall(n).await, fresh, "call {n}");
        if n % 5 == 0 {
            // Calls spaced out, so that a spare instance is waiting for the next.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let together = tokio::join!(recall(20), recall(21), recall(22), recall(23));
    for answer in [together.0, together.1, together.2, together.3] {
        assert_eq!(answer, fresh);
    }
}

#[tokio::test]
async fn an_ungranted_capability_fails_the_load_with_the_line_to_add() {
    let dir = tempfile::tempdir().unwrap();
    let host = PluginHost::new(None, grants(&dir, ""), services(&dir), Vec::new()).unwrap();
    let err = host.load_file("echo", &ECHO.path()).await.unwrap_err();
    let PluginError::Load(LoadError::NotGranted {
        plugin, capability, ..
    }) = &err
    else {
        panic!("{err}")
    };
    assert_eq!((plugin.as_str(), capability.as_str()), ("echo", "log"));
    let text = err.to_string();
    assert!(
        text.contains("add `capabilities = [\"log\"]` under `[plugins.echo]` in ")
            && text.contains("grants.toml"),
        "{text}"
    );
    assert!(host.current().commands().is_empty());
}

#[tokio::test]
async fn exec_without_a_grant_does_not_load_and_with_one_runs_under_the_approvals() {
    let dir = tempfile::tempdir().unwrap();
    let host = PluginHost::new(None, grants(&dir, ""), services(&dir), Vec::new()).unwrap();
    let err = host.load_file("runner", &RUNNER.path()).await.unwrap_err();
    assert!(err.to_string().starts_with("plugin runner imports capability `exec`, which is not granted to it; add `capabilities = [\"exec\"]` under `[plugins.runner]`"), "{err}");

    let host = PluginHost::new(
        None,
        grants(&dir, "[plugins.runner]\ncapabilities = [\"exec\"]\n"),
        services(&dir),
        Vec::new(),
    )
    .unwrap();
    host.load_file("runner", &RUNNER.path()).await.unwrap();
    assert_eq!(
        host.invoke(&call(), "runner.id", None, SECOND * 5)
            .await
            .unwrap(),
        r#"{"exitCode":0}"#
    );
    // The host's policy holds for every plugin: deny means deny.
    std::fs::write(
        dir.path().join("exec-approvals.json"),
        r#"{"version":1,"defaults":{"security":"deny"}}"#,
    )
    .unwrap();
    let e = host
        .invoke(&call(), "runner.id", None, SECOND * 5)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("SYSTEM_RUN_DENIED", "SYSTEM_RUN_DISABLED: security=deny")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_plugin_under_load_fails_no_invoke() {
    let dir = tempfile::tempdir().unwrap();
    let host = std::sync::Arc::new(
        PluginHost::new(None, grants(&dir, ""), services(&dir), Vec::new()).unwrap(),
    );
    let path = dir.path().join("tag.wasm");
    std::fs::copy(TAG_V1.path(), &path).unwrap();
    host.load_file("tag", &path).await.unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let (host, stop) = (host.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut ok, mut failed) = (0u32, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match host.invoke(&call(), "fixture.tag", None, SECOND).await {
                        Ok(_) => ok += 1,
                        Err(e) => failed.push(e.message),
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    for round in 0..20 {
        let version = if round % 2 == 0 { TAG_V2 } else { TAG_V1 };
        std::fs::copy(version, &path).unwrap();
        host.load_file("tag", &path).await.unwrap();
    }
    let last = host
        .invoke(&call(), "fixture.tag", None, SECOND)
        .await
        .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for caller in callers {
        let (ok, failed) = caller.await.unwrap();
        assert!(failed.is_empty(), "{failed:?}");
        total += ok;
    }
    assert!(total > 20, "invokes ran during the reloads ({total})");
    assert_eq!(last, r#"{"version":"v1"}"#, "the 20th load (v1) serves");
}

#[tokio::test]
async fn an_infinite_loop_ends_at_the_deadline_and_the_host_carries_on() {
    let (host, _dir) = host_with(&[LOOPER]).await;
    let e = host
        .invoke(&call(), "looper.spin", None, Duration::from_millis(200))
        .await
        .unwrap_err();
    assert_eq!(e.code, "TIMEOUT");
    assert_eq!(e.message, "plugin looper did not finish within 200 ms");
    assert_eq!(
        host.invoke(&call(), "looper.ok", None, SECOND)
            .await
            .unwrap(),
        "true"
    );
}

#[tokio::test]
async fn a_memory_bomb_hits_the_cap_and_a_trap_fails_only_its_call() {
    let (host, _dir) = host_with(&[HOG, TRAPPER, ECHO]).await;
    let e = host
        .invoke(&call(), "hog.grow", None, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(e.code, "UNAVAILABLE");
    assert_eq!(e.message, "plugin hog ran out of memory (limit 64 MiB)");
    let e = host
        .invoke(&call(), "trapper.boom", None, SECOND)
        .await
        .unwrap_err();
    assert_eq!(e.code, "UNAVAILABLE");
    assert!(
        e.message.starts_with("plugin trapper crashed: "),
        "{}",
        e.message
    );
    assert_eq!(
        host.invoke(&call(), "fixture.echo", Some("1"), SECOND)
            .await
            .unwrap(),
        "1"
    );
}

#[tokio::test]
async fn two_plugins_with_one_command_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let host = PluginHost::new(None, grants(&dir, ""), services(&dir), Vec::new()).unwrap();
    host.load_file("first", &TAG_V1.path()).await.unwrap();
    let err = host.load_file("second", &TAG_V2.path()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "command fixture.tag is declared by both plugin first and plugin second; second was not loaded (rename the command or remove one of them)"
    );
    let out = host
        .invoke(&call(), "fixture.tag", None, SECOND)
        .await
        .unwrap();
    assert_eq!(out, r#"{"version":"v1"}"#);
}

#[tokio::test]
async fn reloading_swaps_versions_and_a_broken_file_leaves_the_old_one_serving() {
    let dir = tempfile::tempdir().unwrap();
    let host = PluginHost::new(None, grants(&dir, ""), services(&dir), Vec::new()).unwrap();
    let path = dir.path().join("tag.wasm");
    std::fs::copy(TAG_V1.path(), &path).unwrap();
    host.load_file("tag", &path).await.unwrap();
    let changes = host.subscribe();
    std::fs::copy(TAG_V2.path(), &path).unwrap();
    host.load_file("tag", &path).await.unwrap();
    assert!(changes.has_changed().unwrap());
    assert_eq!(
        host.invoke(&call(), "fixture.tag", None, SECOND)
            .await
            .unwrap(),
        r#"{"version":"v2"}"#
    );

    std::fs::write(&path, b"\0asm garbage").unwrap();
    let err = host.load_file("tag", &path).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("plugin tag: not a loadable WebAssembly component"),
        "{err}"
    );
    assert_eq!(
        host.invoke(&call(), "fixture.tag", None, SECOND)
            .await
            .unwrap(),
        r#"{"version":"v2"}"#
    );

    host.remove_file("tag").await.unwrap();
    assert!(host.current().commands().is_empty());
}

#[tokio::test]
async fn compiled_plugins_are_cached_by_content_and_engine() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let load = || async {
        let host = PluginHost::new(
            Some(cache.clone()),
            grants(&dir, "[plugins.echo]\ncapabilities = [\"log\"]\n"),
            services(&dir),
            Vec::new(),
        )
        .unwrap();
        let started = Instant::now();
        host.load_file("echo", &ECHO.path()).await.unwrap();
        (started.elapsed(), host)
    };
    let (cold, _) = load().await;
    let entries: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1);
    let name = entries[0].file_name().to_string_lossy().into_owned();
    let wasm_sha = openclaw_protocol::identity::hex(&<sha2::Sha256 as sha2::Digest>::digest(
        std::fs::read(ECHO.path()).unwrap(),
    ));
    let engine = openclaw_runtime::cache::engine_fingerprint(
        &openclaw_runtime::engine::new_engine().unwrap(),
    );
    assert_eq!(name, format!("{wasm_sha}-{engine}.cwasm"));
    // What another engine build compiled is removed when the cache opens.
    let stale = cache.join(format!("{wasm_sha}-{}.cwasm", "0".repeat(64)));
    std::fs::write(&stale, b"old code").unwrap();
    let (warm, host) = load().await;
    assert!(!stale.exists());
    assert!(cache.join(&name).exists());
    assert!(
        warm < cold,
        "a cache hit ({warm:?}) beats compiling ({cold:?})"
    );
    assert_eq!(
        host.invoke(&call(), "fixture.echo", Some("2"), SECOND)
            .await
            .unwrap(),
        "2"
    );
}

/// A loopback HTTP server that answers every request with `response` (then closes); the
/// request line it saw comes back on the channel.
async fn http_once(response: Vec<u8>) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = vec![0; 4096];
            let n = stream.read(&mut request).await.unwrap_or(0);
            let text = String::from_utf8_lossy(&request[..n]);
            tx.send(text.lines().next().unwrap_or_default().to_string())
                .ok();
            stream.write_all(&response).await.ok();
            stream.shutdown().await.ok();
        }
    });
    (url, rx)
}

#[tokio::test]
async fn the_browser_capability_needs_its_grant_and_stays_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let host = PluginHost::new(None, grants(&dir, ""), services(&dir), Vec::new()).unwrap();
    let err = host.load_file("peeker", &PEEKER.path()).await.unwrap_err();
    assert!(err.to_string().starts_with("plugin peeker imports capability `browser`, which is not granted to it; add `capabilities = [\"browser\"]` under `[plugins.peeker]`"), "{err}");

    let granted = "[plugins.peeker]\ncapabilities = [\"browser\"]\n";
    let body = r#"{"Browser":"Chrome/156.0.0.0"}"#;
    let (url, mut seen) = http_once(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
    .await;
    let host = PluginHost::new(
        None,
        grants(&dir, granted),
        services_with(&dir, Some(url.clone())),
        Vec::new(),
    )
    .unwrap();
    host.load_file("peeker", &PEEKER.path()).await.unwrap();
    let out: serde_json::Value = serde_json::from_str(
        &host
            .invoke(&call(), "peeker.version", None, SECOND * 5)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(out["status"], 200);
    assert_eq!(out["json"], true);
    assert_eq!(out["body"], body);
    assert_eq!(out["route"]["driver"], "cdp-url");
    assert_eq!(
        seen.recv().await.unwrap(),
        "GET /json/version?probe=1 HTTP/1.1"
    );

    // Over 24 MiB: by its length header, and by what actually arrives.
    for response in [
        b"HTTP/1.1 200 OK\r\ncontent-length: 30000000\r\n\r\n".to_vec(),
        [
            b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
            vec![b'x'; 25 * 1024 * 1024 + 1],
        ]
        .concat(),
    ] {
        let (url, _) = http_once(response).await;
        let host = PluginHost::new(
            None,
            grants(&dir, granted),
            services_with(&dir, Some(url)),
            Vec::new(),
        )
        .unwrap();
        host.load_file("peeker", &PEEKER.path()).await.unwrap();
        let e = host
            .invoke(&call(), "peeker.version", None, SECOND * 5)
            .await
            .unwrap_err();
        assert_eq!(e.code, "PAYLOAD_TOO_LARGE", "{}", e.message);
    }

    let far = services_with(&dir, Some("http://203.0.113.7:9222".into()));
    let host = PluginHost::new(None, grants(&dir, granted), far, Vec::new()).unwrap();
    host.load_file("peeker", &PEEKER.path()).await.unwrap();
    let e = host
        .invoke(&call(), "peeker.version", None, SECOND * 5)
        .await
        .unwrap_err();
    assert_eq!(e.code, "INVALID_REQUEST");
    assert!(e.message.contains("is not on loopback"), "{}", e.message);
}

/// A plugin with its own `Result`, `String` and `Option` in scope builds against the SDK, and
/// its commands without params, `?` on standard and `anyhow` errors answer as they should.
#[tokio::test]
async fn a_plugin_written_the_authors_way_builds_and_answers() {
    let (host, _dir) = host_with(&[AUTHOR]).await;
    let ask = |command: &'static str, params: Option<&'static str>| {
        let host = &host;
        async move { host.invoke(&call(), command, params, SECOND).await }
    };
    for params in [None, Some("{}"), Some(r#"{"ignored":1}"#)] {
        assert_eq!(
            ask("author.ping", params).await.unwrap(),
            r#"{"pong":true}"#
        );
        assert_eq!(
            ask("author.version", params).await.unwrap(),
            r#"{"code":"INVALID_REQUEST"}"#
        );
    }
    let e = ask("author.ping", Some("[1]")).await.unwrap_err();
    assert_eq!(e.code, "INVALID_REQUEST");
    assert_eq!(
        ask("author.parse", Some(r#"{"n":" 12 "}"#)).await.unwrap(),
        r#"{"n":12}"#
    );
    let e = ask("author.parse", Some(r#"{"n":"x"}"#)).await.unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "INVALID_REQUEST",
            "INVALID_REQUEST: invalid digit found in string"
        )
    );
    let e = ask("author.open", None).await.unwrap_err();
    assert_eq!(e.code, "UNAVAILABLE");
    assert!(
        e.message.starts_with("reading /no/such/file: "),
        "the whole chain: {}",
        e.message
    );
}

/// A plugin slow to instantiate gets its instances made ahead of its calls; each call still
/// gets a fresh one.
#[tokio::test]
async fn a_plugin_slow_to_instantiate_keeps_an_instance_ready() {
    let (host, _dir) = host_with(&[SLOW_START]).await;
    let set = host.current();
    let plugin = set.plugins().next().unwrap();
    assert!(plugin.keeps_spares());
    for _ in 0..5 {
        let answer = host
            .invoke(&call(), "slow.peek", None, SECOND * 5)
            .await
            .unwrap();
        assert_eq!(answer, r#"{"last":7}"#);
    }
}

/// The attack: a plugin publishes agent-visible tools that name another plugin's command
/// (`system.run`) or pose as the node's MCP tools. Only the tool for its own command is kept.
#[tokio::test]
async fn a_plugin_publishes_tools_for_its_own_commands_only() {
    let (host, _dir) = host_with(&[PUBLISHER, ECHO]).await;
    let tools = host.plugin_tools().await;
    let named: Vec<(&str, &str, &str)> = tools
        .iter()
        .map(|t| (&*t.plugin, t.tool.name.as_str(), t.tool.command.as_str()))
        .collect();
    assert_eq!(named, [("publisher", "publish_ok", "fixture.publish")]);
    assert_eq!(tools[0].tool.description, "publish_ok: trust me");
}
