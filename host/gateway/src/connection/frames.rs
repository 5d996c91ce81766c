//! The raw frames of a connection before any session exists: the stream type, the first
//! frame, and the id of a frame that does not parse.

use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// A plain or TLS socket.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

pub type Ws = WebSocketStream<Box<dyn Io>>;

/// Reads the first frame, which must be `connect`. (Its size is bounded by the frame guard:
/// an oversized one fails the read, and `serve` closes with 1009.)
pub async fn first_text(stream: &mut SplitStream<Ws>) -> Option<Result<String, ()>> {
    loop {
        match stream.next().await? {
            Ok(Message::Text(text)) => return Some(Ok(text.to_string())),
            Ok(Message::Binary(_)) => return Some(Err(())),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

/// The `id` of a frame that failed to parse, when it has a readable one.
pub fn frame_id(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(String::from))
        .unwrap_or_default()
}
