//! Attacks on the node's browser from where an invoker stands: pages loaded into the canvas
//! that try to leave it (in-page navigations, redirects, iframes, `fetch`, `window.open`,
//! WebSockets) and a local user looking for Chromium's DevTools port. Every server here is a
//! loopback server the test runs; nothing is sent anywhere else.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::json;

use crate::canvas::{chromium_pid, chromium_pid_for, eval};

/// A loopback HTTP server that records the path of every request it gets. `/to?<url>`
/// redirects to `<url>`; anything else is a small HTML page.
pub(crate) struct Site {
    pub(crate) base: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Site {
    pub(crate) fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || answer(stream, &log));
            }
        });
        Site { base, seen }
    }

    pub(crate) fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn answer(mut stream: std::net::TcpStream, log: &Mutex<Vec<String>>) {
    let mut lines = BufReader::new(stream.try_clone().unwrap()).lines();
    let Some(Ok(first)) = lines.next() else {
        return;
    };
    let path = first.split(' ').nth(1).unwrap_or_default().to_string();
    for line in lines.by_ref() {
        if line.map_or(true, |l| l.is_empty()) {
            break;
        }
    }
    log.lock().unwrap().push(path.clone());
    let reply = match path.strip_prefix("/to?") {
        Some(target) => format!(
            "HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        None => {
            let body = "<title>site</title><body>site page</body>";
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
    };
    stream.write_all(reply.as_bytes()).ok();
}

/// Starts a navigation of the canvas from inside the page, and waits until it has ended in
/// Chromium's error page (a refused request) or anywhere else.
async fn navigate_from_page(op: &openclaw_client::GatewayClient, id: &str, url: &str) -> String {
    let from = eval(op, id, "location.href").await["result"].clone();
    call(
        op,
        id,
        "canvas.eval",
        json!({"javaScript": format!("location.href = {url:?}; 1")}),
    )
    .await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        // The page may be between documents: then the script fails, and we ask again.
        let now = invoke(
            op,
            id,
            "canvas.eval",
            json!({"javaScript": "document.readyState === 'complete' && location.href"}),
        )
        .await;
        if let Ok(reply) = now {
            let href = &reply["payload"]["result"];
            if href.is_string() && *href != from {
                return href.as_str().unwrap().to_string();
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page never left {from}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// In-page attacks on `target`, each awaiting its own outcome: what the page saw.
fn attacks(target: &str) -> Vec<String> {
    let ws = target.replacen("http://", "ws://", 1);
    vec![
        format!("fetch('{target}/json/list', {{mode: 'no-cors'}}).then(() => 'reached', () => 'refused')"),
        format!("new Promise(r => {{ const f = document.createElement('iframe'); f.onload = () => r('framed'); f.src = '{target}/json/version'; document.body.append(f) }})"),
        format!("new Promise(r => {{ const i = new Image(); i.onload = () => r('reached'); i.onerror = () => r('refused'); i.src = '{target}/img' }})"),
        format!("new Promise(r => {{ const w = new WebSocket('{ws}/devtools/browser/x'); w.onopen = () => r('reached'); w.onerror = () => r('refused') }})"),
        // The popup starts as a same-origin about:blank; its navigation has ended when it shows
        // another loaded page, or turns opaque (an error page, another origin).
        format!("new Promise(r => {{ const w = window.open('{target}/json/new'); const t = setInterval(() => {{ try {{ if (w.location.href === 'about:blank' || w.document.readyState !== 'complete') return }} catch (e) {{}} clearInterval(t); r('opened') }}, 10) }})"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_the_canvas_cannot_reach_past_its_root_or_the_control_endpoint() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let site = Site::start();
    // The browser control endpoint: an operator's loopback browser, here a recording server.
    let control = Site::start();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("page.html"), "<title>in root</title>").unwrap();
    let config = json!({
        "nodeHost": {"canvas": {"root": root.path()}},
        "browser": {"cdpUrl": control.base},
    });
    let (node, id) = start_paired(&gw, &op, "escape-node", config).await;
    let key = node.state.join("identity/device.json");
    assert!(std::fs::read_to_string(&key)
        .unwrap()
        .contains("privateKey"));
    let key_url = format!("file://{}", key.display());
    let page = root.path().join("page.html");
    let page_url = format!("file://{}", page.display());
    let site_page = format!("{}/", site.base);

    // From a page in the root, script navigates the canvas to the node's key.
    call(&op, &id, "canvas.navigate", json!({"url": page_url})).await;
    let landed = navigate_from_page(&op, &id, &key_url).await;
    assert!(landed.starts_with("chrome-error:"), "{landed}");
    let shown = eval(&op, &id, "document.body.innerText").await;
    let text = shown["result"].to_string();
    assert!(
        !text.contains("privateKey"),
        "the key reached the page: {text}"
    );
    assert!(text.contains("ERR_ACCESS_DENIED"), "{text}");

    // From a page on the network, every way toward the control endpoint.
    let ctl = &control.base;
    let localhost_ctl = format!("http://localhost:{}", ctl.rsplit(':').next().unwrap());
    for target in [ctl, &localhost_ctl] {
        for attack in attacks(target) {
            call(&op, &id, "canvas.navigate", json!({"url": site_page})).await;
            let seen = eval(&op, &id, &attack).await["result"].clone();
            assert_ne!(seen, "reached", "{attack}");
        }
    }
    call(&op, &id, "canvas.navigate", json!({"url": site_page})).await;
    let landed = navigate_from_page(&op, &id, &format!("{ctl}/json/list")).await;
    assert!(landed.starts_with("chrome-error:"), "{landed}");
    call(&op, &id, "canvas.navigate", json!({"url": site_page})).await;
    let landed = navigate_from_page(&op, &id, &format!("{}/to?{ctl}/json/list", site.base)).await;
    assert!(landed.starts_with("chrome-error:"), "{landed}");
    assert_eq!(
        control.seen(),
        Vec::<String>::new(),
        "a page reached the control endpoint"
    );

    // The same attacks on the site reach it: the refusals above are not a dead network.
    for attack in attacks(&site.base) {
        call(&op, &id, "canvas.navigate", json!({"url": site_page})).await;
        eval(&op, &id, &attack).await;
    }
    let seen = site.seen();
    for path in [
        "/json/list",
        "/json/version",
        "/img",
        "/devtools/browser/x",
        "/json/new",
        "/to?",
    ] {
        assert!(
            seen.iter().any(|p| p.starts_with(path)),
            "{path} not in {seen:?}"
        );
    }

    // A redirect from the network to the key, and a popup onto it, show nothing of it either.
    call(&op, &id, "canvas.navigate", json!({"url": site_page})).await;
    let landed = navigate_from_page(&op, &id, &format!("{}/to?{key_url}", site.base)).await;
    assert!(landed.starts_with("chrome-error:"), "{landed}");
    call(&op, &id, "canvas.navigate", json!({"url": page_url})).await;
    let popup = eval(
        &op,
        &id,
        &format!("new Promise(r => {{ const w = window.open({key_url:?}); const t = setInterval(() => {{ try {{ const text = w.document.body && w.document.body.innerText; if (text) {{ clearInterval(t); r(text) }} }} catch (e) {{ clearInterval(t); r(String(e)) }} }}, 10) }})"),
    )
    .await;
    assert!(!popup.to_string().contains("privateKey"), "{popup}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_of_the_node_or_its_chromium_listens_for_devtools() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let (node, id) = start_paired(&gw, &op, "portless-node", json!({})).await;
    assert_eq!(eval(&op, &id, "1 + 1").await["result"], 2);
    // Browser control's own Chromium too.
    let started = call(
        &op,
        &id,
        "browser.proxy",
        json!({"method": "POST", "path": "/start"}),
    )
    .await;
    assert_eq!(started["result"]["ok"], true, "{started}");

    let canvas = chromium_pid(&node.state).expect("Chromium runs for the canvas");
    let automation = chromium_pid_for(&node.state.join("browser/openclaw/user-data"))
        .expect("Chromium runs for browser control");
    let mut pids = process_group(canvas);
    assert!(pids.len() > 1, "Chromium without its helpers: {pids:?}");
    pids.extend(process_group(automation));
    pids.push(node.child.id() as i32);
    let listening = listening_sockets();
    let open: Vec<_> = pids
        .iter()
        .flat_map(|pid| {
            socket_inodes(*pid)
                .into_iter()
                .map(move |inode| (*pid, inode))
        })
        .filter(|(_, inode)| listening.contains(inode))
        .collect();
    assert_eq!(open, vec![], "(pid, socket) pairs listening on TCP");
}

/// Every process whose group is `group`.
fn process_group(group: i32) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // pid (comm) state ppid pgrp ...: comm may hold spaces, so count after ')'.
            let pgrp: i32 = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(2)?
                .parse()
                .ok()?;
            (pgrp == group).then_some(pid)
        })
        .collect()
}

/// The socket inodes `pid` has open.
fn socket_inodes(pid: i32) -> Vec<u64> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    fds.flatten()
        .filter_map(|fd| {
            let target = std::fs::read_link(fd.path()).ok()?;
            let target = target.to_str()?;
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

/// Inodes of every TCP socket on this machine in the LISTEN state.
fn listening_sockets() -> HashSet<u64> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(Path::new(table)).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    (fields.get(3) == Some(&"0A")).then(|| fields.get(9)?.parse().ok())?
                })
                .collect::<Vec<u64>>()
        })
        .collect()
}
