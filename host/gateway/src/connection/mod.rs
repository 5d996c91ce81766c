//! One client connection: upgrade, challenge, handshake (`hello`, with the `checks` of its
//! `connect`), then a read loop that dispatches requests while a writer task drains the
//! outbound queue.

pub mod checks;
mod frames;
mod hello;
mod join_http;

pub use frames::Io;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use openclaw_protocol::frames::{ErrorShape, EventFrame, Frame, ResponseFrame};
use openclaw_protocol::limits::{MAX_PAYLOAD_BYTES, MAX_PRE_HELLO_FRAME_BYTES};
use openclaw_protocol::now_ms;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::admission::Ticket;
use crate::frame_guard::{FrameGuard, GuardSwitch};
use crate::methods;
use crate::session::{OutMsg, Outbound, Session};
use crate::state::Gateway;
use checks::Peer;
use frames::{frame_id, Ws};

/// The WebSocket's read buffer: small, since unauthenticated connections are many.
const READ_BUFFER_BYTES: usize = 16 * 1024;

/// Serves one connection. Until it authenticates it holds an admission `ticket` (a newer
/// connection may evict it) and its frames are bounded by the pre-hello limit at the header.
pub async fn serve(gw: Arc<Gateway>, io: Box<dyn Io>, remote: SocketAddr, mut ticket: Ticket<'_>) {
    let mut proxied = false;
    let mut browser_origin = false;
    let inspect = |req: &Request, res: Response| {
        let h = req.headers();
        browser_origin = h.contains_key("origin");
        proxied = [
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto",
            "x-real-ip",
            "origin",
        ]
        .iter()
        .any(|name| h.contains_key(*name));
        Ok(res)
    };
    let ip = remote.ip().to_string();
    let peeked = tokio::time::timeout(
        gw.config.handshake_timeout,
        join_http::serve_or_pass(&gw, io, &ip),
    );
    let io = tokio::select! {
        _ = &mut ticket.evicted => return,
        peeked = peeked => match peeked {
            Ok(Some(io)) => io,
            _ => return,
        },
    };
    let guard = GuardSwitch::default();
    let io: Box<dyn Io> = Box::new(FrameGuard::new(
        io,
        MAX_PRE_HELLO_FRAME_BYTES,
        guard.clone(),
    ));
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(Some(MAX_PAYLOAD_BYTES))
        .max_frame_size(Some(MAX_PAYLOAD_BYTES));
    let upgrade = tokio_tungstenite::accept_hdr_async_with_config(io, inspect, Some(config));
    let ws = tokio::select! {
        _ = &mut ticket.evicted => return,
        upgraded = tokio::time::timeout(gw.config.handshake_timeout, upgrade) => match upgraded {
            Ok(Ok(ws)) => ws,
            Ok(Err(e)) => {
                tracing::debug!(%remote, "websocket upgrade failed: {e}");
                return;
            }
            Err(_) => return,
        },
    };
    let (sink, mut stream) = ws.split();
    let (out, rx, queued) = Outbound::new();
    let writer = tokio::spawn(write_loop(sink, rx, queued));

    let peer = Peer {
        nonce: uuid::Uuid::new_v4().to_string(),
        remote_ip: remote.ip().to_string(),
        direct_local: remote.ip().is_loopback() && !proxied,
        browser_origin,
    };
    out.send_frame(&Frame::Event(EventFrame::new(
        "connect.challenge",
        json!({"nonce": peer.nonce, "ts": now_ms(), "capabilities": []}),
    )));

    let handshake = hello::handshake(&gw, &mut stream, &out, &peer);
    let handshake = tokio::time::timeout(gw.config.handshake_timeout, handshake);
    let outcome = tokio::select! {
        _ = &mut ticket.evicted => Err(Evicted),
        done = handshake => Ok(done),
    };
    match outcome {
        Ok(Ok(Some(session))) => {
            guard.lift();
            drop(ticket);
            read_loop(&gw, &session, &mut stream).await;
            hello::disconnected(&gw, &session);
        }
        Ok(Ok(None)) if guard.tripped() => out.close(1009, "frame too large before hello"),
        Ok(Ok(None)) => {}
        Ok(Err(_)) => out.close(1008, "handshake timeout"),
        Err(Evicted) => out.close(1013, "too many unauthenticated connections; try again"),
    }
    out.close(1000, "");
    drop(out);
    writer.await.ok();
}

/// A newer connection took this one's place before it authenticated.
struct Evicted;

async fn read_loop(gw: &Arc<Gateway>, session: &Arc<Session>, stream: &mut SplitStream<Ws>) {
    while let Some(msg) = stream.next().await {
        match msg {
            Ok(Message::Text(text)) => on_text(gw, session, &text),
            Ok(Message::Binary(_)) => {
                session.out.respond(ResponseFrame::err(
                    "",
                    ErrorShape::invalid_request(
                        "invalid frame: binary frames are not supported; send JSON text frames",
                    ),
                ));
            }
            Ok(Message::Close(_)) => break,
            Ok(_) => {}
            Err(WsError::Capacity(e)) => {
                session.out.close(1009, &format!("frame too large: {e}"));
                break;
            }
            Err(_) => break,
        }
    }
}

fn on_text(gw: &Arc<Gateway>, session: &Arc<Session>, text: &str) {
    match serde_json::from_str::<Frame>(text) {
        Ok(Frame::Req(req)) => methods::dispatch(gw, session, req),
        Ok(other) => {
            let kind = if matches!(other, Frame::Res(_)) {
                "res"
            } else {
                "event"
            };
            session.out.respond(ResponseFrame::err(
                frame_id(text),
                ErrorShape::invalid_request(format!(
                    "invalid frame: clients send req frames, not {kind}"
                )),
            ));
        }
        Err(e) => {
            session.out.respond(ResponseFrame::err(
                frame_id(text),
                ErrorShape::invalid_request(format!("invalid frame: {e}")),
            ));
        }
    }
}

async fn write_loop(
    mut sink: SplitSink<Ws, Message>,
    mut rx: mpsc::UnboundedReceiver<OutMsg>,
    queued: Arc<AtomicUsize>,
) {
    'outer: while let Some(msg) = rx.recv().await {
        let mut next = Some(msg);
        while let Some(msg) = next.take() {
            match msg {
                OutMsg::Text(text) => {
                    queued.fetch_sub(text.len(), Ordering::Relaxed);
                    if sink.feed(Message::text(text)).await.is_err() {
                        break 'outer;
                    }
                }
                OutMsg::Close(code, reason) => {
                    let frame = CloseFrame {
                        code: CloseCode::from(code),
                        reason: truncate_reason(&reason).into(),
                    };
                    sink.send(Message::Close(Some(frame))).await.ok();
                    break 'outer;
                }
            }
            next = rx.try_recv().ok();
        }
        if sink.flush().await.is_err() {
            break;
        }
    }
    sink.close().await.ok();
}

/// Close reasons are limited to 123 bytes.
fn truncate_reason(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_string()
}
