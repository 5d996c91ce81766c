//! A connected client: one task reads frames and routes responses to their waiting callers and
//! events to [`Events`]; one task writes, batching whatever is queued before each flush.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use openclaw_protocol::frames::{EventFrame, Frame, RequestFrame, ResponseFrame};
use openclaw_protocol::hello::HelloOk;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::error::ClientError;
use crate::transport::Io;

pub(crate) type Ws = WebSocketStream<Box<dyn Io>>;
type Waiters = Mutex<HashMap<String, oneshot::Sender<ResponseFrame>>>;

/// A handle to a connected gateway session; clone it freely.
#[derive(Clone)]
pub struct GatewayClient {
    inner: Arc<Inner>,
}

struct Inner {
    out: mpsc::UnboundedSender<Message>,
    waiters: Arc<Waiters>,
    next_id: AtomicU64,
    hello: HelloOk,
    timeout: Duration,
    close_reason: Arc<Mutex<Option<String>>>,
    /// Set by the reader when the socket is gone; later requests fail at once.
    closed: Arc<AtomicBool>,
}

/// Events the gateway pushed to this client, in order. Ends when the connection closes.
pub struct Events {
    rx: mpsc::UnboundedReceiver<EventFrame>,
}

impl Events {
    pub async fn next(&mut self) -> Option<EventFrame> {
        self.rx.recv().await
    }

    /// An event already received, without waiting.
    pub fn try_next(&mut self) -> Option<EventFrame> {
        self.rx.try_recv().ok()
    }

    /// Waits for the next event with this name, skipping others.
    pub async fn wait_for(&mut self, name: &str) -> Option<EventFrame> {
        while let Some(ev) = self.rx.recv().await {
            if ev.event == name {
                return Some(ev);
            }
        }
        None
    }
}

pub(crate) fn start(ws: Ws, hello: HelloOk, timeout: Duration) -> (GatewayClient, Events) {
    let (sink, stream) = ws.split();
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let waiters: Arc<Waiters> = Arc::default();
    let close_reason = Arc::new(Mutex::new(None));
    let closed = Arc::new(AtomicBool::new(false));
    tokio::spawn(write_loop(sink, out_rx));
    tokio::spawn(read_loop(
        stream,
        waiters.clone(),
        ev_tx,
        close_reason.clone(),
        closed.clone(),
    ));
    let client = GatewayClient {
        inner: Arc::new(Inner {
            out: out_tx,
            waiters,
            next_id: AtomicU64::new(1),
            hello,
            timeout,
            close_reason,
            closed,
        }),
    };
    (client, Events { rx: ev_rx })
}

impl GatewayClient {
    pub fn hello(&self) -> &HelloOk {
        &self.inner.hello
    }

    /// Sends a request and waits for its response, up to the connection's default timeout.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        self.request_with_timeout(method, params, self.inner.timeout)
            .await
    }

    pub async fn request_with_timeout(
        &self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, ClientError> {
        let id = self
            .inner
            .next_id
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        let (tx, rx) = oneshot::channel();
        self.inner.waiters.lock().unwrap().insert(id.clone(), tx);
        if self.inner.closed.load(Ordering::SeqCst) {
            self.inner.waiters.lock().unwrap().remove(&id);
            return Err(self.closed());
        }
        let frame = Frame::Req(RequestFrame {
            id: id.clone(),
            method: method.to_string(),
            params: Some(params),
            traceparent: None,
            expected_profile_id: None,
        });
        if self.inner.out.send(Message::text(frame.to_text())).is_err() {
            self.inner.waiters.lock().unwrap().remove(&id);
            return Err(self.closed());
        }
        let res = match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(res)) => res,
            Ok(Err(_)) => return Err(self.closed()),
            Err(_) => {
                self.inner.waiters.lock().unwrap().remove(&id);
                return Err(ClientError::Timeout(timeout.as_millis() as u64));
            }
        };
        match (res.ok, res.error) {
            (true, _) => Ok(res.payload.unwrap_or(Value::Null)),
            (false, Some(error)) => Err(ClientError::Rpc(Box::new(error))),
            (false, None) => Err(ClientError::Protocol("error response without error".into())),
        }
    }

    /// Sends a raw text frame as it is (tests use it to send malformed input).
    pub fn send_raw(&self, text: String) -> Result<(), ClientError> {
        self.inner
            .out
            .send(Message::text(text))
            .map_err(|_| self.closed())
    }

    /// Closes the socket politely.
    pub fn close(&self) {
        self.inner.out.send(Message::Close(None)).ok();
    }

    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    fn closed(&self) -> ClientError {
        ClientError::Closed(self.inner.close_reason.lock().unwrap().clone())
    }
}

async fn write_loop(mut sink: SplitSink<Ws, Message>, mut rx: mpsc::UnboundedReceiver<Message>) {
    while let Some(msg) = rx.recv().await {
        let closing = matches!(msg, Message::Close(_));
        if sink.feed(msg).await.is_err() {
            break;
        }
        while let Ok(more) = rx.try_recv() {
            if sink.feed(more).await.is_err() {
                return;
            }
        }
        if sink.flush().await.is_err() || closing {
            break;
        }
    }
    sink.close().await.ok();
}

async fn read_loop(
    mut stream: SplitStream<Ws>,
    waiters: Arc<Waiters>,
    events: mpsc::UnboundedSender<EventFrame>,
    close_reason: Arc<Mutex<Option<String>>>,
    closed: Arc<AtomicBool>,
) {
    while let Some(msg) = stream.next().await {
        match msg {
            Ok(Message::Text(text)) => match serde_json::from_str::<Frame>(&text) {
                Ok(Frame::Res(res)) => {
                    if let Some(tx) = waiters.lock().unwrap().remove(&res.id) {
                        tx.send(res).ok();
                    }
                }
                Ok(Frame::Event(ev)) => {
                    events.send(ev).ok();
                }
                Ok(Frame::Req(_)) | Err(_) => {}
            },
            Ok(Message::Close(frame)) => {
                *close_reason.lock().unwrap() =
                    frame.map(|f| format!("{} {}", u16::from(f.code), f.reason));
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    // Dropping the waiters wakes every caller with a closed-connection error.
    closed.store(true, Ordering::SeqCst);
    waiters.lock().unwrap().clear();
}
