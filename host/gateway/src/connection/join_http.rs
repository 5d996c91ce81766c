//! The one plain HTTP route the gateway serves: `GET …/j/<shortcode>` hands out a join code's
//! setup payload once (the real's `device-pairing-join-http`). Everything else is a WebSocket
//! upgrade: the request head read here is replayed to the upgrade untouched.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use super::frames::Io;
use crate::pairing::bootstrap;
use crate::state::Gateway;

/// A request head larger than this is left to the upgrade, which refuses it.
const MAX_HEAD_BYTES: usize = 8 * 1024;

/// Reads the request head. A join request is answered here (`None`); any other connection comes
/// back with the bytes read so far put back in front.
pub async fn serve_or_pass(gw: &Gateway, mut io: Box<dyn Io>, ip: &str) -> Option<Box<dyn Io>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD_BYTES {
        match io.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    match join_request(&head) {
        Some(request) => {
            answer(gw, &mut io, ip, request).await;
            None
        }
        None => Some(Box::new(Prefixed {
            head,
            at: 0,
            inner: io,
        })),
    }
}

struct JoinRequest {
    get: bool,
    /// The shortcode after the last `/j/`, or `None` for a query string or another shape.
    shortcode: Option<String>,
}

/// A request for `…/j` or `…/j/<code>` that is not a WebSocket upgrade.
fn join_request(head: &[u8]) -> Option<JoinRequest> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    req.parse(head).ok()?;
    let upgrade = req
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("upgrade"));
    let target = req.path?;
    if upgrade {
        return None;
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let code = if path.ends_with("/j") {
        ""
    } else {
        &path[path.rfind("/j/")? + 3..]
    };
    Some(JoinRequest {
        get: req.method == Some("GET"),
        shortcode: Some(code.to_string()).filter(|_| query.is_none()),
    })
}

async fn answer(gw: &Gateway, io: &mut Box<dyn Io>, ip: &str, request: JoinRequest) {
    let limiter = &gw.join_limiter;
    let (status, body) = if let Err(locked) = limiter.check(ip) {
        let secs = locked.retry_after.as_secs().max(1);
        let extra = format!("Retry-After: {secs}\r\n");
        return respond(
            io,
            "429 Too Many Requests",
            &extra,
            r#"{"error":"rate_limited"}"#,
        )
        .await;
    } else {
        let payload = match (request.get, request.shortcode) {
            (true, Some(code)) => {
                bootstrap::redeem_join_code(&gw.store, &code).unwrap_or_else(|e| {
                    tracing::error!("join code lookup failed: {e}");
                    None
                })
            }
            _ => None,
        };
        match payload {
            Some(payload) => {
                limiter.reset(ip);
                (
                    "200 OK",
                    serde_json::to_string(&payload).expect("payload serializes"),
                )
            }
            None => {
                limiter.record_failure(ip);
                ("404 Not Found", r#"{"error":"not_found"}"#.to_string())
            }
        }
    };
    respond(io, status, "", &body).await;
}

async fn respond(io: &mut Box<dyn Io>, status: &str, extra: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    io.write_all(response.as_bytes()).await.ok();
    io.shutdown().await.ok();
}

/// A stream whose first bytes were already read: they are read again, then the rest.
struct Prefixed {
    head: Vec<u8>,
    at: usize,
    inner: Box<dyn Io>,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.at < self.head.len() {
            let n = buf.remaining().min(self.head.len() - self.at);
            let at = self.at;
            buf.put_slice(&self.head[at..at + n]);
            self.at += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::join_request;

    #[test]
    fn only_plain_requests_under_j_are_join_requests() {
        let get = |target: &str, extra: &str| {
            join_request(format!("GET {target} HTTP/1.1\r\nHost: h\r\n{extra}\r\n").as_bytes())
        };
        let code = "AAAAAAAAAAAAAAAAAAAAAA";
        let hit = get(&format!("/gw/j/{code}"), "").unwrap();
        assert_eq!(hit.shortcode.as_deref(), Some(code));
        assert!(get("/j", "").unwrap().shortcode == Some(String::new()));
        assert!(get(&format!("/j/{code}?x=1"), "")
            .unwrap()
            .shortcode
            .is_none());
        assert!(get(&format!("/j/{code}"), "Upgrade: websocket\r\n").is_none());
        assert!(get("/", "").is_none());
        assert!(get("/openclaw-gw", "").is_none());
    }
}
