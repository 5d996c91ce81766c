//! The legacy HTTP+SSE transport (MCP 2024-11-05), which the real node host still uses for a
//! bare `url` and rmcp no longer has: a GET opens an event stream whose first `endpoint`
//! event says where to POST messages; the server's messages come back as `message` events.

use std::fmt;
use std::future::Future;

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT};
use reqwest::Url;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::service::RoleClient;
use rmcp::transport::Transport;
use sse_stream::SseStream;
use tokio::sync::mpsc;

/// Messages the server may have sent ahead of the client reading them.
const BACKLOG: usize = 64;

#[derive(Debug)]
pub(crate) struct SseError(String);

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SseError {}

pub(crate) struct LegacySse {
    client: reqwest::Client,
    endpoint: Url,
    headers: HeaderMap,
    incoming: mpsc::Receiver<ServerJsonRpcMessage>,
    reader: tokio::task::JoinHandle<()>,
}

/// Opens the event stream at `url` and waits for the server to name its endpoint.
pub(crate) async fn connect(url: &str, headers: &[(String, String)]) -> Result<LegacySse, String> {
    let base = Url::parse(url).map_err(|e| format!("invalid MCP server URL {url:?}: {e}"))?;
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name: HeaderName = name.parse().map_err(|e| format!("header {name:?}: {e}"))?;
        let value: HeaderValue = value.parse().map_err(|e| format!("header {name}: {e}"))?;
        map.insert(name, value);
    }
    let client = reqwest::Client::new();
    let response = client
        .get(base.clone())
        .headers(map.clone())
        .header(ACCEPT, "text/event-stream")
        .send()
        .await
        .map_err(|e| format!("SSE error: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("SSE error: HTTP {}", response.status()));
    }
    let mut events = SseStream::from_bytes_stream(response.bytes_stream());
    let named = loop {
        match events.next().await {
            Some(Ok(sse)) if sse.event.as_deref() == Some("endpoint") => {
                break sse.data.unwrap_or_default()
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(format!("SSE error: {e}")),
            None => return Err("the SSE stream ended before it named its endpoint".into()),
        }
    };
    let endpoint = base
        .join(named.trim())
        .map_err(|e| format!("the SSE endpoint {named:?} is not a URL: {e}"))?;
    // The server may not send the client's messages, and the configured headers, elsewhere.
    if endpoint.origin() != base.origin() {
        return Err(format!(
            "the SSE endpoint {endpoint} is not on the server's origin {}",
            base.origin().ascii_serialization()
        ));
    }
    let (tx, incoming) = mpsc::channel(BACKLOG);
    let reader = tokio::spawn(async move {
        while let Some(Ok(sse)) = events.next().await {
            if sse.event.as_deref().is_some_and(|e| e != "message") {
                continue;
            }
            let Some(data) = sse.data else { continue };
            match serde_json::from_str::<ServerJsonRpcMessage>(&data) {
                Ok(message) => {
                    if tx.send(message).await.is_err() {
                        return;
                    }
                }
                Err(e) => tracing::debug!("an SSE message that is not JSON-RPC: {e}"),
            }
        }
    });
    Ok(LegacySse {
        client,
        endpoint,
        headers: map,
        incoming,
        reader,
    })
}

impl Transport<RoleClient> for LegacySse {
    type Error = SseError;

    fn send(
        &mut self,
        item: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), SseError>> + Send + 'static {
        let request = self
            .client
            .post(self.endpoint.clone())
            .headers(self.headers.clone())
            .json(&item);
        async move {
            let response = request
                .send()
                .await
                .map_err(|e| SseError(format!("SSE error: {e}")))?;
            if !response.status().is_success() {
                return Err(SseError(format!("SSE error: HTTP {}", response.status())));
            }
            Ok(())
        }
    }

    async fn receive(&mut self) -> Option<ServerJsonRpcMessage> {
        self.incoming.recv().await
    }

    async fn close(&mut self) -> Result<(), SseError> {
        self.reader.abort();
        Ok(())
    }
}

impl Drop for LegacySse {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A server on loopback that answers one GET with an event stream naming `endpoint`, and
    /// holds the stream open.
    async fn serving(endpoint: &'static str) -> (String, tokio::task::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/sse", listener.local_addr().unwrap());
        let serve = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await.unwrap();
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\nevent: endpoint\ndata: {endpoint}\n\n"
            );
            socket.write_all(reply.as_bytes()).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        (url, serve)
    }

    #[tokio::test]
    async fn an_endpoint_on_another_origin_is_refused() {
        // The attack: the server points the client's messages, and its headers, elsewhere.
        let (url, serve) = serving("http://127.0.0.2:9/steal").await;
        let headers = [("Authorization".to_string(), "Bearer s3cret".to_string())];
        let Err(e) = super::connect(&url, &headers).await else {
            panic!("an endpoint elsewhere was taken");
        };
        assert!(e.contains("is not on the server's origin"), "{e}");
        serve.abort();
    }

    #[tokio::test]
    async fn a_relative_endpoint_is_read_against_the_server() {
        let (url, serve) = serving("/messages/?session_id=1").await;
        let sse = super::connect(&url, &[]).await.unwrap();
        assert_eq!(
            sse.endpoint.as_str(),
            url.replace("/sse", "/messages/?session_id=1")
        );
        serve.abort();
    }
}
