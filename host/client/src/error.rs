use openclaw_protocol::frames::ErrorShape;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("invalid gateway url {url}: {why}")]
    Url { url: String, why: String },
    #[error("cannot reach the gateway at {url}: {source}")]
    Connect { url: String, source: std::io::Error },
    #[error("tls: {0}")]
    Tls(String),
    #[error("{0}")]
    Insecure(String),
    #[error("websocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the gateway sent an unexpected frame: {0}")]
    Protocol(String),
    #[error("{}", describe_rejection(.0))]
    Rejected(Box<ErrorShape>),
    #[error("{}", describe_rejection(.0))]
    Rpc(Box<ErrorShape>),
    #[error("timed out after {0} ms waiting for the gateway")]
    Timeout(u64),
    #[error("the gateway closed the connection{}", .0.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    Closed(Option<String>),
}

impl ClientError {
    /// The protocol error, when the gateway answered with one.
    pub fn error_shape(&self) -> Option<&ErrorShape> {
        match self {
            ClientError::Rejected(e) | ClientError::Rpc(e) => Some(e),
            _ => None,
        }
    }
}

fn describe_rejection(e: &ErrorShape) -> String {
    match e.detail_code() {
        Some(detail) if detail != e.code => format!("{} ({}): {}", e.code, detail, e.message),
        _ => format!("{}: {}", e.code, e.message),
    }
}
