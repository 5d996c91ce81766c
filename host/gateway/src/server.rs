//! Binds the port, accepts connections (TLS when configured), and ticks.

use std::net::SocketAddr;
use std::sync::Arc;

use openclaw_protocol::now_ms;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::GatewayConfig;
use crate::connection;
use crate::state::Gateway;
use crate::store::Store;
use crate::tls;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the state dir {path}: {source}")]
    StateDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot listen on {addr}: {source} (is another gateway running? pick another --port)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A started gateway. Dropping it does not stop it; call [`RunningGateway::shutdown`].
pub struct RunningGateway {
    pub addr: SocketAddr,
    pub tls_fingerprint: Option<String>,
    pub state: Arc<Gateway>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningGateway {
    pub fn url(&self) -> String {
        let scheme = if self.tls_fingerprint.is_some() {
            "wss"
        } else {
            "ws"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting and closes every connection.
    pub fn shutdown(self) {
        for task in &self.tasks {
            task.abort();
        }
        for session in self.state.sessions() {
            session.out.close(1012, "gateway shutting down");
        }
    }
}

pub async fn start(config: GatewayConfig) -> Result<RunningGateway, StartError> {
    std::fs::create_dir_all(&config.state_dir).map_err(|source| StartError::StateDir {
        path: config.state_dir.display().to_string(),
        source,
    })?;
    let store = Store::open(&config.state_dir.join("gateway.sqlite"))?;
    let tls = config
        .tls
        .as_ref()
        .map(|t| tls::load(t, &config.state_dir))
        .transpose()?;
    let addr = SocketAddr::new(config.bind, config.port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr, source })?;
    let tick_interval = config.tick_interval;
    let gw = Arc::new(Gateway::new(config, store));

    let acceptor = tls
        .as_ref()
        .map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone()));
    let accept_gw = gw.clone();
    let accept = tokio::spawn(async move {
        loop {
            let (tcp, remote) = match listener.accept().await {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            tcp.set_nodelay(true).ok();
            let gw = accept_gw.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                match acceptor {
                    None => connection::serve(gw, Box::new(tcp), remote).await,
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(stream) => connection::serve(gw, Box::new(stream), remote).await,
                        Err(e) => tracing::debug!(%remote, "tls handshake failed: {e}"),
                    },
                }
            });
        }
    });

    let tick_gw = gw.clone();
    let tick = tokio::spawn(async move {
        let mut interval = tokio::time::interval(tick_interval);
        interval.tick().await;
        loop {
            interval.tick().await;
            let payload = json!({"ts": now_ms()});
            for session in tick_gw.sessions() {
                session.broadcast("tick", &payload);
            }
        }
    });

    Ok(RunningGateway {
        addr,
        tls_fingerprint: tls.map(|t| t.fingerprint),
        state: gw,
        tasks: vec![accept, tick],
    })
}
