//! Files across the browser's edge, through `browser.proxy` on our node: what a page downloads
//! (kept in the node's downloads dir and carried back inline), files handed to a page's file
//! input (only from the node's upload dir and inbound media), and `browser.proxy.upload.v1`,
//! whose files the node stages privately first. The attacks: links, hard links and `..` that
//! would hand a page a file from elsewhere, and an upload name that would leave its dir.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use base64::Engine;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use openclaw_test_support::pages::Pages;
use serde_json::{json, Value};

use crate::browser_pages::route;

const REPORT: &str = "report line 1\nreport line 2\n";
const OUTSIDE_DOWNLOADS: &str = "Invalid path: must stay within downloads directory";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn body_of(answer: &Value) -> (u64, String) {
    let e = &answer["error"];
    (
        e["status"].as_u64().unwrap_or_default(),
        e["body"]["error"].as_str().unwrap_or_default().to_string(),
    )
}

async fn post(op: &openclaw_client::GatewayClient, id: &str, path: &str, body: Value) -> Value {
    route(
        op,
        id,
        json!({"method": "POST", "path": path, "body": body}),
    )
    .await
}

/// Opens the test page and answers the refs of its download link and file input.
async fn open_page(op: &openclaw_client::GatewayClient, id: &str, base: &str) -> (String, String) {
    post(op, id, "/tabs/open", json!({"url": format!("{base}/")})).await;
    let snap = route(op, id, json!({"path": "/snapshot"})).await["result"].clone();
    let refs = snap["refs"].as_object().unwrap();
    let find = |role: &str, name: &str| {
        refs.iter()
            .find(|(_, v)| v["role"] == role && v["name"] == name)
            .map(|(r, _)| r.clone())
            .unwrap_or_else(|| panic!("no {role} {name:?}"))
    };
    (
        find("link", "Download report"),
        find("button", "Upload file"),
    )
}

/// What the page's file input holds, as `name:size:type`.
async fn chosen(op: &openclaw_client::GatewayClient, id: &str) -> Value {
    let done = post(op, id, "/act", json!({"kind": "evaluate", "fn": "() => Array.from(document.getElementById('file').files).map(f => f.name + ':' + f.size + ':' + f.type)"})).await;
    done["result"]["result"].clone()
}

fn decoded(file: &Value) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file["base64"].as_str().unwrap())
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_are_kept_by_the_node_and_carried_in_the_answer() {
    let pages = Pages::start();
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "downloads-node", json!({})).await;
    let (link, _) = open_page(&op, &id, &pages.base).await;
    let downloads = node.state.join("browser/downloads");

    // `/download` clicks the ref and keeps the file under the name asked for.
    let named = post(
        &op,
        &id,
        "/download",
        json!({"ref": link, "path": "my-report.txt"}),
    )
    .await;
    let result = &named["result"];
    assert_eq!(result["ok"], true, "{named}");
    assert!(
        result.get("url").is_none(),
        "no url at the top, as the real"
    );
    assert_eq!(
        result["download"]["path"],
        json!(downloads.join("my-report.txt"))
    );
    assert_eq!(decoded(&named["files"][0]), REPORT);

    // A click that downloads: the action's answer names the file and carries it. Only what
    // begins while the action runs is its own, as with the real; `/download`, which waits,
    // went first, since a fresh profile's first download is slower to begin.
    let clicked = post(&op, &id, "/act", json!({"kind": "click", "ref": link})).await;
    let got = &clicked["result"]["downloads"][0];
    assert_eq!(
        got["url"],
        format!("{}/report.txt", pages.base),
        "{clicked}"
    );
    assert_eq!(got["suggestedFilename"], "report.txt");
    let path = PathBuf::from(got["path"].as_str().unwrap());
    assert_eq!(path.parent().unwrap(), downloads);
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(name.ends_with("-report.txt") && name.len() == 36 + "-report.txt".len());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), REPORT);
    assert_eq!(mode(&downloads), 0o700);
    let file = &clicked["files"][0];
    assert_eq!(
        (&file["path"], &file["mimeType"]),
        (&got["path"], &json!("text/plain"))
    );
    assert_eq!(decoded(file), REPORT);
    let left: Vec<_> = std::fs::read_dir(downloads.join(".incoming"))
        .unwrap()
        .collect();
    assert!(left.is_empty(), "nothing stays half-named");
    let inside = downloads.join("abs.txt");
    let absolute = post(&op, &id, "/download", json!({"ref": link, "path": inside})).await;
    assert_eq!(
        absolute["result"]["download"]["path"],
        json!(inside),
        "{absolute}"
    );
    for (body, message) in [
        (json!({"path": "x.txt"}), "ref is required"),
        (json!({"ref": link}), "path is required"),
        (
            json!({"ref": link, "path": "../../etc/x.txt"}),
            OUTSIDE_DOWNLOADS,
        ),
        (
            json!({"ref": link, "path": node.state.join("x.txt")}),
            OUTSIDE_DOWNLOADS,
        ),
        (json!({"ref": link, "path": "sub/x.txt"}), OUTSIDE_DOWNLOADS),
    ] {
        let refused = post(&op, &id, "/download", body.clone()).await;
        assert_eq!(body_of(&refused), (400, message.to_string()), "{body}");
    }
    assert!(!node.state.join("browser/etc").exists());

    // A waiter takes the next download, and the click that starts it reports none.
    let (waited, clicked) = tokio::join!(post(&op, &id, "/wait/download", json!({})), async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        post(&op, &id, "/act", json!({"kind": "click", "ref": link})).await
    });
    let download = &waited["result"]["download"];
    assert_eq!(download["suggestedFilename"], "report.txt", "{waited}");
    assert!(download["path"].as_str().unwrap().ends_with("-report.txt"));
    assert_eq!(decoded(&waited["files"][0]), REPORT);
    assert!(clicked["result"].get("downloads").is_none(), "{clicked}");
    assert!(clicked.get("files").is_none());

    let timed_out = post(&op, &id, "/wait/download", json!({"timeoutMs": 600})).await;
    assert_eq!(
        body_of(&timed_out),
        (500, "Error: Timeout waiting for download".into())
    );
    let nested = post(
        &op,
        &id,
        "/wait/download",
        json!({"path": "sub/waited.txt"}),
    )
    .await;
    assert_eq!(body_of(&nested), (400, OUTSIDE_DOWNLOADS.into()));

    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_gets_files_only_from_the_upload_dir() {
    let pages = Pages::start();
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "chooser-node", json!({})).await;
    let (_, input) = open_page(&op, &id, &pages.base).await;
    let uploads = node.state.join("browser/uploads");
    openclaw_files::private_dir(&uploads).unwrap();
    openclaw_files::write_atomically(&uploads.join("hello.txt"), b"hello upload\n").unwrap();
    openclaw_files::write_atomically(&uploads.join("second.txt"), b"2\n").unwrap();

    // Straight into the input, by its ref.
    let set = post(
        &op,
        &id,
        "/hooks/file-chooser",
        json!({"inputRef": input, "paths": ["hello.txt"]}),
    )
    .await;
    assert_eq!(set["result"], json!({"ok": true}), "{set}");
    assert_eq!(chosen(&op, &id).await, json!(["hello.txt:13:text/plain"]));

    // Through the chooser a click on the ref opens, by an absolute path.
    let second = uploads.join("second.txt");
    let clicked = post(
        &op,
        &id,
        "/hooks/file-chooser",
        json!({"ref": input, "paths": [second]}),
    )
    .await;
    assert_eq!(clicked["result"], json!({"ok": true}), "{clicked}");
    assert_eq!(chosen(&op, &id).await, json!(["second.txt:2:text/plain"]));

    // Armed for the next chooser, which a later click opens.
    let armed = post(
        &op,
        &id,
        "/hooks/file-chooser",
        json!({"paths": ["hello.txt"]}),
    )
    .await;
    assert_eq!(armed["result"], json!({"ok": true}), "{armed}");
    post(&op, &id, "/act", json!({"kind": "click", "ref": input})).await;
    assert_eq!(chosen(&op, &id).await, json!(["hello.txt:13:text/plain"]));

    for (body, expected) in [
        (
            json!({"inputRef": input}),
            (400, "paths are required".to_string()),
        ),
        (
            json!({"ref": input, "inputRef": input, "paths": ["hello.txt"]}),
            (400, "ref cannot be combined with inputRef/element".into()),
        ),
        (
            json!({"inputRef": input, "paths": ["hello.txt", "second.txt"]}),
            (
                500,
                "Error: Non-multiple file input can only accept single file".into(),
            ),
        ),
    ] {
        let refused = post(&op, &id, "/hooks/file-chooser", body.clone()).await;
        assert_eq!(body_of(&refused), expected, "{body}");
    }

    // The attacks: each would hand the page a file from outside the upload dir.
    let secret = node.state.join("secret.txt");
    openclaw_files::write_atomically(&secret, b"the node's secret\n").unwrap();
    std::os::unix::fs::symlink(&secret, uploads.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(&node.state, uploads.join("state")).unwrap();
    std::fs::hard_link(&secret, uploads.join("hard.txt")).unwrap();
    let inbound = node.state.join("media/inbound");
    let refusal = format!(
        "Invalid path: must stay within inbound media directory ({})",
        inbound.display()
    );
    for bad in [
        json!("link.txt"),
        json!("state/secret.txt"),
        json!("hard.txt"),
        json!("../../secret.txt"),
        json!(secret),
        json!("/etc/passwd"),
        json!("media://inbound/../../secret.txt"),
    ] {
        for mode in [json!({"inputRef": input}), json!({"ref": input}), json!({})] {
            let mut body = mode.clone();
            body["paths"] = json!([bad]);
            let refused = post(&op, &id, "/hooks/file-chooser", body).await;
            assert_eq!(body_of(&refused), (400, refusal.clone()), "{bad} {mode}");
        }
    }
    assert_eq!(
        chosen(&op, &id).await,
        json!(["hello.txt:13:text/plain"]),
        "the input kept what it had"
    );

    // A click that fails leaves no chooser armed for a later one.
    let missed = post(
        &op,
        &id,
        "/hooks/file-chooser",
        json!({"ref": "e999", "paths": ["second.txt"]}),
    )
    .await;
    assert_eq!(body_of(&missed).0, 500, "{missed}");
    post(&op, &id, "/act", json!({"kind": "click", "ref": input})).await;
    assert_eq!(chosen(&op, &id).await, json!(["hello.txt:13:text/plain"]));
    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_envelope_is_staged_privately_and_dropped_when_its_request_fails() {
    let pages = Pages::start();
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "upload-node", json!({})).await;
    let (_, input) = open_page(&op, &id, &pages.base).await;
    let staged_root = node.state.join("browser/uploads/.proxy-uploads");
    let staged = || -> Vec<PathBuf> {
        std::fs::read_dir(&staged_root)
            .map(|d| d.map(|e| e.unwrap().path()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|p: &PathBuf| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("upload-")
            })
            .collect()
    };
    let envelope = |files: Value| json!({"envelope": "browser-upload-v1", "files": files});
    let upload = |body: Value, files: Value| json!({"method": "POST", "path": "/hooks/file-chooser", "body": body, "upload": envelope(files), "errorEnvelope": "browser-v1"});

    // A name that would climb out is cut to its last part.
    let hostile = json!([{"name": "../../evil 100%!.txt", "contentBase64": "YWJj"}]);
    let done = call(
        &op,
        &id,
        "browser.proxy.upload.v1",
        upload(json!({"inputRef": input}), hostile),
    )
    .await;
    assert_eq!(done["result"], json!({"ok": true}), "{done}");
    assert_eq!(
        chosen(&op, &id).await,
        json!(["evil 100__.txt:3:text/plain"])
    );
    let dirs = staged();
    assert_eq!(dirs.len(), 1);
    let file = dirs[0].join("0/evil 100__.txt");
    assert_eq!(std::fs::read(&file).unwrap(), b"abc");
    assert_eq!(
        (
            mode(&staged_root),
            mode(&dirs[0]),
            mode(&dirs[0].join("0")),
            mode(&file)
        ),
        (0o700, 0o700, 0o700, 0o600)
    );
    assert!(!node.state.join("evil 100__.txt").exists());

    // A route that fails takes its staged files with it.
    let one = json!([{"name": "a.txt", "contentBase64": "YWJj"}]);
    let lost = call(
        &op,
        &id,
        "browser.proxy.upload.v1",
        upload(json!({"ref": input, "targetId": "t99"}), one.clone()),
    )
    .await;
    assert_eq!(lost["error"]["status"], 404, "{lost}");
    assert_eq!(staged().len(), 1, "the failed request's dir is gone");

    let refusals = [
        (
            "browser.proxy",
            upload(json!({"ref": input}), one.clone()),
            "Error: INVALID_REQUEST: browser.proxy does not accept upload envelopes",
        ),
        (
            "browser.proxy.upload.v1",
            json!({"method": "POST", "path": "/hooks/file-chooser", "body": {"ref": input}}),
            "Error: INVALID_REQUEST: browser.proxy.upload.v1 requires an upload envelope",
        ),
        (
            "browser.proxy.upload.v1",
            json!({"method": "POST", "path": "/act", "body": {"kind": "click", "ref": input}, "upload": envelope(one.clone())}),
            "Error: INVALID_REQUEST: browser proxy upload requires the file chooser route",
        ),
        (
            "browser.proxy.upload.v1",
            upload(json!({"ref": input, "paths": ["a.txt"]}), one.clone()),
            "Error: INVALID_REQUEST: browser proxy upload body must omit paths",
        ),
        (
            "browser.proxy.upload.v1",
            upload(
                json!({"ref": input}),
                json!([{"name": "x.txt", "contentBase64": "YWJj\nZA=="}]),
            ),
            "Error: INVALID_REQUEST: invalid browser proxy upload encoding",
        ),
    ];
    for (command, params, message) in refusals {
        let (code, got) = refused(&op, &id, command, params).await;
        assert_eq!((code.as_str(), got.as_str()), ("INVALID_REQUEST", message));
    }
    assert_eq!(staged().len(), 1, "nothing refused was staged");
    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}

/// `openclaw browser upload` through our gateway: the gateway reads its own file and sends it
/// inside the request; the node stages it and the page gets it. A gateway path outside its
/// upload dir is refused before anything is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_sends_its_own_files_to_the_node_page() {
    let pages = Pages::start();
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "gateway-upload-node", json!({})).await;
    let (_, input) = open_page(&op, &id, &pages.base).await;
    let uploads = gw.dir.join("browser/uploads");
    openclaw_files::private_dir(&uploads).unwrap();
    openclaw_files::write_atomically(&uploads.join("cv.txt"), b"gateway file\n").unwrap();
    let ask = |body: Value| {
        op.request(
            "browser.request",
            json!({"method": "POST", "path": "/hooks/file-chooser", "body": body}),
        )
    };

    let done = ask(json!({"inputRef": input, "paths": ["cv.txt"]}))
        .await
        .unwrap();
    assert_eq!(done, json!({"ok": true}));
    assert_eq!(chosen(&op, &id).await, json!(["cv.txt:13:text/plain"]));
    let staged = std::fs::read_dir(node.state.join("browser/uploads/.proxy-uploads"))
        .unwrap()
        .count();
    assert_eq!(staged, 2, "one upload dir and the staging lock dir");

    let secret = gw.dir.join("secret.txt");
    openclaw_files::write_atomically(&secret, b"gateway secret\n").unwrap();
    std::os::unix::fs::symlink(&secret, uploads.join("link.txt")).unwrap();
    let refusal = format!(
        "Invalid path: must stay within inbound media directory ({})",
        gw.dir.join("media/inbound").display()
    );
    for bad in [json!("link.txt"), json!("../../secret.txt"), json!(secret)] {
        let e = ask(json!({"inputRef": input, "paths": [bad]}))
            .await
            .unwrap_err();
        let shape = e.error_shape().unwrap();
        assert_eq!(
            (shape.code.as_str(), shape.message.as_str()),
            ("INVALID_REQUEST", refusal.as_str()),
            "{bad}"
        );
    }
    assert_eq!(chosen(&op, &id).await, json!(["cv.txt:13:text/plain"]));
    route(&op, &id, json!({"method": "POST", "path": "/stop"})).await;
}
