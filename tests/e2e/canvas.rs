//! The `canvas` and `browser` plugins through our gateway and node host, over the node's real
//! headless Chromium: pages, JavaScript, snapshots decoded as PNG, A2UI v0.8 rendering, and
//! `browser.proxy` to the node's Chromium.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};

/// The A2UI v0.8 surface the tests push: Column, Text, Card, Divider, Row, Button, Image,
/// List (from a template over the data model).
pub const A2UI_V08: &str = include_str!("data/a2ui-v08.jsonl");

/// The `canvas.eval` payload of `js`.
pub async fn eval(op: &openclaw_client::GatewayClient, id: &str, js: &str) -> Value {
    call(op, id, "canvas.eval", json!({ "javaScript": js })).await
}

/// Width, height and number of distinct colours of a base64 PNG.
fn decode_png(base64: &str) -> (u32, u32, usize) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let step = frame.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> =
        pixels[..frame.buffer_size()].chunks(step).collect();
    (frame.width, frame.height, colours.len())
}

fn write_page(dir: &Path) -> std::path::PathBuf {
    let page = dir.join("hello canvas.html");
    std::fs::write(
        &page,
        "<!doctype html><title>Canvas Test</title>\
         <body style='margin:0;background:#fff'>\
         <div style='width:300px;height:200px;background:#1e90ff'></div>\
         <h1 style='color:#c00'>hello</h1></body>",
    )
    .unwrap();
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_canvas_shows_a_local_page_runs_javascript_and_snapshots_it() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"nodeHost": {"canvas": {"root": dir.path()}}});
    let (_node, id) = start_paired(&gw, &op, "canvas-node", config).await;
    let page = write_page(dir.path());

    let shown = call(
        &op,
        &id,
        "canvas.present",
        json!({"url": page.to_str().unwrap(), "x": 0, "y": 0, "width": 800, "height": 600}),
    )
    .await;
    assert!(
        shown["url"].as_str().unwrap().starts_with("file:///"),
        "{shown}"
    );
    let title = eval(&op, &id, "document.title").await;
    assert_eq!(title, json!({"result": "Canvas Test"}));
    let width = eval(&op, &id, "innerWidth").await;
    assert_eq!(width["result"], 800, "present sizes the window");
    let awaited = eval(
        &op,
        &id,
        "new Promise(r => setTimeout(() => r({n: 42}), 10))",
    )
    .await;
    assert_eq!(awaited["result"], json!({"n": 42}), "promises are awaited");

    let shot = call(&op, &id, "canvas.snapshot", json!({"format": "png"})).await;
    assert_eq!(shot["format"], "png");
    let (w, h, colours) = decode_png(shot["base64"].as_str().unwrap());
    assert_eq!((w, shot["width"].as_u64().unwrap() as u32), (800, 800));
    assert_eq!(h, shot["height"].as_u64().unwrap() as u32);
    assert!(h > 400, "height {h}");
    assert!(colours >= 3, "a blank picture: {colours} colours");

    let small = call(
        &op,
        &id,
        "canvas.snapshot",
        json!({"format": "jpg", "maxWidth": 400, "quality": 0.5}),
    )
    .await;
    assert_eq!(
        (small["format"].as_str(), small["width"].as_u64()),
        (Some("jpeg"), Some(400))
    );
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(small["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(&jpeg[..3], &[0xff, 0xd8, 0xff], "a JPEG");

    // Hide keeps the page; the page sees it is hidden, and visible again on present.
    call(&op, &id, "canvas.hide", json!({})).await;
    let state = eval(&op, &id, "[document.title, document.visibilityState]").await;
    assert_eq!(state["result"], json!(["Canvas Test", "hidden"]));
    call(&op, &id, "canvas.present", json!({})).await;
    let state = eval(&op, &id, "document.visibilityState").await;
    assert_eq!(state["result"], "visible");

    let moved = call(
        &op,
        &id,
        "canvas.navigate",
        json!({"url": "data:text/html,<title>second</title>"}),
    )
    .await;
    assert_eq!(moved["url"], "data:text/html,<title>second</title>");
    let title = eval(&op, &id, "document.title").await;
    assert_eq!(title["result"], "second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_a2ui_v08_push_renders_and_v09_is_refused() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, id) = start_paired(&gw, &op, "a2ui-node", json!({})).await;
    call(
        &op,
        &id,
        "canvas.present",
        json!({"width": 1200, "height": 800}),
    )
    .await;
    let before = call(&op, &id, "canvas.snapshot", json!({"format": "png"})).await;

    let pushed = call(&op, &id, "canvas.a2ui.push", json!({"jsonl": A2UI_V08})).await;
    assert_eq!(pushed["surfaces"], json!(["main"]), "{pushed}");
    assert_eq!(pushed["messages"], 3);
    let text = eval(&op, &id, "document.getElementById('a2ui-root').innerText").await;
    let text = text["result"].as_str().unwrap();
    for expected in [
        "Hello from A2UI",
        "All systems go",
        "Confirm",
        "First item",
        "Second item",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    let parts = eval(&op, &id, "['h1', '.a2ui-card', 'hr', 'button.a2ui-primary', 'img', '.a2ui-row', '.a2ui-list > *'].map(s => document.querySelectorAll(s).length)").await;
    assert_eq!(parts["result"], json!([1, 1, 1, 1, 1, 1, 2]));

    let after = call(&op, &id, "canvas.snapshot", json!({"format": "png"})).await;
    assert_ne!(
        after["base64"], before["base64"],
        "the snapshot shows the surface"
    );
    let (w, h, colours) = decode_png(after["base64"].as_str().unwrap());
    println!("A2UI snapshot: {w}x{h} px, {colours} colours");
    assert_eq!(w, 1200);
    assert!(colours > 10, "{colours} colours");

    // A data-model update alone redraws; a v0.9 message changes nothing.
    call(
        &op,
        &id,
        "canvas.a2ui.push",
        json!({"messages": [{"dataModelUpdate": {"surfaceId": "main", "contents": [{"key": "status", "valueString": "Degraded"}]}}]}),
    )
    .await;
    let (code, msg) = refused(
        &op,
        &id,
        "canvas.a2ui.push",
        json!({"jsonl": "{\"version\":\"v0.9\",\"createSurface\":{\"surfaceId\":\"x\",\"catalogId\":\"c\"}}"}),
    )
    .await;
    assert_eq!(code, "INVALID_REQUEST");
    assert!(
        msg.contains("A2UI v0.9 (createSurface) is not supported"),
        "{msg}"
    );
    let (_, msg) = refused(
        &op,
        &id,
        "canvas.a2ui.push",
        json!({"jsonl": format!("{}\n{{\"beginRendering\": nope}}", A2UI_V08.lines().next().unwrap())}),
    )
    .await;
    assert!(msg.contains("jsonl line 2: invalid JSON"), "{msg}");
    let card = eval(&op, &id, "document.querySelector('.a2ui-card').innerText").await;
    assert_eq!(card["result"], "Degraded");

    call(&op, &id, "canvas.a2ui.reset", json!({})).await;
    let left = eval(
        &op,
        &id,
        "document.querySelectorAll('.a2ui-surface').length",
    )
    .await;
    assert_eq!(left["result"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_canvas_input_fails_clearly_and_chromium_comes_back_after_a_crash() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "bad-canvas-node", json!({})).await;

    let (code, msg) = refused(
        &op,
        &id,
        "canvas.navigate",
        json!({"url": "/no/such/page.html"}),
    )
    .await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "INVALID_REQUEST",
            "INVALID_REQUEST: file not found: /no/such/page.html"
        )
    );
    // The node's own secrets, and anything else outside the canvas root, are not pages.
    let key = node.state.join("identity/device.json");
    let config = node.state.join("openclaw.json");
    for secret in [
        key.display().to_string(),
        format!("file://{}", config.display()),
        node.state
            .join("canvas/../identity/device.json")
            .display()
            .to_string(),
        "/etc/passwd".to_string(),
    ] {
        let (code, msg) = refused(&op, &id, "canvas.navigate", json!({"url": secret})).await;
        assert_eq!(code, "INVALID_REQUEST", "{secret}");
        assert!(
            msg.contains("is outside the canvas root"),
            "{secret}: {msg}"
        );
    }
    let (_, msg) = refused(&op, &id, "canvas.present", json!({"url": key})).await;
    assert!(msg.contains("is outside the canvas root"), "{msg}");
    // Cloud metadata is refused by the node's own policy, before anything is sent.
    let (code, msg) = refused(
        &op,
        &id,
        "canvas.navigate",
        json!({"url": "http://169.254.169.254/latest/meta-data/"}),
    )
    .await;
    assert_eq!(code, "INVALID_REQUEST");
    assert!(
        msg.contains("cloud metadata addresses are refused"),
        "{msg}"
    );
    let (code, msg) = refused(&op, &id, "canvas.present", json!({"url": "not a url"})).await;
    assert_eq!(code, "INVALID_REQUEST");
    assert!(msg.contains("invalid url \"not a url\""), "{msg}");
    let (_, msg) = refused(
        &op,
        &id,
        "canvas.navigate",
        json!({"url": "javascript:alert(1)"}),
    )
    .await;
    assert!(msg.contains("unsupported url scheme"), "{msg}");
    let (code, msg) = refused(
        &op,
        &id,
        "canvas.navigate",
        json!({"url": "http://127.0.0.1:9/"}),
    )
    .await;
    assert_eq!(code, "UNAVAILABLE");
    assert!(msg.contains("net::ERR_"), "{msg}");
    let (code, msg) = refused(
        &op,
        &id,
        "canvas.eval",
        json!({"javaScript": "throw new Error('boom')"}),
    )
    .await;
    assert_eq!(code, "INVALID_REQUEST");
    assert!(msg.contains("Error: boom"), "{msg}");
    let (code, msg) = refused(&op, &id, "canvas.snapshot", json!({"format": "gif"})).await;
    assert_eq!(code, "INVALID_REQUEST");
    assert!(msg.contains("format must be png or jpeg"), "{msg}");
    let (_, msg) = refused(&op, &id, "canvas.eval", json!({"js": "1"})).await;
    assert!(msg.contains("unknown field `js`"), "{msg}");

    // A snapshot too big for a result frame: a noisy 3000x3000 window as PNG.
    call(
        &op,
        &id,
        "canvas.present",
        json!({"width": 3000, "height": 3000}),
    )
    .await;
    eval(&op, &id, "(() => { const c = document.createElement('canvas'); c.width = innerWidth; c.height = innerHeight; document.body.style.margin = 0; document.body.append(c); const g = c.getContext('2d'); const img = g.createImageData(c.width, c.height); const d = img.data; for (let i = 0; i < d.length; i += 65536) crypto.getRandomValues(d.subarray(i, Math.min(i + 65536, d.length))); for (let i = 3; i < d.length; i += 4) d[i] = 255; g.putImageData(img, 0, 0); return true })()").await;
    let (code, msg) = refused(&op, &id, "canvas.snapshot", json!({"format": "png"})).await;
    assert_eq!(code, "PAYLOAD_TOO_LARGE", "{msg}");

    // Chromium killed under the node: the next call starts a new one.
    let pid = chromium_pid(&node.state).expect("Chromium runs for the node");
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let back = eval(&op, &id, "1 + 1").await;
    assert_eq!(back["result"], 2);
    let new_pid = chromium_pid(&node.state).expect("a new Chromium");
    assert_ne!(new_pid, pid);

    // And it goes down with the node.
    drop(node);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while process_alive(new_pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "Chromium outlived its node"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The Chromium whose profile lives in `state` (its main process: the one with no
/// `--type=` argument).
pub fn chromium_pid(state: &Path) -> Option<i32> {
    chromium_pid_for(&state.join("browser/profile"))
}

/// The main process of the Chromium whose profile is `profile`.
pub fn chromium_pid_for(profile: &Path) -> Option<i32> {
    let profile = format!("--user-data-dir={}", profile.display());
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let ours = args.contains(&profile.as_bytes());
            let main = !args.iter().any(|a| a.starts_with(b"--type="));
            (ours && main && process_alive(pid)).then_some(pid)
        })
}

/// Running (a zombie is not).
fn process_alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()
                .map(|rest| !rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_chromium_the_canvas_says_how_to_install_it_and_proxy_can_be_turned_off() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let config = json!({
        "browser": {"executablePath": "/nonexistent/chromium"},
        "nodeHost": {"browserProxy": {"enabled": false}},
    });
    let (_node, id) = start_paired(&gw, &op, "no-chromium-node", config).await;
    let described = op
        .request("node.describe", json!({"nodeId": id}))
        .await
        .unwrap();
    let commands: Vec<&str> = described["commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(commands.contains(&"canvas.eval"), "{commands:?}");
    assert!(!commands.contains(&"browser.proxy"), "{commands:?}");

    let (code, msg) = refused(&op, &id, "canvas.eval", json!({"javaScript": "1"})).await;
    assert_eq!(code, "UNAVAILABLE");
    assert!(
        msg.contains("Chromium not found at /nonexistent/chromium"),
        "{msg}"
    );
    assert!(msg.contains("apt-get install chromium"), "{msg}");
    // The node is still there and answers what it can.
    let (_, again) = refused(&op, &id, "canvas.snapshot", json!({})).await;
    assert_eq!(again, msg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_drives_the_canvas_and_saves_snapshots() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let dir = tempfile::tempdir().unwrap();
    let config = json!({"nodeHost": {"canvas": {"root": dir.path()}}});
    let (_node, _) = start_paired(&gw, &op, "cli-canvas-node", config).await;
    let page = write_page(dir.path());
    let jsonl = dir.path().join("surface.jsonl");
    std::fs::write(&jsonl, A2UI_V08).unwrap();
    let node = ["--node", "cli-canvas-node"];
    let run = |args: &[&str]| {
        let out = gw.cli(&[&["nodes", "canvas"], args, &node].concat());
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            out.status.success(),
            "{args:?}: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };

    let shown = run(&[
        "present",
        "--target",
        page.to_str().unwrap(),
        "--width",
        "640",
        "--height",
        "480",
    ]);
    assert!(shown.starts_with("canvas shows file:///"), "{shown}");
    assert_eq!(run(&["eval", "--js", "document.title"]), "Canvas Test");
    assert_eq!(run(&["eval", "[innerWidth, 1 + 1]"]), "[\n  640,\n  2\n]");

    // A bare path, as the real CLI prints its media, to a private file named as it names them.
    let path = run(&["snapshot", "--format", "png", "--max-width", "320"]);
    let name = std::path::Path::new(&path)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        name.starts_with("openclaw-canvas-snapshot-") && name.ends_with(".png"),
        "{path}"
    );
    let bytes = std::fs::read(&path).unwrap();
    let (w, _, colours) = decode_png(&base64::engine::general_purpose::STANDARD.encode(&bytes));
    assert_eq!(w, 320);
    assert!(colours >= 3);
    std::fs::remove_file(&path).unwrap();
    let jpg = run(&["snapshot"]);
    assert!(jpg.ends_with(".jpg"), "{jpg}");
    std::fs::remove_file(jpg).unwrap();

    assert_eq!(
        run(&["a2ui", "push", "--text", "Hi from the CLI"]),
        "pushed 2 A2UI messages; surfaces: [\"main\"]"
    );
    assert!(run(&["eval", "document.body.innerText"]).contains("Hi from the CLI"));
    run(&["a2ui", "push", "--jsonl", jsonl.to_str().unwrap()]);
    assert!(run(&["eval", "document.body.innerText"]).contains("Second item"));
    assert_eq!(run(&["a2ui", "reset"]), "A2UI surfaces cleared");
    assert_eq!(run(&["hide"]), "canvas hidden");
    assert_eq!(run(&["eval", "document.visibilityState"]), "hidden");
    assert_eq!(
        run(&["navigate", "about:blank"]),
        "canvas shows about:blank"
    );

    let out = gw.cli(
        &[
            &["nodes", "canvas", "eval", "--js", "throw new Error('nope')"][..],
            &node,
        ]
        .concat(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Error: nope"));
}
