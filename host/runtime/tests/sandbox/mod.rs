//! Attacks on the sandbox, each with a hostile fixture built from `tests/fixtures`: a plugin
//! file posing as a built-in, plugins switching the exec approvals off or picking an agent with
//! a wider policy, runs that outlive their call, and loopers starving the node.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use openclaw_runtime::grants::Grants;
use openclaw_runtime::{Builtin, LoadError, PluginError, PluginHost};
use openclaw_test_support::fixtures::{
    Fixture, APPROVER, ECHO, IMPOSTOR, LEGACY_APPROVER, LOOPER, RUNNER,
};
use serde_json::{json, Value};

use super::{call, grants, services, SECOND};

/// A fixture's bytes as a built-in (built-ins live for the whole process).
fn builtin(name: &'static str, fixture: Fixture) -> Builtin {
    let wasm = std::fs::read(fixture).unwrap();
    Builtin::hashed(name, Box::leak(wasm.into_boxed_slice()))
}

fn not_granted(e: &PluginError) -> (&str, &str, String) {
    match e {
        PluginError::Load(LoadError::NotGranted {
            plugin, capability, ..
        }) => (plugin, capability, e.to_string()),
        other => panic!("expected a grant refusal, got {other}"),
    }
}

#[tokio::test]
pub(crate) async fn a_plugin_file_named_like_a_built_in_gets_none_of_its_grants() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::copy(IMPOSTOR.path(), plugins.join("system.wasm")).unwrap();
    std::fs::copy(IMPOSTOR.path(), plugins.join("evil.wasm")).unwrap();
    // The built-in `system` here is the runner fixture, which imports `exec` like the real one.
    let with_defaults = |g: Grants| g.with_default("system", &["exec"]);
    let host = PluginHost::new(
        None,
        with_defaults(grants(&dir, "")),
        services(&dir),
        vec![builtin("system", RUNNER)],
    )
    .unwrap();
    let errors = host.load_all(Some(&plugins)).await;
    assert_eq!(errors.len(), 2, "{errors:?}");
    for (e, name) in errors.iter().zip(["evil", "system"]) {
        let (plugin, capability, text) = not_granted(e);
        assert_eq!((plugin, capability), (name, "exec"));
        assert!(
            text.contains(&format!(
                "add `capabilities = [\"exec\"]` under `[plugins.{name}]` in "
            )),
            "{text}"
        );
    }
    assert_eq!(
        host.current().commands(),
        vec![
            "runner.argv",
            "runner.asMain",
            "runner.id",
            "runner.prepareAsMain",
            "system.run"
        ],
        "the built-in keeps serving; the impostor never ran"
    );

    let wasm = std::fs::read(plugins.join("system.wasm")).unwrap();
    let seen = host
        .inspect("system", &plugins.join("system.wasm"), &wasm)
        .await
        .unwrap();
    assert_eq!(seen.capabilities, vec![("exec".to_string(), false)]);
    assert!(seen.surface.is_none(), "inspect ran an ungranted plugin");

    // The operator's own line is what lets the file in, and then its attack is real.
    let host = PluginHost::new(
        None,
        with_defaults(grants(
            &dir,
            "[plugins.system]\ncapabilities = [\"exec\"]\n",
        )),
        services(&dir),
        vec![builtin("system", RUNNER)],
    )
    .unwrap();
    std::fs::remove_file(plugins.join("evil.wasm")).unwrap();
    assert!(host.load_all(Some(&plugins)).await.is_empty());
    let marker = dir.path().join("pwned");
    let params = json!({"path": marker}).to_string();
    host.invoke(&call(), "system.pwn", Some(&params), SECOND * 5)
        .await
        .unwrap();
    assert!(marker.exists());
}

fn approvals(dir: &tempfile::TempDir) -> Value {
    let text = std::fs::read_to_string(dir.path().join("exec-approvals.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Approvals that allow nothing but `true`.
fn lock_down(dir: &tempfile::TempDir) {
    std::fs::write(
        dir.path().join("exec-approvals.json"),
        r#"{"version":1,"defaults":{"security":"allowlist","ask":"off"},"agents":{"*":{"allowlist":[{"pattern":"/usr/bin/true"}]}}}"#,
    )
    .unwrap();
}

#[tokio::test]
pub(crate) async fn editing_the_approvals_needs_its_own_grant_even_for_0_1_0_plugins() {
    let dir = tempfile::tempdir().unwrap();
    lock_down(&dir);
    let marker = dir.path().join("ran");
    let touch = json!({"argv": ["touch", marker]}).to_string();

    // A plugin built against today's contract asks for `exec-approvals` in its imports.
    let host = PluginHost::new(None, grants(&dir, ""), services(&dir), Vec::new()).unwrap();
    let e = host
        .load_file("approver", &APPROVER.path())
        .await
        .unwrap_err();
    assert_eq!(not_granted(&e).1, "exec-approvals");

    // A 0.1.0 plugin edits them through `exec`'s deprecated functions: those are linked with
    // the `exec-approvals` grant only, so granted `exec` alone it does not load at all.
    let host = PluginHost::new(
        None,
        grants(&dir, "[plugins.legacy]\ncapabilities = [\"exec\"]\n"),
        services(&dir),
        Vec::new(),
    )
    .unwrap();
    let before = approvals(&dir);
    let e = host
        .load_file("legacy", &LEGACY_APPROVER.path())
        .await
        .unwrap_err();
    let (plugin, capability, message) = not_granted(&e);
    assert_eq!(
        (plugin, capability),
        ("legacy", "exec-approvals"),
        "{message}"
    );
    assert!(
        message.contains("capabilities = [\"exec\", \"exec-approvals\"]"),
        "{message}"
    );
    assert!(host.current().plugins().next().is_none());
    assert_eq!(approvals(&dir), before, "the approvals are untouched");

    // Granted `exec-approvals`, both generations can edit: the grant is the power.
    let host = PluginHost::new(
        None,
        grants(
            &dir,
            "[plugins.legacy]\ncapabilities = [\"exec\", \"exec-approvals\"]\n\
             [plugins.approver]\ncapabilities = [\"exec-approvals\"]\n",
        ),
        services(&dir),
        Vec::new(),
    )
    .unwrap();
    host.load_file("approver", &APPROVER.path()).await.unwrap();
    host.invoke(&call(), "approver.openUp", None, SECOND * 5)
        .await
        .unwrap();
    assert_eq!(approvals(&dir)["defaults"]["security"], "full");
    lock_down(&dir);
    host.load_file("legacy", &LEGACY_APPROVER.path())
        .await
        .unwrap();
    host.invoke(&call(), "legacy.openUp", None, SECOND * 5)
        .await
        .unwrap();
    host.invoke(&call(), "legacy.run", Some(&touch), SECOND * 5)
        .await
        .unwrap();
    assert!(marker.exists());
}

/// Approvals that deny everything by default and let agent `main` run anything.
fn only_main_may_run(dir: &tempfile::TempDir) {
    std::fs::write(
        dir.path().join("exec-approvals.json"),
        r#"{"version":1,"defaults":{"security":"deny"},"agents":{"main":{"security":"full"}}}"#,
    )
    .unwrap();
}

#[tokio::test]
async fn a_plugin_runs_commands_only_for_the_agent_of_its_invoke() {
    let dir = tempfile::tempdir().unwrap();
    only_main_may_run(&dir);
    let host = PluginHost::new(
        None,
        grants(&dir, "[plugins.runner]\ncapabilities = [\"exec\"]\n"),
        services(&dir),
        Vec::new(),
    )
    .unwrap();
    host.load_file("runner", &RUNNER.path()).await.unwrap();
    let marker = dir.path().join("ran");
    let touch = json!({"argv": ["touch", marker]}).to_string();

    // The plugin asks for `main` on an invoke for no agent, or for another one: refused
    // before anything runs, `prepare` as well as `run`.
    for (agent, named) in [(None, "none"), (Some("ops"), "\"ops\"")] {
        for command in ["runner.asMain", "runner.prepareAsMain"] {
            let e = host
                .invoke_for_agent(&call(), agent, command, Some(&touch), SECOND * 5)
                .await
                .unwrap_err();
            assert_eq!(
                (e.code.as_str(), e.message.as_str()),
                (
                    "INVALID_REQUEST",
                    format!(
                        "INVALID_REQUEST: plugin runner asked for agent \"main\", but the invoke is for {named}: a plugin runs commands only for its invoke's agent"
                    )
                    .as_str()
                ),
                "{command} on an invoke for {named}"
            );
        }
    }
    assert!(!marker.exists());
    // Naming no agent, the plugin gets the invoke's: none, whose default denies.
    let e = host
        .invoke_for_agent(&call(), None, "runner.argv", Some(&touch), SECOND * 5)
        .await
        .unwrap_err();
    assert_eq!(e.code, "SYSTEM_RUN_DENIED");
    assert!(!marker.exists());

    // On an invoke for `main` the same requests are `main`'s.
    host.invoke_for_agent(
        &call(),
        Some("main"),
        "runner.asMain",
        Some(&touch),
        SECOND * 5,
    )
    .await
    .unwrap();
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();
    host.invoke_for_agent(
        &call(),
        Some("main"),
        "runner.argv",
        Some(&touch),
        SECOND * 5,
    )
    .await
    .unwrap();
    assert!(marker.exists());
    let plan: Value = serde_json::from_str(
        &host
            .invoke_for_agent(
                &call(),
                Some("main"),
                "runner.prepareAsMain",
                Some(&touch),
                SECOND * 5,
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(plan["plan"]["agentId"], "main");
    assert_eq!(plan["execPolicy"]["security"], "full");
}

/// An approval is the gateway's word on one `system.run` invoke: the host reads it from that
/// invoke's params, never from the plugin, for one run only.
#[tokio::test]
async fn a_forwarded_approval_covers_one_run_of_the_system_run_invoke_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("exec-approvals.json"),
        r#"{"version":1,"defaults":{"security":"allowlist","ask":"on-miss","askFallback":"deny"}}"#,
    )
    .unwrap();
    let host = PluginHost::new(
        None,
        grants(&dir, "[plugins.runner]\ncapabilities = [\"exec\"]\n"),
        services(&dir),
        Vec::new(),
    )
    .unwrap();
    host.load_file("runner", &RUNNER.path()).await.unwrap();
    let marker = dir.path().join("ran");
    let touch = json!({"argv": ["touch", marker]}).to_string();
    let prepared: Value = serde_json::from_str(
        &host
            .invoke_for_agent(
                &call(),
                Some("main"),
                "runner.prepareAsMain",
                Some(&touch),
                SECOND * 5,
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let plan = &prepared["plan"];
    let approved = json!({"command": plan["argv"], "cwd": plan["cwd"], "agentId": "main",
        "approved": true, "approvalDecision": "allow-once", "systemRunPlan": plan,
        "argv": plan["argv"]})
    .to_string();

    // The same fields on another command are no approval.
    let e = host
        .invoke_for_agent(
            &call(),
            Some("main"),
            "runner.argv",
            Some(&approved),
            SECOND * 5,
        )
        .await
        .unwrap_err();
    assert_eq!(e.message, "SYSTEM_RUN_DENIED: approval required");
    assert!(!marker.exists());

    // On `system.run` it covers the first run, and the plugin cannot spend it again.
    let runs: Value = serde_json::from_str(
        &host
            .invoke_for_agent(
                &call(),
                Some("main"),
                "system.run",
                Some(&approved),
                SECOND * 5,
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        runs,
        json!([{"exitCode": 0}, {"error": "SYSTEM_RUN_DENIED: approval required"}])
    );
    assert!(marker.exists());
}

/// Runs a script that forks two sleeping grandchildren and writes their pids to `pids`.
fn forking_script(pids: &Path) -> String {
    let script = format!(
        "sleep 300 & echo $! > {0}; sh -c 'sleep 300 & echo $! >> {0}; wait' & wait",
        pids.display()
    );
    json!({"argv": ["sh", "-c", script]}).to_string()
}

/// Running or sleeping; a zombie waiting for its reaper is dead.
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        !state.starts_with('Z') && !state.starts_with('X')
    })
}

async fn assert_all_gone(pids: &Path) {
    let pids: Vec<i32> = std::fs::read_to_string(pids)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    for _ in 0..100 {
        if !pids.iter().any(|&p| alive(p)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("processes {pids:?} outlived their call");
}

#[tokio::test]
async fn a_timed_out_or_cancelled_call_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(
        PluginHost::new(
            None,
            grants(&dir, "[plugins.runner]\ncapabilities = [\"exec\"]\n"),
            services(&dir),
            Vec::new(),
        )
        .unwrap(),
    );
    host.load_file("runner", &RUNNER.path()).await.unwrap();

    // The plugin call's deadline passes while the command runs.
    let pids = dir.path().join("timed-out");
    let e = host
        .invoke(
            &call(),
            "runner.argv",
            Some(&forking_script(&pids)),
            Duration::from_millis(700),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "TIMEOUT");
    assert_all_gone(&pids).await;

    // The gateway cancels: the node drops the call.
    let pids = dir.path().join("cancelled");
    let params = forking_script(&pids);
    let running = {
        let host = host.clone();
        tokio::spawn(async move {
            host.invoke(&call(), "runner.argv", Some(&params), SECOND * 60)
                .await
        })
    };
    while !std::fs::read_to_string(&pids).is_ok_and(|p| p.lines().count() == 2) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    assert_all_gone(&pids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopers_on_every_thread_do_not_starve_other_calls() {
    let (host, _dir) = super::host_with(&[LOOPER, ECHO]).await;
    let host = Arc::new(host);
    // Cores + 2 loopers, each allowed 5 s.
    let loopers: Vec<_> = (0..4)
        .map(|_| {
            let host = host.clone();
            tokio::spawn(async move { host.invoke(&call(), "looper.spin", None, SECOND * 5).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Served on the runtime's worker threads, as the node serves invokes.
    let echoes = tokio::spawn({
        let host = host.clone();
        async move {
            for n in 0..20 {
                let params = format!("{n}");
                let out = host
                    .invoke(&call(), "fixture.echo", Some(&params), SECOND * 10)
                    .await
                    .unwrap();
                assert_eq!(out, params);
            }
        }
    });
    echoes.await.unwrap();
    assert!(
        loopers.iter().all(|l| !l.is_finished()),
        "the echoes were answered only after the loopers ended"
    );
    for looper in loopers {
        assert_eq!(looper.await.unwrap().unwrap_err().code, "TIMEOUT");
    }
}

#[tokio::test]
async fn plugins_with_the_same_grants_share_one_linker() {
    let dir = tempfile::tempdir().unwrap();
    let toml = "[plugins.echo]\ncapabilities = [\"log\"]\n\
                [plugins.looper]\ncapabilities = [\"log\"]\n\
                [plugins.runner]\ncapabilities = [\"exec\"]\n";
    let host = PluginHost::new(None, grants(&dir, toml), services(&dir), Vec::new()).unwrap();
    for fixture in [ECHO, LOOPER] {
        host.load_file(fixture.name, &fixture.path()).await.unwrap();
    }
    assert_eq!(host.linker_count(), 1);
    host.load_file("runner", &RUNNER.path()).await.unwrap();
    assert_eq!(host.linker_count(), 2);
    host.load_file("echo", &ECHO.path()).await.unwrap();
    assert_eq!(host.linker_count(), 2, "a reload reuses its set's linker");
}
