//! The real `openclaw browser` CLI, through the real gateway (pinned to one node with
//! `gateway.nodes.browser.node`), drives our node's browser and then the real node host's,
//! over the same test page: the same commands, the same shapes, the same effects on the page.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use openclaw_test_support::bin;
use openclaw_test_support::pages::Pages;
use openclaw_test_support::real::{self, text, RealProc};
use serde_json::{json, Value};

use crate::ours_on_theirs::{json_out, pending_for, until, OurNode};

const TOKEN: &str = "interop-browser-token";

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// What one node's browser did for the same commands.
struct Run {
    status_before: Value,
    status_running: Value,
    opened: Value,
    snapshot: Value,
    typed: Value,
    clicked: Value,
    pressed: Value,
    out_text: Value,
    screenshot: Value,
    pdf: Value,
    downloaded: Value,
    uploaded: Value,
    /// The page's file input after the upload, as `name:size:type`.
    chosen: Value,
    console: Value,
    tabs: Value,
}

/// The ref the snapshot gives the element with `role` and `name`.
fn ref_of(snapshot: &Value, role: &str, name: &str) -> String {
    snapshot["refs"]
        .as_object()
        .and_then(|refs| {
            refs.iter()
                .find(|(_, v)| v["role"] == role && v["name"] == name)
        })
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| panic!("no {role} {name:?} in {snapshot}"))
}

/// `upload` is a file of the gateway's, which it sends to the node inside the request.
fn drive(cli: &dyn Fn(&[&str]) -> Output, pages: &Pages, upload: &Path) -> Run {
    let browser = |args: &[&str]| {
        let mut all = vec!["browser", "--json"];
        all.extend(args);
        json_out(&cli(&all))
    };
    let status_before = browser(&["status"]);
    browser(&["start"]);
    let status_running = browser(&["status"]);
    let opened = browser(&["open", &format!("{}/", pages.base)]);
    let target = opened["targetId"].as_str().unwrap().to_string();
    let snapshot = browser(&["snapshot", "--target-id", &target]);
    let name = ref_of(&snapshot, "textbox", "Name");
    let submit = ref_of(&snapshot, "button", "Submit");
    let typed = browser(&["type", &name, "Bob", "--target-id", &target]);
    let clicked = browser(&["click", &submit, "--target-id", &target]);
    let pressed = browser(&["press", "Tab", "--target-id", &target]);
    let evaluated = browser(&[
        "evaluate",
        "--fn",
        "() => document.getElementById('out').textContent",
        "--target-id",
        &target,
    ]);
    let screenshot = browser(&["screenshot", &target]);
    let pdf = browser(&["pdf", "--target-id", &target]);
    let link = ref_of(&snapshot, "link", "Download report");
    let input = ref_of(&snapshot, "button", "Upload file");
    let downloaded = browser(&[
        "download",
        &link,
        "interop-report.txt",
        "--target-id",
        &target,
    ]);
    let uploaded = browser(&[
        "upload",
        upload.to_str().unwrap(),
        "--input-ref",
        &input,
        "--target-id",
        &target,
    ]);
    let chosen = browser(&[
        "evaluate",
        "--fn",
        "() => Array.from(document.getElementById('file').files).map(f => f.name + ':' + f.size + ':' + f.type)",
        "--target-id",
        &target,
    ]);
    let console = browser(&["console", "--target-id", &target]);
    let tabs = browser(&["tabs"]);
    browser(&["stop"]);
    Run {
        status_before,
        status_running,
        opened,
        snapshot,
        typed,
        clicked,
        pressed,
        out_text: evaluated["result"].clone(),
        screenshot,
        pdf,
        downloaded,
        uploaded,
        chosen: chosen["result"].clone(),
        console,
        tabs,
    }
}

/// A node's device request and surface, approved with the real CLI.
fn approve(cli: &dyn Fn(&[&str]) -> Output, name: &str) {
    let request = until(cli, &["devices", "list", "--json"], pending_for(name));
    let out = cli(&["devices", "approve", request["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
}

fn approve_surface(cli: &dyn Fn(&[&str]) -> Output, name: &str) {
    let surface = until(cli, &["nodes", "pending", "--json"], pending_for(name));
    let out = cli(&["nodes", "approve", surface["requestId"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
}

fn start_real_node(home: &Path, port: u16) -> RealProc {
    real::write_browser_node_config(home);
    real::node_host(
        home,
        &port.to_string(),
        "real-browser",
        &[("OPENCLAW_GATEWAY_TOKEN", TOKEN)],
    )
}

fn file_at(path: &Value) -> Vec<u8> {
    let path = path.as_str().unwrap_or_else(|| panic!("no path: {path}"));
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_real_browser_cli_drives_our_node_as_it_drives_its_own() {
    let pages = Pages::start();
    let home = tempfile::tempdir().unwrap();
    let port = real::free_port();
    let pin = json!({
        "browser": {"enabled": false},
        "gateway": {"nodes": {"browser": {"mode": "manual", "node": "rust-browser"}}},
    });
    let _gateway = real::gateway_with(home.path(), port, TOKEN, &["browser.proxy"], pin);
    let url = format!("ws://127.0.0.1:{port}");
    let cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &url, "--token", TOKEN]);
        real::cli(home.path(), &all)
    };

    let node_dir = tempfile::tempdir().unwrap();
    let state = node_dir.path().join("state");
    openclaw_files::private_dir(&state).unwrap();
    let _ours = OurNode(
        Command::new(bin())
            .args([
                "node",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .args(["--display-name", "rust-browser"])
            .env("OPENCLAW_STATE_DIR", &state)
            .env("HOME", node_dir.path())
            .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    approve(&cli, "rust-browser");
    approve_surface(&cli, "rust-browser");
    // A file of the gateway's inbound media, which `browser upload` may send.
    let inbound = home.path().join(".openclaw/media/inbound");
    openclaw_files::private_dir(&inbound).unwrap();
    let upload = inbound.join("interop-upload.txt");
    openclaw_files::write_atomically(&upload, b"from the gateway\n").unwrap();
    let ours = drive(&cli, &pages, &upload);

    // The same commands on the real node host, the pin moved to it.
    let real_home = tempfile::tempdir().unwrap();
    let first = start_real_node(real_home.path(), port);
    approve(&cli, "real-browser");
    // After approval the real node host waits for a restart.
    drop(first);
    let _theirs = start_real_node(real_home.path(), port);
    approve_surface(&cli, "real-browser");
    let out = real::cli(
        home.path(),
        &[
            "config",
            "set",
            "gateway.nodes.browser.node",
            "real-browser",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let theirs = until(&cli, &["browser", "--json", "status"], |s| {
        // The pin has moved once the real node answers (it reports its own executable).
        (s["executablePath"] == "/usr/bin/chromium").then(|| s.clone())
    });
    assert_eq!(theirs["running"], false);
    let theirs = drive(&cli, &pages, &upload);

    for (what, a, b) in [
        ("status", &ours.status_before, &theirs.status_before),
        (
            "status running",
            &ours.status_running,
            &theirs.status_running,
        ),
        (
            "graphics",
            &ours.status_running["graphics"],
            &theirs.status_running["graphics"],
        ),
        ("open", &ours.opened, &theirs.opened),
        ("type", &ours.typed, &theirs.typed),
        ("click", &ours.clicked, &theirs.clicked),
        ("press", &ours.pressed, &theirs.pressed),
        ("screenshot", &ours.screenshot, &theirs.screenshot),
        ("pdf", &ours.pdf, &theirs.pdf),
        ("download", &ours.downloaded, &theirs.downloaded),
        (
            "download.download",
            &ours.downloaded["download"],
            &theirs.downloaded["download"],
        ),
        ("upload", &ours.uploaded, &theirs.uploaded),
        ("console", &ours.console, &theirs.console),
    ] {
        let (ka, kb) = (keys(a), keys(b));
        // Our browser is driven over a pipe: there is no DevTools address to report.
        let missing: Vec<_> = kb.difference(&ka).filter(|k| *k != "wsUrl").collect();
        assert!(
            missing.is_empty(),
            "{what}: ours lacks {missing:?}\nours: {a}\ntheirs: {b}"
        );
    }
    for run in [&ours, &theirs] {
        assert_eq!(run.status_before["running"], false);
        let graphics = &run.status_running["graphics"];
        assert_eq!(graphics["status"], "available", "{graphics}");
        assert_eq!(graphics["acceleration"], "software", "{graphics}");
        assert_eq!(
            (&run.opened["tabId"], &run.opened["suggestedTargetId"]),
            (&json!("t1"), &json!("t1"))
        );
        let text = run.snapshot["snapshot"].as_str().unwrap();
        assert!(
            text.contains("- textbox \"Name\" [ref=") && text.contains("- button \"Submit\" [ref="),
            "{text}"
        );
        assert_eq!(
            keys(&run.snapshot["stats"]),
            keys(&theirs.snapshot["stats"])
        );
        assert_eq!(run.typed["ok"], true);
        assert_eq!(
            run.out_text, "Hello Bob",
            "the click submitted what was typed"
        );
        assert!(file_at(&run.screenshot["path"]).starts_with(b"\x89PNG"));
        assert!(file_at(&run.pdf["path"]).starts_with(b"%PDF-"));
        let download = &run.downloaded["download"];
        assert_eq!(download["suggestedFilename"], "report.txt", "{download}");
        assert_eq!(
            file_at(&download["path"]),
            b"report line 1\nreport line 2\n",
            "the download reached the gateway"
        );
        assert_eq!(run.uploaded["ok"], true, "{}", run.uploaded);
        assert_eq!(
            run.chosen,
            json!(["interop-upload.txt:17:text/plain"]),
            "the gateway's file reached the page"
        );
        let messages = run.console["messages"].as_array().unwrap();
        let submitted = messages
            .iter()
            .find(|m| m["text"] == "submitted Bob")
            .expect("the submit's log");
        assert_eq!(
            keys(submitted),
            keys(&json!({"type": 0, "text": 0, "timestamp": 0, "location": 0}))
        );
        assert_eq!(
            keys(&submitted["location"]),
            ["column", "columnNumber", "line", "lineNumber", "url"]
                .map(String::from)
                .into()
        );
    }
    // The tab as the real lists its tabs (seen in an earlier run of the real node host, whose
    // own list came back empty at this point of this run), less the DevTools address.
    let tabs = ours.tabs["tabs"].as_array().unwrap();
    assert_eq!(tabs.len(), 1, "{}", ours.tabs);
    let listed: BTreeSet<String> = [
        "suggestedTargetId",
        "tabId",
        "targetId",
        "title",
        "type",
        "url",
    ]
    .map(String::from)
    .into();
    assert_eq!(keys(&tabs[0]), listed);
}
