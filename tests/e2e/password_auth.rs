//! Password auth (`gateway.auth.mode=password`), as the real gateway has it: the right password
//! admits our CLI and our node; a missing or wrong one gets the real codes; failed attempts are
//! rate-limited per client address; `none` is refused off loopback.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use openclaw_client::{connect, ConnectOptions};
use openclaw_test_support::bin;
use openclaw_test_support::gateway::{default_config, operator_connect, GatewayProc, RawConn};
use openclaw_test_support::node::{pair, NodeProc};
use serde_json::{json, Value};

const PASSWORD: &str = "e2e-gateway-password";

fn password_config(extra_auth: Value) -> Value {
    let mut config = default_config();
    let mut auth = json!({"mode": "password", "password": PASSWORD});
    for (k, v) in extra_auth.as_object().unwrap() {
        auth[k] = v.clone();
    }
    config["gateway"]["auth"] = auth;
    config
}

/// `openclaw <args>` with a state dir of its own and no gateway secrets in the environment.
fn cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(bin())
        .args(args)
        .env("OPENCLAW_STATE_DIR", home.path())
        .env_remove("OPENCLAW_GATEWAY_TOKEN")
        .env_remove("OPENCLAW_GATEWAY_PASSWORD")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn connect_frame(auth: Value, mode: &str) -> String {
    let mut v: Value = serde_json::from_str(&operator_connect("1", 4, 4, "x")).unwrap();
    v["params"]["auth"] = auth;
    v["params"]["client"]["mode"] = json!(mode);
    v["params"]["client"]["id"] = json!(if mode == "cli" {
        "cli"
    } else {
        "gateway-client"
    });
    v.to_string()
}

async fn attempt(url: &str, auth: Value, mode: &str) -> (Value, Option<u16>) {
    let mut raw = RawConn::open(url).await;
    raw.send(connect_frame(auth, mode)).await;
    let res = raw.next_json().await.expect("a response");
    if res["ok"] == true {
        return (res, None);
    }
    (res["error"].clone(), raw.close_code().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_mode_admits_our_cli_and_node_and_names_what_is_wrong() {
    let gw = GatewayProc::start_with(password_config(json!({})), &[], &[]);

    // Our CLI: --password, then OPENCLAW_GATEWAY_PASSWORD.
    let out = cli(
        &["nodes", "status", "--url", &gw.url, "--password", PASSWORD],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        &["devices", "list", "--url", &gw.url],
        &[("OPENCLAW_GATEWAY_PASSWORD", PASSWORD)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        &["nodes", "status", "--url", &gw.url, "--password", "wrong"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("AUTH_PASSWORD_MISMATCH")
            && err.contains(
                "unauthorized: gateway password mismatch (use this gateway's gateway.auth.password)"
            ),
        "{err}"
    );
    // The shared token is no password.
    let out = cli(
        &["nodes", "status", "--url", &gw.url],
        &[("OPENCLAW_GATEWAY_TOKEN", "e2e-gateway-token")],
    );
    assert_eq!(out.status.code(), Some(1));

    // The real codes, messages and advice.
    let (e, close) = attempt(&gw.url, json!({}), "backend").await;
    assert_eq!(
        e["message"],
        "unauthorized: gateway password missing (provide gateway auth password)"
    );
    assert_eq!(e["details"]["code"], "AUTH_PASSWORD_MISSING");
    assert_eq!(e["details"]["authReason"], "password_missing");
    assert_eq!(
        e["details"]["recommendedNextStep"],
        "update_auth_configuration"
    );
    assert_eq!(close, Some(1008));
    let (e, close) = attempt(&gw.url, json!({"password": "nope"}), "backend").await;
    assert_eq!(e["code"], "INVALID_REQUEST");
    assert_eq!(
        e["message"],
        "unauthorized: gateway password mismatch (provide gateway auth password)"
    );
    assert_eq!(e["details"]["code"], "AUTH_PASSWORD_MISMATCH");
    assert_eq!(
        e["details"]["recommendedNextStep"],
        "update_auth_credentials"
    );
    assert_eq!(e["details"]["canRetryWithDeviceToken"], false);
    assert_eq!(close, Some(1008));
    let (hello, _) = attempt(&gw.url, json!({"password": PASSWORD}), "cli").await;
    assert_eq!(hello["payload"]["auth"]["role"], "operator", "{hello}");

    // Our node with OPENCLAW_GATEWAY_PASSWORD pairs and connects.
    let mut opts = ConnectOptions::operator(&gw.url, None, &["operator.admin"]);
    opts.auth.password = Some(PASSWORD.into());
    let (op, _) = connect(&opts).await.expect("operator with the password");
    let _node = NodeProc::start_in(
        &gw,
        "pw-node",
        json!({}),
        &[("OPENCLAW_GATEWAY_PASSWORD", PASSWORD)],
    );
    let node_id = pair(&op, "pw-node").await;
    let list = op.request("node.list", json!({})).await.unwrap();
    let node = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["nodeId"] == node_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(node["connected"], true, "{node}");

    // A node with the wrong password stops (exit 1), naming the code.
    let home = tempfile::tempdir().unwrap();
    let port = gw.url.rsplit(':').next().unwrap();
    let out = Command::new(bin())
        .args(["node", "run", "--host", "127.0.0.1", "--port", port])
        .env("OPENCLAW_STATE_DIR", home.path())
        .env_remove("OPENCLAW_GATEWAY_TOKEN")
        .env("OPENCLAW_GATEWAY_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gateway password mismatch"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_passwords_lock_the_address_out_after_ten() {
    // Loopback is exempt by default (as the real), so the test turns the exemption off.
    let gw = GatewayProc::start_with(
        password_config(json!({"rateLimit": {"exemptLoopback": false}})),
        &[],
        &[],
    );
    for i in 0..10 {
        let (e, _) = attempt(
            &gw.url,
            json!({"password": format!("guess-{i}")}),
            "backend",
        )
        .await;
        assert_eq!(
            e["details"]["code"], "AUTH_PASSWORD_MISMATCH",
            "attempt {i}: {e}"
        );
    }
    // Now even the right password is refused, and told when to come back.
    let (e, close) = attempt(&gw.url, json!({"password": PASSWORD}), "backend").await;
    assert_eq!(e["code"], "INVALID_REQUEST");
    assert_eq!(
        e["message"],
        "unauthorized: too many failed authentication attempts (retry later)"
    );
    assert_eq!(e["details"]["code"], "AUTH_RATE_LIMITED");
    assert_eq!(e["details"]["authReason"], "rate_limited");
    assert_eq!(e["details"]["recommendedNextStep"], "wait_then_retry");
    assert_eq!(e["retryable"], true);
    let retry = e["retryAfterMs"].as_u64().unwrap();
    assert!(retry > 290_000 && retry <= 300_000, "{retry}");
    assert_eq!(close, Some(1008));
    // Connecting without a shared secret is not counted against (nor blocked by) the limiter.
    let (e, _) = attempt(&gw.url, json!({}), "backend").await;
    assert_eq!(e["details"]["code"], "AUTH_PASSWORD_MISSING");

    // With the default policy, loopback is slowed down instead: 250 ms, then 500 ms.
    let gw = GatewayProc::start_with(password_config(json!({})), &[], &[]);
    for floor in [250, 500] {
        let started = Instant::now();
        let (e, _) = attempt(&gw.url, json!({"password": "guess"}), "backend").await;
        assert_eq!(e["details"]["code"], "AUTH_PASSWORD_MISMATCH");
        assert!(
            started.elapsed() >= Duration::from_millis(floor),
            "{:?}",
            started.elapsed()
        );
    }
    let (hello, _) = attempt(&gw.url, json!({"password": PASSWORD}), "backend").await;
    assert_eq!(hello["ok"], true, "{hello}");
}

#[test]
fn no_auth_is_refused_off_loopback_and_password_mode_needs_a_password() {
    let run = |args: &[&str]| {
        let out = cli(args, &[]);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, err) = run(&[
        "gateway", "run", "--port", "0", "--auth", "none", "--bind", "0.0.0.0",
    ]);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("Refusing to bind gateway to 0.0.0.0 without auth.\nSet gateway.auth.token/password (or OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD) or pass --token/--password."),
        "{err}"
    );
    let (code, err) = run(&["gateway", "run", "--port", "0", "--auth", "password"]);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("Gateway auth is set to password, but no password is configured."),
        "{err}"
    );
    let (code, err) = run(&["gateway", "run", "--port", "0", "--auth", "sometimes"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("Invalid --auth."), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_auth_on_loopback_admits_anyone() {
    let gw = GatewayProc::start_with(default_config(), &["--auth", "none"], &[]);
    let (hello, _) = attempt(&gw.url, json!({}), "cli").await;
    assert_eq!(hello["ok"], true, "{hello}");
    assert_eq!(hello["payload"]["auth"]["role"], "operator");
    let out = cli(&["nodes", "status", "--url", &gw.url], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
