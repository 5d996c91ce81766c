//! Our node host on the real gateway, with the real CLI as the operator (scenario 2).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::bin;
use openclaw_test_support::fixtures::TAG_V1;
use openclaw_test_support::hardware_services;
use serde_json::{json, Value};

use crate::{file_transfer, files};
use openclaw_test_support::real::{self, text};

const TOKEN: &str = "interop-real-gateway-token";

pub(crate) struct OurNode(pub(crate) Child);

impl Drop for OurNode {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

pub(crate) fn json_out(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        text(out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// Polls a real CLI call until `pick` finds something.
pub(crate) fn until(
    cli: &dyn Fn(&[&str]) -> std::process::Output,
    args: &[&str],
    pick: impl Fn(&Value) -> Option<Value>,
) -> Value {
    for _ in 0..60 {
        let out = cli(args);
        if let Some(found) = serde_json::from_slice::<Value>(&out.stdout)
            .ok()
            .as_ref()
            .and_then(&pick)
        {
            return found;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("{args:?} never showed what the test waited for");
}

pub(crate) fn pending_for<'a>(name: &'a str) -> impl Fn(&Value) -> Option<Value> + 'a {
    move |v: &Value| {
        let list = v.get("pending").unwrap_or(v);
        list.as_array()?
            .iter()
            .find(|p| p["displayName"] == name)
            .cloned()
    }
}

/// The exec policy that asks on a miss and denies when nobody answers.
pub(crate) const ASKING_POLICY: &str =
    r#"{ version: 1, defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" } }"#;

/// Our node host with its built-in plugins only (its files in `dir`), paired on the real
/// gateway at `url` (`port`) through the real CLI of `home`, with `policy` (JSON5) as its exec
/// approvals.
pub(crate) fn our_paired_node(
    home: &Path,
    url: &str,
    token: &str,
    dir: &Path,
    name: &str,
    policy: &str,
) -> OurNode {
    let port = url.rsplit(':').next().unwrap();
    let cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", url, "--token", token]);
        real::cli(home, &all)
    };
    let state = dir.join("state");
    openclaw_files::private_dir(&state).unwrap();
    let plugins = dir.join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let node = OurNode(
        Command::new(bin())
            .args(["node", "run", "--host", "127.0.0.1", "--port", port])
            .args(["--display-name", name, "--plugins"])
            .arg(&plugins)
            .env("OPENCLAW_STATE_DIR", &state)
            .env("HOME", dir)
            .env("OPENCLAW_GATEWAY_TOKEN", token)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let device = until(&cli, &["devices", "list", "--json"], pending_for(name));
    let out = cli(&["devices", "approve", device["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let surface = until(&cli, &["nodes", "pending", "--json"], pending_for(name));
    let out = cli(&["nodes", "approve", surface["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let args = [
        "approvals",
        "set",
        "--node",
        name,
        "--stdin",
        "--url",
        url,
        "--token",
        token,
    ];
    let set = real::cli_stdin(home, &args, policy);
    assert!(set.status.success(), "{}", text(&set));
    node
}

fn copy_in(from: &Path, to: &Path) {
    let tmp = to.with_extension("partial");
    std::fs::copy(from, &tmp).unwrap();
    std::fs::rename(&tmp, to).unwrap();
}

#[test]
fn our_node_host_on_the_real_gateway() {
    let tag = TAG_V1.path();
    let home = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let allow = [
        "fixture.tag",
        "canvas.eval",
        "canvas.snapshot",
        "file.stat",
        "file.fetch",
        "file.write",
        "dir.list",
        "dir.fetch",
    ];
    let node_dir = tempfile::tempdir().unwrap();
    let node_home = node_dir.path().join("home");
    let tree = node_home.join("tree");
    let transfer_tree = node_home.join("transfer");
    // The real gateway's file-transfer policy, which our node's grants then narrow.
    let tree_glob = |t: &Path| vec![t.display().to_string(), format!("{}/**", t.display())];
    let plugins = json!({"entries": {"file-transfer": {"config": {"policyVersion": 2, "nodes": {"*": {
        "allowReadPaths": tree_glob(&transfer_tree),
        "allowWritePaths": tree_glob(&transfer_tree.join("out")),
    }}}}}});
    let _gateway = real::gateway(home.path(), port, TOKEN, &allow, plugins);
    let cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        let url = format!("ws://127.0.0.1:{port}");
        all.extend(["--url", &url, "--token", TOKEN]);
        real::cli(home.path(), &all)
    };

    // A notification service on a private session bus, for system.notify.
    let bus_dir = tempfile::tempdir().unwrap();
    let (_bus, bus) = hardware_services::session_bus(bus_dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_service, notified) = runtime.block_on(hardware_services::notification_service(&bus));

    let plugins = node_dir.path().join("plugins");
    files::make_tree(&tree);
    file_transfer::make_tree(&transfer_tree);
    let state = node_dir.path().join("state");
    openclaw_files::private_dir(&state).unwrap();
    let grants = format!(
        "[plugins.file-transfer]\ncapabilities = [\"fs\"]\nfs = {{ allowReadPaths = [\"~\"], allowWritePaths = [\"{}\"] }}\n",
        transfer_tree.join("out").display()
    );
    openclaw_files::write_atomically(&state.join("plugin-grants.toml"), grants.as_bytes()).unwrap();
    let node_tmp = node_dir.path().join("tmp");
    std::fs::create_dir(&node_tmp).unwrap();
    let _node = OurNode(
        Command::new(bin())
            .args([
                "node",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--display-name",
                "rust-node",
                "--plugins",
            ])
            .arg(&plugins)
            .env("OPENCLAW_STATE_DIR", &state)
            .env("HOME", &node_home)
            .env("TMPDIR", &node_tmp)
            .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    let request = until(
        &cli,
        &["devices", "list", "--json"],
        pending_for("rust-node"),
    );
    assert_eq!(
        (request["clientId"].as_str(), request["platform"].as_str()),
        (Some("node-host"), Some("linux"))
    );
    let out = cli(&["devices", "approve", request["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));

    // Our node retries by itself and declares its surface, which the real gateway files.
    let surface = until(
        &cli,
        &["nodes", "pending", "--json"],
        pending_for("rust-node"),
    );
    let commands: Vec<&str> = surface["commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        commands,
        [
            "browser.proxy",
            "browser.proxy.upload.v1",
            "canvas.eval",
            "canvas.snapshot",
            "dir.fetch",
            "dir.list",
            "file.fetch",
            "file.stat",
            "file.write",
            "fs.listDir",
            "mcp.tools.call.v1",
            "system.execApprovals.get",
            "system.execApprovals.set",
            "system.notify",
            "system.run",
            "system.run.prepare",
            "system.which",
            "terminal.upload"
        ]
    );
    let out = cli(&["nodes", "approve", surface["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));

    let which = json_out(&cli(&[
        "nodes",
        "invoke",
        "--node",
        "rust-node",
        "--command",
        "system.which",
        "--params",
        r#"{"bins":["sh","no-such-binary-xyz"]}"#,
    ]));
    assert!(
        which["payload"]["bins"]["sh"]
            .as_str()
            .unwrap()
            .ends_with("/sh"),
        "{which}"
    );
    assert!(which["payload"]["bins"].get("no-such-binary-xyz").is_none());

    // The canvas, notify and browser plugins answer through the real gateway.
    let invoke = |command: &str, params: &str| {
        json_out(&cli(&[
            "nodes",
            "invoke",
            "--node",
            "rust-node",
            "--command",
            command,
            "--params",
            params,
        ]))
    };
    let title = invoke("canvas.eval", r#"{"javaScript":"navigator.userAgent"}"#);
    assert!(
        title["payload"]["result"]
            .as_str()
            .is_some_and(|ua| ua.contains("HeadlessChrome/")),
        "{title}"
    );
    let shot = invoke("canvas.snapshot", r#"{"format":"png","maxWidth":300}"#);
    assert_eq!(
        (
            shot["payload"]["format"].as_str(),
            shot["payload"]["width"].as_u64()
        ),
        (Some("png"), Some(300)),
        "{shot}"
    );
    let shown = invoke(
        "system.notify",
        r#"{"title":"From the real gateway","body":"hello"}"#,
    );
    assert_eq!(shown["payload"]["ok"], true, "{shown}");
    let received = notified.lock().unwrap().clone();
    assert_eq!(
        (received[0].title.as_str(), received[0].body.as_str()),
        ("From the real gateway", "hello")
    );
    // browser.proxy speaks the browser control API, as the real node host does.
    let status = invoke(
        "browser.proxy",
        r#"{"method":"GET","path":"/","errorEnvelope":"browser-v1"}"#,
    );
    assert_eq!(
        status["payload"]["route"],
        json!({"status": "resolved", "profile": "openclaw", "driver": "openclaw"}),
        "{status}"
    );
    assert_eq!(
        status["payload"]["result"]["profile"], "openclaw",
        "{status}"
    );

    // fs.listDir: the calls made of the real node host in `theirs_on_ours`, the same answers.
    files::check_calls(&tree, &node_home, |params| {
        cli(&[
            "nodes",
            "invoke",
            "--node",
            "rust-node",
            "--command",
            "fs.listDir",
            "--params",
            params,
        ])
    });

    // The file-transfer commands and terminal.upload: the answers `theirs_on_ours` expects
    // of the real node host for the same calls.
    file_transfer::check_calls(&transfer_tree, |command, params| {
        cli(&[
            "nodes",
            "invoke",
            "--node",
            "rust-node",
            "--command",
            command,
            "--params",
            params,
        ])
    });
    file_transfer::check_uploads(&node_tmp, |params| {
        cli(&[
            "nodes",
            "invoke",
            "--node",
            "rust-node",
            "--command",
            "terminal.upload",
            "--params",
            params,
        ])
    });

    // Exec approvals edited by the real CLI, enforced by our host.
    let set = real::cli_stdin(
        home.path(),
        &[
            "approvals",
            "set",
            "--node",
            "rust-node",
            "--stdin",
            "--url",
            &format!("ws://127.0.0.1:{port}"),
            "--token",
            TOKEN,
        ],
        r#"{ version: 1, defaults: { security: "allowlist", ask: "off", askFallback: "deny" } }"#,
    );
    assert!(set.status.success(), "{}", text(&set));
    let out = cli(&[
        "approvals",
        "allowlist",
        "add",
        "--node",
        "rust-node",
        "/usr/bin/echo",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let got = cli(&["approvals", "get", "--node", "rust-node"]);
    assert!(
        text(&got).contains("/usr/bin/") && text(&got).contains("security=allowlist"),
        "{}",
        text(&got)
    );
    let node_id = which["nodeId"].as_str().unwrap();
    let run = |argv: Value, key: &str| {
        let params = InvokeParams::new(
            node_id,
            "system.run",
            json!({"command": argv, "agentId": "main"}),
            key,
        )
        .to_value();
        cli(&[
            "gateway",
            "call",
            "node.invoke",
            "--json",
            "--params",
            &params.to_string(),
        ])
    };
    let allowed = json_out(&run(json!(["echo", "hi"]), "ours-run-1"));
    assert_eq!(
        allowed["payloadJSON"],
        r#"{"exitCode":0,"timedOut":false,"success":true,"stdout":"hi\n","stderr":"","error":null}"#
    );
    let denied = run(json!(["uname", "-a"]), "ours-run-2");
    assert!(
        text(&denied).contains("SYSTEM_RUN_DENIED: SYSTEM_RUN_DENIED: allowlist miss"),
        "{}",
        text(&denied)
    );

    // A plugin dropped in while connected: our node reconnects with the new surface, the real
    // gateway asks for approval, and then the command answers.
    copy_in(&tag, &plugins.join("tag.wasm"));
    let widened = until(&cli, &["nodes", "pending", "--json"], |v| {
        pending_for("rust-node")(v).filter(|p| {
            p["commands"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c == "fixture.tag"))
        })
    });
    let out = cli(&["nodes", "approve", widened["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let tagged = json_out(&cli(&[
        "nodes",
        "invoke",
        "--node",
        "rust-node",
        "--command",
        "fixture.tag",
        "--params",
        "{}",
    ]));
    assert_eq!(tagged["payload"], json!({"version": "v1"}));
}
