//! chromiumoxide speaks DevTools only over WebSocket; Chromium here speaks it only over its
//! pipes. The bridge is a WebSocket endpoint on loopback, under a random path, that takes
//! exactly one client and relays it to the pipes. The port closes as soon as that client is
//! in, so while Chromium is being driven nothing on this machine listens for DevTools.

use std::net::Ipv4Addr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::pipe::NodeEnds;

/// Largest DevTools message either way; a screenshot at the snapshot limit fits well within.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// How long the bridge waits for its client.
const ACCEPT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one connection gets to finish its WebSocket handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(2);

/// The relay; it stops when dropped.
pub struct Bridge {
    /// Where the one client connects: `ws://127.0.0.1:<port>/devtools/browser/<random>`.
    pub url: String,
    pub relay: JoinHandle<()>,
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.relay.abort();
    }
}

/// Opens the endpoint for `ends`.
pub async fn open(ends: NodeEnds) -> std::io::Result<Bridge> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let port = listener.local_addr()?.port();
    let secret: [u8; 32] = rand::random();
    let path = format!("/devtools/browser/{}", hex(&secret));
    let url = format!("ws://127.0.0.1:{port}{path}");
    let relay = tokio::spawn(async move {
        if let Some(client) = accept_one(listener, &path).await {
            relay(client, ends).await;
        }
    });
    Ok(Bridge { url, relay })
}

/// The first connection that asks for `path`; every other one is refused. The listener is
/// dropped on return, which closes the port.
async fn accept_one(listener: TcpListener, path: &str) -> Option<WebSocketStream<TcpStream>> {
    let deadline = tokio::time::Instant::now() + ACCEPT_TIMEOUT;
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    loop {
        let (stream, _) = match tokio::time::timeout_at(deadline, listener.accept()).await {
            Ok(Ok(accepted)) => accepted,
            Ok(Err(e)) => {
                tracing::debug!("the DevTools bridge could not accept: {e}");
                continue;
            }
            Err(_) => {
                tracing::warn!("nobody connected to the DevTools bridge in time");
                return None;
            }
        };
        // Dropped, the socket resets rather than closes: chromiumoxide takes a clean close
        // for a pause and would wait forever, but fails its calls on a reset.
        stream.set_zero_linger().ok();
        // The error type is tungstenite's, fixed by its callback trait.
        #[allow(clippy::result_large_err)]
        let only_path = |request: &Request, response: Response| {
            if request.uri().path() == path {
                return Ok(response);
            }
            let mut refusal = ErrorResponse::new(None);
            *refusal.status_mut() = StatusCode::NOT_FOUND;
            Err(refusal)
        };
        let handshake =
            tokio_tungstenite::accept_hdr_async_with_config(stream, only_path, Some(config));
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
            Ok(Ok(client)) => return Some(client),
            _ => tracing::warn!(
                "refused a connection to the DevTools bridge that did not know its path"
            ),
        }
    }
}

/// Copies messages both ways until either side ends. When Chromium's side ends, the client's
/// connection resets, which is how it learns that Chromium is gone.
async fn relay(client: WebSocketStream<TcpStream>, ends: NodeEnds) {
    let (mut to_client, mut from_client) = client.split();
    let NodeEnds {
        mut to_chromium,
        from_chromium,
    } = ends;
    let commands = async move {
        while let Some(Ok(message)) = from_client.next().await {
            let bytes = match &message {
                Message::Text(text) => text.as_bytes(),
                Message::Binary(bytes) => bytes.as_ref(),
                Message::Close(_) => break,
                _ => continue,
            };
            // A NUL would end the message early and start another one.
            if bytes.contains(&0) {
                tracing::warn!("dropped the DevTools bridge client: a message held a NUL byte");
                break;
            }
            let sent = async {
                to_chromium.write_all(bytes).await?;
                to_chromium.write_all(b"\0").await
            };
            if sent.await.is_err() {
                break;
            }
        }
    };
    let replies = async move {
        let mut reader = BufReader::new(from_chromium);
        loop {
            let mut message = Vec::new();
            let limit = (MAX_MESSAGE_BYTES + 1) as u64;
            match (&mut reader).take(limit).read_until(0, &mut message).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if message.pop() != Some(0) {
                tracing::warn!("Chromium sent a DevTools message over {MAX_MESSAGE_BYTES} bytes, or cut one short");
                break;
            }
            let Ok(text) = String::from_utf8(message) else {
                tracing::warn!("Chromium sent a DevTools message that is not UTF-8");
                break;
            };
            if to_client.send(Message::text(text)).await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        () = commands => {}
        () = replies => {}
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipe;
    use tokio::net::unix::pipe::{Receiver, Sender};
    use tokio_tungstenite::connect_async;

    /// The bridge over real pipes, with this test playing Chromium on the other ends.
    async fn bridge_and_chromium() -> (Bridge, Receiver, Sender) {
        let (child, node) = pipe::open().unwrap();
        let (commands, replies) = child.into_fds();
        let bridge = open(node).await.unwrap();
        let chromium_in = Receiver::from_owned_fd(commands).unwrap();
        let chromium_out = Sender::from_owned_fd(replies).unwrap();
        (bridge, chromium_in, chromium_out)
    }

    #[tokio::test]
    async fn only_the_client_with_the_path_gets_in_and_then_the_port_closes() {
        let (bridge, chromium_in, mut chromium_out) = bridge_and_chromium().await;
        let (base, path) = bridge.url.split_at(bridge.url.find("/devtools").unwrap());
        assert_eq!(path.len(), "/devtools/browser/".len() + 64, "{path}");

        let guessed = format!("{base}/devtools/browser/0000");
        let refused = connect_async(&guessed).await.unwrap_err().to_string();
        assert!(refused.contains("404"), "{refused}");
        let (mut client, _) = connect_async(&bridge.url).await.unwrap();
        let port = base.rsplit(':').next().unwrap();
        let late = TcpStream::connect(format!("127.0.0.1:{port}")).await;
        assert!(
            late.is_err(),
            "the port still listens after the client got in"
        );

        client.send(Message::text(r#"{"id":1}"#)).await.unwrap();
        let mut got = Vec::new();
        BufReader::new(chromium_in)
            .read_until(0, &mut got)
            .await
            .unwrap();
        assert_eq!(got, b"{\"id\":1}\0");

        chromium_out
            .write_all(b"{\"a\":1}\0{\"b\":2}\0")
            .await
            .unwrap();
        for want in [r#"{"a":1}"#, r#"{"b":2}"#] {
            let message = client.next().await.unwrap().unwrap();
            assert_eq!(message.to_text().unwrap(), want);
        }
        // Chromium going away resets the client's connection: an error, not a clean end.
        drop(chromium_out);
        let last = client.next().await;
        assert!(matches!(last, Some(Err(_))), "{last:?}");
    }

    #[tokio::test]
    async fn a_message_with_a_nul_byte_ends_the_relay_instead_of_splitting() {
        let (bridge, chromium_in, _chromium_out) = bridge_and_chromium().await;
        let (mut client, _) = connect_async(&bridge.url).await.unwrap();
        client
            .send(Message::text(
                "{\"id\":1}\0{\"id\":2,\"method\":\"Browser.close\"}",
            ))
            .await
            .unwrap();
        let mut seen = Vec::new();
        BufReader::new(chromium_in)
            .read_to_end(&mut seen)
            .await
            .unwrap();
        assert_eq!(seen, b"", "Chromium got part of a message");
    }
}
