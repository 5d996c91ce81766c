//! Browser control on real pages: snapshots with refs, actions on those refs, screenshots,
//! PDFs, navigation, what the page logged, dialogs; all through `browser.proxy` on our node,
//! over a test page (a form, a dialog, a download link, an iframe) served on loopback.

use std::path::Path;

use base64::Engine;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use openclaw_test_support::pages::Pages;
use serde_json::{json, Value};

pub(crate) async fn route(op: &openclaw_client::GatewayClient, id: &str, params: Value) -> Value {
    let mut params = params;
    params["errorEnvelope"] = json!("browser-v1");
    // Chromium on a machine busy with the whole suite can take longer than a client's usual
    // 15 s: the route gets a minute, and the client waits for the gateway a little longer.
    let key = uuid::Uuid::new_v4().to_string();
    let request =
        openclaw_protocol::node_invoke::InvokeParams::new(id, "browser.proxy", params, key)
            .with_timeout_ms(Some(60_000))
            .to_value();
    let wait = std::time::Duration::from_secs(70);
    let reply = op
        .request_with_timeout("node.invoke", request, wait)
        .await
        .unwrap_or_else(|e| panic!("browser.proxy: {}", message(&e)));
    reply["payload"].clone()
}

async fn act(op: &openclaw_client::GatewayClient, id: &str, body: Value) -> Value {
    route(
        op,
        id,
        json!({"method": "POST", "path": "/act", "body": body}),
    )
    .await
}

async fn get(op: &openclaw_client::GatewayClient, id: &str, path: &str, query: Value) -> Value {
    let answer = route(op, id, json!({"path": path, "query": query})).await;
    assert!(answer.get("error").is_none(), "GET {path}: {answer}");
    answer["result"].clone()
}

/// The ref the snapshot gives the element with `role` and `name`.
fn ref_of(snapshot: &Value, role: &str, name: &str) -> String {
    let refs = snapshot["refs"].as_object().expect("refs");
    refs.iter()
        .find(|(_, v)| v["role"] == role && v["name"] == name)
        .map(|(r, _)| r.clone())
        .unwrap_or_else(|| panic!("no {role} {name:?} in {}", snapshot["snapshot"]))
}

async fn page_value(op: &openclaw_client::GatewayClient, id: &str, function: &str) -> Value {
    let done = act(op, id, json!({"kind": "evaluate", "fn": function})).await;
    done["result"]["result"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_reads_a_page_and_acts_on_its_refs() {
    let pages = Pages::start();
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "pages-node", json!({})).await;

    let opened = route(&op, &id, json!({"method": "POST", "path": "/tabs/open", "body": {"url": format!("{}/", pages.base)}})).await;
    let target = opened["result"]["targetId"].as_str().unwrap().to_string();
    let snap = get(&op, &id, "/snapshot", json!({})).await;
    assert_eq!(
        (&snap["ok"], &snap["format"]),
        (&json!(true), &json!("ai")),
        "{snap}"
    );
    assert_eq!(
        snap["targetId"],
        json!(target),
        "the tab just opened is the one used"
    );
    let text = snap["snapshot"].as_str().unwrap();
    for line in [
        "- heading \"Browser test\" [level=1] [ref=e",
        "- paragraph [ref=e",
        "]: A page for the browser control routes.",
        "- link \"Second page\" [ref=e",
        "    - /url: /two.html",
        "- textbox \"Name\" [ref=e",
        "- checkbox \"Subscribe\" [ref=e",
        "- option \"Red\" [selected]",
        "- button \"Submit\" [ref=e",
        "- iframe [ref=e",
        "- button \"Inner\" [ref=f1e",
    ] {
        assert!(text.contains(line), "{line:?} missing in\n{text}");
    }
    let stats = &snap["stats"];
    assert_eq!(
        stats["refs"],
        json!(snap["refs"].as_object().unwrap().len())
    );
    assert_eq!(stats["lines"], json!(text.lines().count()));
    assert!(
        snap.get("newElements").is_none(),
        "the first snapshot has no baseline"
    );

    // Type, click, and the page reacts.
    let name = ref_of(&snap, "textbox", "Name");
    let typed = act(
        &op,
        &id,
        json!({"kind": "type", "ref": name, "text": "Bob"}),
    )
    .await;
    assert_eq!(
        typed["result"],
        json!({"ok": true, "targetId": target, "url": format!("{}/", pages.base)})
    );
    act(
        &op,
        &id,
        json!({"kind": "click", "ref": ref_of(&snap, "button", "Submit")}),
    )
    .await;
    let shown = get(&op, &id, "/text", json!({"selector": "#out"})).await;
    assert_eq!(shown["text"], "Hello Bob");
    assert_eq!(shown["truncated"], false);
    let again = get(&op, &id, "/snapshot", json!({})).await;
    assert_eq!(
        again["refs"][&name],
        json!({"role": "textbox", "name": "Name"}),
        "refs stay with their elements"
    );
    assert_eq!(again["newElements"], 1, "{}", again["snapshot"]);
    assert!(again["snapshot"]
        .as_str()
        .unwrap()
        .contains("]: Hello Bob [new]"));

    // Script, as the real reads it.
    assert_eq!(
        page_value(&op, &id, "() => document.getElementById('out').textContent").await,
        "Hello Bob"
    );
    assert_eq!(page_value(&op, &id, "document.title").await, "BP Test Page");
    assert_eq!(
        page_value(&op, &id, "() => document.body").await,
        "ref: <Node>"
    );
    assert_eq!(
        page_value(&op, &id, "const a = 20; return a + 22;").await,
        42
    );
    let undefined = act(
        &op,
        &id,
        json!({"kind": "evaluate", "fn": "() => undefined"}),
    )
    .await;
    assert!(undefined["result"].get("result").is_none(), "{undefined}");
    let with_el = act(
        &op,
        &id,
        json!({"kind": "evaluate", "fn": "(el) => el.value", "ref": name}),
    )
    .await;
    assert_eq!(with_el["result"]["result"], "Bob");

    // Select, fill, the iframe, keys.
    let color = ref_of(&snap, "combobox", "Color");
    act(
        &op,
        &id,
        json!({"kind": "select", "ref": color, "values": ["Green"]}),
    )
    .await;
    assert_eq!(
        page_value(&op, &id, "() => document.getElementById('color').value").await,
        "green"
    );
    let subscribe = ref_of(&snap, "checkbox", "Subscribe");
    act(&op, &id, json!({"kind": "fill", "fields": [{"ref": subscribe, "type": "checkbox", "value": true}, {"ref": name, "value": "Eve"}]})).await;
    assert_eq!(
        page_value(
            &op,
            &id,
            "() => [document.getElementById('sub').checked, document.getElementById('name').value]"
        )
        .await,
        json!([true, "Eve"])
    );
    act(
        &op,
        &id,
        json!({"kind": "click", "ref": ref_of(&snap, "button", "Inner")}),
    )
    .await;
    assert_eq!(page_value(&op, &id, "() => document.querySelector('iframe').contentDocument.querySelector('button').textContent").await, "Pressed");
    act(&op, &id, json!({"kind": "click", "ref": name})).await;
    act(&op, &id, json!({"kind": "press", "key": "End"})).await;
    act(
        &op,
        &id,
        json!({"kind": "type", "ref": name, "text": "!", "slowly": true}),
    )
    .await;
    assert_eq!(
        page_value(&op, &id, "() => document.getElementById('name').value").await,
        "Eve!"
    );

    // What the page said.
    act(
        &op,
        &id,
        json!({"kind": "click", "ref": ref_of(&snap, "button", "Boom")}),
    )
    .await;
    let console = get(&op, &id, "/console", json!({})).await;
    let messages = console["messages"].as_array().unwrap();
    let submitted = messages
        .iter()
        .find(|m| m["text"] == "submitted Bob")
        .expect("the submit's log");
    assert_eq!(submitted["type"], "log");
    assert_eq!(submitted["location"]["url"], format!("{}/", pages.base));
    assert!(
        messages
            .iter()
            .any(|m| m["type"] == "warning" && m["text"] == "page ready"),
        "{console}"
    );
    let warnings = get(&op, &id, "/console", json!({"level": "warn"})).await;
    assert!(warnings["messages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["type"] == "warning"));
    let errors = get(&op, &id, "/errors", json!({"clear": "true"})).await;
    let error = &errors["errors"][0];
    assert_eq!(
        (&error["message"], &error["name"]),
        (&json!("boom from page"), &json!("Error"))
    );
    assert_eq!(
        get(&op, &id, "/errors", json!({})).await["errors"],
        json!([])
    );
    let requests = get(&op, &id, "/requests", json!({"filter": "data"})).await;
    let fetched = &requests["requests"][0];
    assert_eq!(
        (
            &fetched["method"],
            &fetched["resourceType"],
            &fetched["status"],
            &fetched["ok"]
        ),
        (&json!("GET"), &json!("fetch"), &json!(200), &json!(true)),
        "{requests}"
    );
    assert!(fetched["id"].as_str().unwrap().starts_with('r'));

    // A dialog blocks the page until it is answered; an armed answer is used at once.
    let ask = ref_of(&snap, "button", "Ask");
    let blocked = act(&op, &id, json!({"kind": "click", "ref": ask})).await["result"].clone();
    assert_eq!(blocked["blockedByDialog"], true, "{blocked}");
    let pending = &blocked["browserState"]["dialogs"]["pending"][0];
    assert_eq!(
        (&pending["id"], &pending["type"], &pending["message"]),
        (&json!("d1"), &json!("confirm"), &json!("Sure?"))
    );
    let still = act(&op, &id, json!({"kind": "press", "key": "Tab"})).await["result"].clone();
    assert_eq!(still["blockedByDialog"], true);
    let answered = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/hooks/dialog", "body": {"accept": false}}),
    )
    .await;
    assert_eq!(answered["result"], json!({"ok": true}));
    assert_eq!(
        get(&op, &id, "/text", json!({"selector": "#out"})).await["text"],
        "confirm: false"
    );
    route(
        &op,
        &id,
        json!({"method": "POST", "path": "/hooks/dialog", "body": {"accept": "yes"}}),
    )
    .await;
    let clicked = act(&op, &id, json!({"kind": "click", "ref": ask})).await["result"].clone();
    assert!(clicked.get("blockedByDialog").is_none(), "{clicked}");
    assert_eq!(
        get(&op, &id, "/text", json!({"selector": "#out"})).await["text"],
        "confirm: true"
    );
    let dialogs = get(&op, &id, "/dialogs", json!({})).await;
    let recent: Vec<&Value> = dialogs["browserState"]["dialogs"]["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["closedBy"])
        .collect();
    assert_eq!(recent, [&json!("agent"), &json!("armed")]);
    let missing = route(&op, &id, json!({"method": "POST", "path": "/hooks/dialog", "body": {"accept": true, "dialogId": "d9"}})).await;
    assert_eq!(
        missing["error"]["body"]["error"],
        "Error: Dialog \"d9\" is not pending."
    );

    // Screenshots and PDFs come back inline and stay with the node's media, private.
    let shot = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/screenshot", "body": {}}),
    )
    .await;
    let path = shot["result"]["path"].as_str().unwrap();
    assert!(
        Path::new(path).starts_with(node.state.join("media/browser")),
        "{path}"
    );
    assert!(path.ends_with(".png"));
    assert_eq!(shot["files"][0]["path"], json!(path));
    assert_eq!(shot["files"][0]["mimeType"], "image/png");
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["files"][0]["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(std::fs::read(path).unwrap(), png);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let element = route(&op, &id, json!({"method": "POST", "path": "/screenshot", "body": {"ref": ref_of(&snap, "heading", "Browser test"), "type": "jpeg"}})).await;
    assert_eq!(element["files"][0]["mimeType"], "image/jpeg");
    let both = route(&op, &id, json!({"method": "POST", "path": "/screenshot", "body": {"fullPage": true, "element": "h1"}})).await;
    assert_eq!(
        both["error"]["body"]["error"],
        "fullPage is not supported for element screenshots"
    );
    let pdf = route(&op, &id, json!({"method": "POST", "path": "/pdf"})).await;
    assert_eq!(pdf["files"][0]["mimeType"], "application/pdf");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(pdf["files"][0]["base64"].as_str().unwrap())
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-"));

    // Navigation: the old refs go with the old document; blocked addresses stay blocked.
    let went = route(&op, &id, json!({"method": "POST", "path": "/navigate", "body": {"url": format!("{}/two.html", pages.base)}})).await;
    assert_eq!(
        went["result"],
        json!({"ok": true, "url": format!("{}/two.html", pages.base), "targetId": target})
    );
    let stale = act(&op, &id, json!({"kind": "click", "ref": ask})).await;
    assert_eq!(
        stale["error"],
        json!({"status": 500, "body": {"error": format!("Error: Unknown ref \"{ask}\". Run a new snapshot and use a ref from that snapshot.")}})
    );
    let metadata = route(&op, &id, json!({"method": "POST", "path": "/navigate", "body": {"url": "http://169.254.169.254/latest/meta-data/"}})).await;
    assert_eq!(
        metadata["error"],
        json!({"status": 400, "body": {"error": "browser navigation blocked by policy", "reason": "navigation_blocked"}})
    );
    let waited = act(
        &op,
        &id,
        json!({"kind": "wait", "text": "Second", "url": "**/two.html"}),
    )
    .await;
    assert_eq!(waited["result"]["ok"], true, "{waited}");
    let late = act(
        &op,
        &id,
        json!({"kind": "wait", "text": "NeverAppears", "timeoutMs": 600}),
    )
    .await;
    assert_eq!(late["error"]["body"]["error"], "TimeoutError: locator.waitFor: Timeout 600ms exceeded.\nCall log:\n  - waiting for getByText('NeverAppears').first() to be visible\n");
    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_checks_and_shapes_hold_at_the_edges() {
    let pages = Pages::start();
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, id) = start_paired(&gw, &op, "edges-node", json!({})).await;

    // A route that names a tab needs a running browser; one that names none starts it.
    let stopped = route(
        &op,
        &id,
        json!({"path": "/snapshot", "query": {"targetId": "t1"}}),
    )
    .await;
    assert_eq!(stopped["error"]["status"], 409);
    assert_eq!(stopped["error"]["body"]["error"], "Browser profile \"openclaw\" is not running. Start the browser or open a new tab, then select a current target.");
    let blank = get(&op, &id, "/snapshot", json!({})).await;
    assert_eq!(
        (&blank["snapshot"], &blank["url"]),
        (&json!(""), &json!("about:blank"))
    );
    assert_eq!(
        blank["stats"],
        json!({"lines": 0, "chars": 0, "refs": 0, "interactive": 0})
    );

    let cases = [
        (json!({}), 400, "ACT_KIND_REQUIRED", "kind is required"),
        (
            json!({"kind": "click"}),
            400,
            "ACT_INVALID_REQUEST",
            "click requires ref or selector",
        ),
        (
            json!({"kind": "press", "key": "a", "selector": "#x"}),
            400,
            "ACT_SELECTOR_UNSUPPORTED",
            "",
        ),
        (
            json!({"kind": "click", "ref": "e999"}),
            500,
            "ACT_OPERATION_FAILED",
            "",
        ),
    ];
    route(
        &op,
        &id,
        json!({"method": "POST", "path": "/navigate", "body": {"url": format!("{}/", pages.base)}}),
    )
    .await;
    get(&op, &id, "/snapshot", json!({})).await;
    for (body, status, code, message) in cases {
        let done = act(&op, &id, body.clone()).await;
        assert_eq!(
            (&done["error"]["status"], &done["error"]["body"]["code"]),
            (&json!(status), &json!(code)),
            "{body}: {done}"
        );
        if !message.is_empty() {
            assert_eq!(done["error"]["body"]["error"], message);
        }
    }

    // Narrowed snapshots, budgets, the aria tree and its refs.
    let efficient = get(&op, &id, "/snapshot", json!({"mode": "efficient"})).await;
    let text = efficient["snapshot"].as_str().unwrap();
    assert!(text.lines().all(|l| l.starts_with("- ")), "{text}");
    assert!(
        text.contains("- textbox \"Name\" [ref=") && !text.contains("heading"),
        "{text}"
    );
    let small = get(&op, &id, "/snapshot", json!({"maxChars": "200"})).await;
    assert_eq!(small["truncated"], true);
    assert!(small["snapshot"]
        .as_str()
        .unwrap()
        .ends_with("\n\n[...TRUNCATED - page too large]"));
    assert!(small["snapshot"].as_str().unwrap().chars().count() <= 200);
    let aria = get(
        &op,
        &id,
        "/snapshot",
        json!({"format": "aria", "limit": "300"}),
    )
    .await;
    let nodes = aria["nodes"].as_array().unwrap();
    assert_eq!(
        (
            &nodes[0]["ref"],
            &nodes[0]["role"],
            &nodes[0]["name"],
            &nodes[0]["depth"]
        ),
        (
            &json!("ax1"),
            &json!("RootWebArea"),
            &json!("BP Test Page"),
            &json!(0)
        )
    );
    let boom = nodes
        .iter()
        .find(|n| n["role"] == "button" && n["name"] == "Boom")
        .unwrap();
    act(&op, &id, json!({"kind": "click", "ref": boom["ref"]})).await;
    let errors = get(&op, &id, "/errors", json!({})).await;
    assert_eq!(
        errors["errors"][0]["message"], "boom from page",
        "an ax ref clicks its element"
    );
    // Snapshots this node does not build are refused, saying so.
    for query in [json!({"labels": "true"}), json!({"selector": "form"})] {
        let refused = route(&op, &id, json!({"path": "/snapshot", "query": query})).await;
        assert_eq!(refused["error"]["status"], 501, "{refused}");
    }
    let both = route(
        &op,
        &id,
        json!({"path": "/snapshot", "query": {"format": "aria", "mode": "efficient"}}),
    )
    .await;
    assert_eq!(
        both["error"]["body"]["error"],
        "labels/mode=efficient require format=ai"
    );

    // A batch stops where the page navigates.
    let snap = get(&op, &id, "/snapshot", json!({})).await;
    let link = ref_of(&snap, "link", "Second page");
    let batch = act(&op, &id, json!({"kind": "batch", "actions": [{"kind": "click", "ref": link}, {"kind": "press", "key": "Tab"}, {"kind": "press", "key": "Tab"}]})).await;
    let two = format!("{}/two.html", pages.base);
    assert_eq!(
        batch["result"]["results"],
        json!([{"ok": true, "navigated": true, "url": two}]),
        "{batch}"
    );
    assert_eq!(
        batch["result"]["aborted"],
        json!({"reason": "navigation", "afterAction": 1, "url": two, "skipped": 2})
    );

    // A full page taller than 2000 px comes back as a JPEG of at most 2000 px a side.
    route(&op, &id, json!({"method": "POST", "path": "/navigate", "body": {"url": format!("{}/tall.html", pages.base)}})).await;
    let tall = route(
        &op,
        &id,
        json!({"method": "POST", "path": "/screenshot", "body": {"fullPage": true}}),
    )
    .await;
    assert_eq!(
        tall["files"][0]["mimeType"], "image/jpeg",
        "{}",
        tall["result"]
    );
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(tall["files"][0]["base64"].as_str().unwrap())
        .unwrap();
    let (width, height) = jpeg_size(&jpeg);
    assert_eq!(height, 2000, "{width}x{height}");
    assert!(width <= 2000);
    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}

/// Width and height from a JPEG's start-of-frame marker.
fn jpeg_size(jpeg: &[u8]) -> (u32, u32) {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        let marker = jpeg[i + 1];
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if (0xC0..=0xC2).contains(&marker) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]) as u32;
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]) as u32;
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no frame in the JPEG")
}

/// A page cannot steer the node's refs or the geometry it clicks by: both are read in the
/// node's isolated world, where the page's globals and prototype changes do not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_cannot_redirect_a_click_to_its_trap() {
    let pages = Pages::start();
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (_node, id) = start_paired(&gw, &op, "hostile-node", json!({})).await;
    route(&op, &id, json!({"method": "POST", "path": "/tabs/open", "body": {"url": format!("{}/hostile.html", pages.base)}})).await;
    let snap = get(&op, &id, "/snapshot", json!({})).await;
    let safe = ref_of(&snap, "button", "Safe");
    act(&op, &id, json!({"kind": "click", "ref": safe})).await;
    assert_eq!(page_value(&op, &id, "document.title").await, "safe clicked");
    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}
