//! Our `approvals pending|resolve` against the real gateway, side by side with the real CLI,
//! and our `nodes run` waiting there for an approval that the real CLI gives or refuses.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use openclaw_test_support::bin;
use openclaw_test_support::real::{self, text};
use serde_json::{json, Value};

use crate::ours_on_theirs::{json_out, our_paired_node, ASKING_POLICY};

const TOKEN: &str = "interop-approvals-cli-token";

/// Our CLI with its own HOME, talking to the gateway at `url`.
fn ours(home: &Path, url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .args(["--url", url, "--token", TOKEN])
        .env("HOME", home)
        .env("OPENCLAW_STATE_DIR", home.join(".openclaw"))
        .env_remove("OPENCLAW_GATEWAY_TOKEN")
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
    cmd
}

pub(crate) fn said(out: &Output) -> (Option<i32>, String, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An exec approval for a node command, filed by a real operator and kept pending without a
/// live approval client.
fn file_request(cli: &dyn Fn(&[&str]) -> Output, id: &str, command: &str, ask: &str) {
    let argv: Vec<&str> = command.split(' ').collect();
    let params = json!({
        "id": id, "host": "node", "nodeId": "some-node", "commandArgv": argv,
        "systemRunPlan": {"argv": argv, "cwd": "/srv", "commandText": command,
                          "agentId": "main", "sessionKey": "agent:main:main"},
        "cwd": "/srv", "ask": ask, "timeoutMs": 1_800_000, "twoPhase": true,
        "requireDeliveryRoute": false,
    });
    let out = cli(&[
        "gateway",
        "call",
        "exec.approval.request",
        "--json",
        "--params",
        &params.to_string(),
    ]);
    assert_eq!(json_out(&out)["status"], "accepted", "{}", text(&out));
}

#[test]
fn our_approvals_queue_reads_and_answers_as_the_real_cli() {
    let home = tempfile::tempdir().unwrap();
    let mine = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let url = format!("ws://127.0.0.1:{port}");
    let _gateway = real::gateway(home.path(), port, TOKEN, &[], Value::Null);
    let theirs = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &url, "--token", TOKEN]);
        real::cli(home.path(), &all)
    };
    let ours = |args: &[&str]| ours(mine.path(), &url, args).output().unwrap();

    // Nothing yet, in words and in JSON.
    for args in [
        &["approvals", "pending"][..],
        &["approvals", "pending", "--json"],
    ] {
        assert_eq!(said(&ours(args)), said(&theirs(args)), "{args:?}");
    }
    file_request(&theirs, "appr-once", "uname -a", "on-miss");
    file_request(&theirs, "appr-strict", "make test", "always");
    // An id a terminal could be fooled by: shown as an id64_ token.
    file_request(&theirs, "-odd", "echo odd", "on-miss");
    let long = format!("printf {}", "x".repeat(120));
    file_request(&theirs, "appr-long", &long, "on-miss");

    let listed = json_out(&ours(&["approvals", "pending", "--json"]));
    assert_eq!(listed["approvals"].as_array().unwrap().len(), 4, "{listed}");
    for args in [
        &["approvals", "pending", "--json"][..],
        &["approvals", "pending"],
        &["exec-approvals", "pending"],
    ] {
        let (code, stdout, stderr) = said(&ours(args));
        assert_eq!(
            (code, stdout, stderr),
            said(&theirs(args)),
            "{args:?} differs from the real CLI"
        );
    }
    let table = said(&ours(&["approvals", "pending"])).1;
    assert!(table.contains("id64_LQBvAGQAZAA"), "{table}");
    assert!(table.contains("xx...  "), "{table}");
    assert!(table.contains(&format!("appr-long: {long}\n")), "{table}");

    // Refusals: the same words, the same exit code, the same JSON envelope.
    let refusals: [&[&str]; 7] = [
        &["approvals", "resolve", "appr-once", "maybe"],
        &["approvals", "resolve", "nope", "allow-once"],
        &["approvals", "resolve", "nope", "allow-once", "--json"],
        &["approvals", "resolve", "appr-strict", "allow-always"],
        &[
            "approvals",
            "resolve",
            "appr-once",
            "allow-once",
            "--expires-in-days",
            "3",
        ],
        &[
            "approvals",
            "resolve",
            "appr-once",
            "allow-always",
            "--expires-in-days",
            "0",
        ],
        &[
            "approvals",
            "resolve",
            "appr-once",
            "deny",
            "--reason",
            "  ",
        ],
    ];
    for args in refusals {
        let (code, stdout, stderr) = said(&ours(args));
        let (real_code, real_stdout, real_stderr) = said(&theirs(args));
        assert_eq!(
            (code, &stdout),
            (real_code, &real_stdout),
            "{args:?}: {stderr}"
        );
        let first = |s: &str| s.lines().next().unwrap_or("").to_string();
        assert_eq!(first(&stderr), first(&real_stderr), "{args:?}");
    }

    // Ours decides; the real CLI and ours then read the same settled record.
    let (code, stdout, _) = said(&ours(&[
        "approvals",
        "resolve",
        "appr-once",
        "allow-once",
        "--reason",
        "expected",
    ]));
    assert_eq!(code, Some(0));
    let by = stdout
        .strip_prefix("Approval appr-once resolved allow-once by ")
        .and_then(|rest| rest.strip_suffix("; CLI reason: expected.\n"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(!by.is_empty());
    for args in [
        &["approvals", "resolve", "appr-once", "allow-once"][..],
        &["approvals", "resolve", "appr-once", "allow-once", "--json"],
        &["approvals", "resolve", "appr-once", "deny"],
    ] {
        assert_eq!(said(&ours(args)), said(&theirs(args)), "{args:?}");
    }
    let again = said(&ours(&["approvals", "resolve", "appr-once", "allow-once"])).1;
    assert_eq!(
        again,
        format!("Approval appr-once already resolved (same decision: allow-once) by {by}.\n")
    );

    // The token resolves the odd id; JSON carries the record and the local note.
    let out = ours(&[
        "exec-approvals",
        "resolve",
        "id64_LQBvAGQAZAA",
        "deny",
        "--json",
        "--reason",
        "not now",
    ]);
    let resolved = json_out(&out);
    assert_eq!(
        (
            &resolved["applied"],
            &resolved["alreadyResolved"],
            &resolved["cliReason"]
        ),
        (&json!(true), &json!(false), &json!("not now"))
    );
    assert_eq!(resolved["approval"]["id"], "-odd");
    assert_eq!(resolved["approval"]["status"], "denied");
    let args = ["approvals", "resolve", "id64_LQBvAGQAZAA", "deny"];
    assert_eq!(said(&ours(&args)), said(&theirs(&args)));
    assert!(said(&ours(&args))
        .1
        .starts_with("Approval id64_LQBvAGQAZAA already resolved"));

    let left = json_out(&ours(&["approvals", "pending", "--json"]));
    let ids: Vec<&str> = left["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, ["appr-long", "appr-strict"]);
}

#[test]
fn our_nodes_run_waits_for_the_approval_the_real_cli_gives() {
    let home = tempfile::tempdir().unwrap();
    let mine = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let url = format!("ws://127.0.0.1:{port}");
    let _gateway = real::gateway(home.path(), port, TOKEN, &[], Value::Null);
    let theirs = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &url, "--token", TOKEN]);
        real::cli(home.path(), &all)
    };

    let node_dir = tempfile::tempdir().unwrap();
    let _node = our_paired_node(
        home.path(),
        &url,
        TOKEN,
        node_dir.path(),
        "asking-node",
        ASKING_POLICY,
    );

    // A miss on the node's allowlist: our CLI files the request and waits; the real CLI
    // lists it and allows it once.
    let run = |extra: &[&str], argv: &[&str]| {
        let mut args = vec!["nodes", "run", "--node", "asking-node"];
        args.extend_from_slice(extra);
        args.extend(["--url", &url, "--token", TOKEN, "--"]);
        args.extend_from_slice(argv);
        Command::new(bin())
            .args(&args)
            .env("HOME", mine.path())
            .env("OPENCLAW_STATE_DIR", mine.path().join(".openclaw"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The request our run files, as the real CLI lists it.
    let waiting_for = |child: &mut std::process::Child, command: &str| {
        for _ in 0..60 {
            let listed: Value =
                serde_json::from_slice(&theirs(&["approvals", "pending", "--json"]).stdout)
                    .unwrap_or_default();
            let found = listed["approvals"].as_array().and_then(|list| {
                list.iter()
                    .find(|a| a["summary"].as_str().is_some_and(|s| s.ends_with(command)))
                    .cloned()
            });
            if let Some(found) = found {
                return found;
            }
            if child.try_wait().unwrap().is_some() {
                let out = std::mem::replace(child, Command::new("true").spawn().unwrap());
                panic!(
                    "`nodes run` ended unasked: {}",
                    text(&out.wait_with_output().unwrap())
                );
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        panic!("no approval for {command} was filed");
    };
    let mut child = run(&["--ask", "on-miss"], &["uname", "-s"]);
    let pending = waiting_for(&mut child, "uname -s");
    let id = pending["id"].as_str().unwrap().to_string();
    assert_eq!(pending["kind"], "exec");
    let out = theirs(&["approvals", "resolve", &id, "allow-once"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = wait(child);
    let (code, stdout, stderr) = said(&out);
    assert_eq!((code, stdout.as_str()), (Some(0), "Linux\n"), "{stderr}");
    assert!(
        stderr.contains(&format!("Approval required (id {id}).")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "Resolve with: openclaw approvals resolve {id} allow-once|deny"
        )),
        "{stderr}"
    );

    // ask=always: asked before any run, allow-always is not offered, and a denial is final.
    let mut child = run(&["--ask", "always"], &["uname", "-m"]);
    let pending = waiting_for(&mut child, "uname -m");
    let id = pending["id"].as_str().unwrap().to_string();
    let out = theirs(&["approvals", "resolve", &id, "allow-always"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).lines().next(),
        Some("Decision allow-always is not allowed for exec approvals; allowed decisions: allow-once, deny.")
    );
    let out = theirs(&["approvals", "resolve", &id, "deny"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = wait(child);
    let (code, stdout, stderr) = said(&out);
    assert_eq!((code, stdout.as_str()), (Some(1), ""), "{stderr}");
    let nodes = json_out(&theirs(&["gateway", "call", "node.list", "--json"]));
    let node_id = nodes["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] == "asking-node")
        .and_then(|n| n["nodeId"].as_str())
        .unwrap()
        .to_string();
    let denied = format!("Exec denied (node={node_id} id={id}, user-denied): ");
    assert!(stderr.contains(&denied), "{stderr}");
}

/// The run's output, or a failure when it hangs.
pub(crate) fn wait(mut child: std::process::Child) -> Output {
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().ok();
    let out = child.wait_with_output().unwrap();
    panic!("`nodes run` did not finish: {}", text(&out));
}
