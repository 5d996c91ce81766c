//! The `openclaw` operator CLI against a running gateway, as a user types it.

use std::path::PathBuf;

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;
use serde_json::Value;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pair_list_describe_and_invoke_from_the_cli() {
    let gw = GatewayProc::start();
    let id = DeviceIdentity::generate();
    let node_id = id.device_id();
    let err = connect_node(&gw.url, &id, &["test.echo", "system.which"])
        .await
        .err()
        .unwrap();
    let request_id = details(&err)["requestId"].as_str().unwrap().to_string();

    let out = gw.cli(&["devices", "list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("Pending (1)"), "{text}");
    assert!(
        text.contains(&request_id)
            && text.contains("roles: node; scopes: none")
            && text.contains("new pairing")
    );

    let out = gw.cli(&["devices", "approve", &request_id]);
    assert_eq!(
        stdout(&out).trim(),
        format!("Approved {node_id} ({request_id})")
    );

    let (node, events) = connect_node(&gw.url, &id, &["test.echo", "system.which"])
        .await
        .unwrap();
    let pending: Value =
        serde_json::from_slice(&gw.cli(&["nodes", "pending", "--json"]).stdout).unwrap();
    let surface_request = pending[0]["requestId"].as_str().unwrap().to_string();
    assert!(stdout(&gw.cli(&["nodes", "pending"])).contains(&surface_request));
    let approved: Value =
        serde_json::from_slice(&gw.cli(&["nodes", "approve", &surface_request]).stdout).unwrap();
    // The approval updates the live session before it answers.
    assert_eq!(approved["node"]["nodeId"], node_id.as_str());
    serve_invokes(node, events);

    let text = stdout(&gw.cli(&["nodes", "status"]));
    assert!(
        text.starts_with("Known: 1 · Paired: 1 · Connected: 1"),
        "{text}"
    );
    assert!(
        text.contains("paired · connected (just now) · approved"),
        "{text}"
    );
    let text = stdout(&gw.cli(&["nodes", "list"]));
    assert!(
        text.starts_with("Pending: 0 · Paired: 1") && text.contains("e2e-node"),
        "{text}"
    );

    // --node by display name, by id prefix.
    let text = stdout(&gw.cli(&["nodes", "describe", "--node", "e2e-node"]));
    assert!(
        text.contains("│ Approval │ approved") && text.contains("- test.echo"),
        "{text}"
    );
    let described: Value = serde_json::from_slice(
        &gw.cli(&["nodes", "describe", "--node", &node_id[..8], "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(described["nodeId"], node_id.as_str());

    let out = gw.cli(&[
        "nodes",
        "invoke",
        "--node",
        "e2e-node",
        "--command",
        "test.echo",
        "--params",
        r#"{"bins":["sh"]}"#,
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["payload"]["bins"][0], "sh");
    assert_eq!(reply["payloadJSON"], r#"{"bins":["sh"]}"#);

    let out = gw.cli(&[
        "nodes",
        "invoke",
        "--node",
        "e2e-node",
        "--command",
        "dir.list",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["error"]["type"], "cli_error");
    assert_eq!(
        reply["error"]["message"],
        r#"node command not allowed: "dir.list" is not in the allowlist for platform "linux""#
    );

    let out = gw.cli(&[
        "nodes",
        "invoke",
        "--node",
        "e2e-node",
        "--command",
        "system.run",
        "--params",
        r#"{"command":["echo"]}"#,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("reserved for shell execution"));

    let renamed: Value = serde_json::from_slice(
        &gw.cli(&[
            "nodes",
            "rename",
            "--node",
            "e2e-node",
            "--name",
            "Build Box",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(renamed["displayName"], "Build Box");
    assert!(stdout(&gw.cli(&["nodes", "status"])).contains("Build Box"));

    // The forms the docs also write: the node and the name in place.
    let renamed: Value = serde_json::from_slice(
        &gw.cli(&["nodes", "rename", "Build Box", "Bench Box"])
            .stdout,
    )
    .unwrap();
    assert_eq!(renamed["displayName"], "Bench Box");
    let described: Value =
        serde_json::from_slice(&gw.cli(&["nodes", "describe", "Bench Box", "--json"]).stdout)
            .unwrap();
    assert_eq!(described["nodeId"], node_id.as_str());
    let out = gw.cli(&["nodes", "rename", "Bench Box"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rename needs a node and a name"));

    let out = gw.cli(&["nodes", "describe", "--node", "nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no node matches --node nobody"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_fails_with_the_gateways_reason() {
    let gw = GatewayProc::start();
    let out = std::process::Command::new(bin())
        .args(["nodes", "status", "--url", &gw.url, "--token", "wrong"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AUTH_TOKEN_MISMATCH") && err.contains("gateway token mismatch"),
        "{err}"
    );
}

#[test]
fn empty_or_blank_tokens_are_refused_wherever_they_come_from() {
    let state = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = std::process::Command::new(bin())
            .args(args)
            .env("OPENCLAW_STATE_DIR", state.path())
            .env_remove("OPENCLAW_GATEWAY_TOKEN")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        // The node host's config cannot work: EX_CONFIG, which its service does not retry.
        let code = if args[0] == "node" { 78 } else { 1 };
        assert_eq!(out.status.code(), Some(code), "{args:?} {env:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let err = run(&["gateway", "run", "--port", "0", "--token", ""], &[]);
    assert!(
        err.contains("the gateway token from --token is empty"),
        "{err}"
    );
    let err = run(
        &["gateway", "run", "--port", "0"],
        &[("OPENCLAW_GATEWAY_TOKEN", "  ")],
    );
    assert!(
        err.contains("from OPENCLAW_GATEWAY_TOKEN is empty"),
        "{err}"
    );
    let err = run(&["nodes", "status", "--token", " "], &[]);
    assert!(
        err.contains("the gateway token from --token is empty"),
        "{err}"
    );
    openclaw_files::write_atomically(
        &state.path().join("openclaw.json"),
        br#"{gateway: {auth: {token: ""}}}"#,
    )
    .unwrap();
    let err = run(&["node", "run", "--port", "1"], &[]);
    assert!(err.contains("from gateway.auth.token in "), "{err}");
    let help = std::process::Command::new(bin())
        .args(["gateway", "run", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("visible in the process list"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_self_signed_certificate_and_a_pin() {
    let gw = GatewayProc::start_with(default_config(), &["--tls"], &[]);
    assert!(gw.url.starts_with("wss://"));
    let fingerprint = gw.stdout_head[1]
        .strip_prefix("tls fingerprint ")
        .unwrap()
        .to_string();
    assert!(gw.dir.join("gateway/tls/gateway-cert.pem").exists());

    let out = gw.cli(&["nodes", "status", "--tls-fingerprint", &fingerprint]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wrong = format!("sha256:{}", "00".repeat(32));
    let out = gw.cli(&["nodes", "status", "--tls-fingerprint", &wrong]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fingerprint mismatch"));
}

/// Kills `openclaw up` when the test ends, however it ends.
pub(crate) struct Up(std::process::Child);

impl Drop for Up {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// `openclaw up` in `home` with a node named `name`, once it has printed its gateway and its
/// node: the process, the gateway's URL, the state dir and the plugins dir.
pub(crate) fn start_up(home: &std::path::Path, name: &str) -> (Up, String, PathBuf, PathBuf) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let state = home.join("state");
    openclaw_files::private_dir(&state).unwrap();
    let plugins = home.join("plugins");
    let mut child = Command::new(bin())
        .args(["up", "--port", "0", "--display-name", name, "--plugins"])
        .arg(&plugins)
        .env("OPENCLAW_STATE_DIR", &state)
        .env_remove("OPENCLAW_GATEWAY_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let printed = child.stdout.take().unwrap();
    let up = Up(child);
    let mut lines = BufReader::new(printed).lines().map_while(Result::ok);
    let gateway = lines.next().expect("up printed its gateway");
    let url = gateway
        .strip_prefix("gateway  ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{gateway}"))
        .to_string();
    let node = lines.next().expect("up printed its node");
    assert!(node.starts_with(&format!("node     {name} (")), "{node}");
    assert!(node.contains("system.run"), "{node}");
    // Read on to the end: a closed pipe would end `up` at its next line.
    std::thread::spawn(move || lines.for_each(drop));
    (up, url, state, plugins)
}

/// `openclaw nodes invoke` against `up`'s gateway, with the token it made for itself.
pub(crate) fn up_invoke(
    url: &str,
    state: &std::path::Path,
    node: &str,
    command: &str,
    params: &str,
) -> std::process::Output {
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("openclaw.json")).unwrap())
            .unwrap();
    let token = config["gateway"]["auth"]["token"].as_str().unwrap();
    std::process::Command::new(bin())
        .args(["nodes", "invoke", "--url", url, "--token", token])
        .args(["--node", node, "--command", command, "--params", params])
        .env("OPENCLAW_STATE_DIR", state)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_serves_a_paired_node_with_the_built_in_plugins() {
    let home = tempfile::tempdir().unwrap();
    let (_up, url, state, plugins) = start_up(home.path(), "up-node");
    assert!(plugins.is_dir(), "up makes the plugins dir it watches");

    // The token up made for itself is in the state dir; with it, the node answers.
    let out = up_invoke(
        &url,
        &state,
        "up-node",
        "system.which",
        r#"{"bins":["sh"]}"#,
    );
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("/sh"), "{text}");
}

#[test]
fn config_set_keeps_a_backup_strips_comments_saying_so_and_writes_privately() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custom.json");
    let original = "{\n  // the port\n  gateway: { port: 18789 },\n}\n";
    // Loose on purpose (0644), as a user might leave it: a write must make it private.
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut loose = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&file)
            .unwrap();
        loose.write_all(original.as_bytes()).unwrap();
    }
    let config = |args: &[&str]| {
        std::process::Command::new(bin())
            .arg("config")
            .args(args)
            .env("OPENCLAW_CONFIG_PATH", &file)
            .output()
            .unwrap()
    };
    assert_eq!(
        stdout(&config(&["file"])).trim(),
        file.display().to_string()
    );
    let out = config(&["set", "gateway.port", "19003"]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        "Updated gateway.port. Restart the gateway to apply."
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!(
            "Config write will strip JSON5 comments from {}.",
            file.display()
        )
    );
    let backup = dir.path().join("custom.json.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, serde_json::json!({"gateway": {"port": 19003}}));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&file), mode(&backup)), (0o600, 0o600));
    // A failed validation leaves the file as it was.
    let out = config(&["set", "gateway.port", "\"x\""]);
    assert_eq!(out.status.code(), Some(1));
    let unchanged: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(unchanged, written);
    // Values that are not JSON5 are text; --strict-json refuses them.
    assert!(config(&["set", "tools.exec.node", "Build Node"])
        .status
        .success());
    assert_eq!(
        stdout(&config(&["get", "tools.exec.node"])).trim(),
        "Build Node"
    );
    let strict = config(&["set", "tools.exec.node", "box", "--strict-json"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&strict.stderr)
        .starts_with("Could not parse \"box\" as JSON for --strict-json."));
}

/// `camera snap --delay-ms` on the wire, to a Linux node: one call, no facing, `delayMs` as
/// given (the node's own default applies when it is left out).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_snap_sends_the_delay_and_no_facing_to_a_linux_node() {
    let mut config = default_config();
    config["gateway"]["nodes"]["commands"]["allow"]
        .as_array_mut()
        .unwrap()
        .push("camera.snap".into());
    let gw = GatewayProc::start_with(config, &[], &[]);
    let id = DeviceIdentity::generate();
    let (node, mut events) = paired_node(&gw, &id, &["camera.snap"]).await;
    let (sent_tx, mut sent) = tokio::sync::mpsc::unbounded_channel::<Value>();
    tokio::spawn(async move {
        while let Some(ev) = events.next().await {
            if ev.event != "node.invoke.request" {
                continue;
            }
            let p = ev.payload.unwrap();
            sent_tx
                .send(serde_json::from_str(p["paramsJSON"].as_str().unwrap()).unwrap())
                .unwrap();
            let picture =
                serde_json::json!({"format": "jpg", "base64": "/9j/2Q==", "width": 1, "height": 1});
            let reply = serde_json::json!({"id": p["id"], "nodeId": p["nodeId"], "ok": true,
                                           "payloadJSON": picture.to_string()});
            node.request("node.invoke.result", reply).await.unwrap();
        }
    });
    let node_id = id.device_id();
    let out = gw.cli(&[
        "nodes",
        "camera",
        "snap",
        "--node",
        &node_id,
        "--facing",
        "both",
        "--delay-ms",
        "1500",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["files"].as_array().unwrap().len(), 1);
    std::fs::remove_file(answer["files"][0]["path"].as_str().unwrap()).ok();
    assert_eq!(
        sent.recv().await.unwrap(),
        serde_json::json!({"format": "jpg", "delayMs": 1500})
    );
    assert!(sent.try_recv().is_err(), "one capture for a Linux node");
    let refused = gw.cli(&[
        "nodes",
        "camera",
        "snap",
        "--node",
        &node_id,
        "--delay-ms",
        "-1",
    ]);
    assert!(!refused.status.success());
}

/// A file the real OpenClaw wrote, with sections this project does not read: `config set`
/// works on it, sets what it was asked, and keeps every other section as it was.
#[test]
fn config_set_on_a_file_the_real_wrote_keeps_what_it_does_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openclaw.json");
    let original = serde_json::json!({
        "meta": {"lastTouchedVersion": "2026.9.6"},
        "agents": {"defaults": {"model": {"primary": "anthropic/claude"}}},
        "models": {"providers": {}},
        "channels": {"telegram": {"enabled": false}},
        "skills": {"entries": {}},
        "logging": {"level": "info"},
        "gateway": {"mode": "local", "port": 18789, "controlUi": {"enabled": true}},
        "nodeHost": {"autoUpdate": {"enabled": true}},
        "tools": {"profile": "coding"},
    });
    std::fs::write(&file, original.to_string()).unwrap();
    let config = |args: &[&str]| {
        std::process::Command::new(bin())
            .arg("config")
            .args(args)
            .env("OPENCLAW_CONFIG_PATH", &file)
            .output()
            .unwrap()
    };
    for (path, value) in [
        ("gateway.port", "19004"),
        ("gateway.auth.password", "\"a-password\""),
        ("tools.exec.mode", "\"allowlist\""),
    ] {
        let out = config(&["set", path, value]);
        assert!(
            out.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut expected = original.clone();
    expected["gateway"]["port"] = serde_json::json!(19004);
    expected["gateway"]["auth"] = serde_json::json!({"password": "a-password"});
    expected["tools"]["exec"] = serde_json::json!({"mode": "allowlist"});
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, expected);
    // A key no one knows is still refused, and nothing changes.
    let out = config(&["set", "gatway.port", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Unrecognized key: \"gatway\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let unchanged: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(unchanged, expected);
}
