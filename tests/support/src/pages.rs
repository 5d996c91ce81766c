//! The browser test page (a form, a dialog, a download link, an iframe; `tests/e2e/data/
//! browser-page`) served on loopback, for the browser control tests and benches.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

/// Serves `tests/e2e/data/browser-page` on loopback.
pub struct Pages {
    pub base: String,
}

impl Pages {
    pub fn start() -> Pages {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../e2e/data/browser-page");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let dir = dir.clone();
                std::thread::spawn(move || serve(stream, &dir));
            }
        });
        Pages { base }
    }
}

fn serve(mut stream: std::net::TcpStream, dir: &Path) {
    let mut lines = BufReader::new(stream.try_clone().unwrap()).lines();
    let Some(Ok(first)) = lines.next() else {
        return;
    };
    for line in lines.by_ref() {
        if line.map_or(true, |l| l.is_empty()) {
            break;
        }
    }
    let path = first.split(' ').nth(1).unwrap_or("/");
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        other => other,
    };
    let file = (!name.contains(".."))
        .then(|| std::fs::read(dir.join(name)).ok())
        .flatten();
    let reply = match file {
        Some(body) => {
            let kind = match name.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("json") => "application/json",
                _ => "text/plain",
            };
            let mut head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            head.extend(body);
            head
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    stream.write_all(&reply).ok();
}
