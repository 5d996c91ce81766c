//! The state dirs of a real gateway and node host keep their secrets to their owner: every
//! dir 0700 and every file 0600 from the start, and a looser state dir found at start is
//! tightened, with a warning that says so.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Everything under `dir` (and `dir`) that another user could read.
fn readable_by_others(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            continue;
        }
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            found.push((path.clone(), mode));
        }
        if meta.is_dir() {
            stack.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
        }
    }
    found
}

fn eventually_exists(path: &Path) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !path.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    path.exists()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_and_node_state_is_private_and_loose_state_is_tightened() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gateway-state");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("openclaw.json"), default_config().to_string()).unwrap();
    set_mode(&dir, 0o755);
    set_mode(&dir.join("openclaw.json"), 0o644);
    let gw = GatewayProc::spawn(&dir, &[], &[]);
    // NodeProc writes its state dir 0755 and its openclaw.json 0644, as a user might.
    let node = NodeProc::start(&gw, "private-node");
    let op = gw.operator().await;
    pair(&op, "private-node").await;
    assert!(dir.join("gateway.sqlite-wal").exists());
    assert!(node.state.join("identity/device.json").exists());
    // The node keeps its device token just after its hello, a moment after the gateway lists it.
    assert!(eventually_exists(&node.state.join("node.json")));
    assert_eq!(readable_by_others(&dir), vec![]);
    assert_eq!(readable_by_others(&node.state), vec![]);

    // The self-signed certificate's key, generated at the first `--tls` start.
    let tls_dir = tmp.path().join("tls-state");
    let _tls = GatewayProc::spawn(&tls_dir, &["--tls"], &[]);
    assert!(tls_dir.join("gateway/tls/gateway-key.pem").exists());
    assert_eq!(readable_by_others(&tls_dir), vec![]);
}

#[test]
fn a_node_that_finds_loose_state_tightens_it_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    std::fs::create_dir(&state).unwrap();
    std::fs::write(state.join("exec-approvals.json"), r#"{"version":1}"#).unwrap();
    set_mode(&state, 0o755);
    set_mode(&state.join("exec-approvals.json"), 0o644);
    let mut child = Command::new(bin())
        .args(["node", "run", "--host", "127.0.0.1", "--port", "1"])
        .env("OPENCLAW_STATE_DIR", &state)
        .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let warnings: Vec<String> = stderr
        .lines()
        .map_while(Result::ok)
        .take_while(|l| l.starts_with("warning: "))
        .collect();
    child.kill().ok();
    child.wait().ok();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[1]
            .ends_with("exec-approvals.json was readable by others (mode 644); it is now 600"),
        "{warnings:?}"
    );
    assert_eq!(readable_by_others(&state), vec![]);
}

/// Whoever can write into the plugins dir runs code on the node: one the node makes is its
/// owner's alone, so no other local user can drop a plugin into it.
#[test]
fn a_plugins_dir_the_node_makes_is_private() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("new/plugins");
    let mut child = Command::new(bin())
        .args([
            "node",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            "1",
            "--plugins",
        ])
        .arg(&plugins)
        .env("OPENCLAW_STATE_DIR", tmp.path().join("state"))
        .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually_exists(&plugins);
    child.kill().ok();
    child.wait().ok();
    let mode = std::fs::metadata(&plugins).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "plugins dir mode {mode:o}");
}
