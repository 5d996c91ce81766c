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
    /// The auth settings cannot serve this bind (e.g. `none` off loopback).
    #[error("{0}")]
    Auth(String),
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

/// What in the state dir holds the gateway's secrets: the shared token (`openclaw.json`),
/// device tokens (the database), the TLS key.
fn secret_paths(state: &std::path::Path) -> Vec<std::path::PathBuf> {
    let tls = state.join("gateway/tls");
    let mut paths = vec![state.to_path_buf(), state.join("openclaw.json")];
    for name in ["gateway.sqlite", "gateway.sqlite-wal", "gateway.sqlite-shm"] {
        paths.push(state.join(name));
    }
    paths.extend([
        state.join("gateway"),
        tls.clone(),
        tls.join("gateway-key.pem"),
    ]);
    paths
}

pub async fn start(config: GatewayConfig) -> Result<RunningGateway, StartError> {
    crate::config::check_auth_config(&config).map_err(StartError::Auth)?;
    let state = &config.state_dir;
    let database = state.join("gateway.sqlite");
    // SQLite gives the `-wal` and `-shm` files the database's mode: create it private.
    openclaw_files::private_dir(state)
        .and_then(|_| openclaw_files::private_file(&database))
        .map_err(|source| StartError::StateDir {
            path: state.display().to_string(),
            source,
        })?;
    for notice in openclaw_files::tighten(&secret_paths(state)) {
        eprintln!("warning: {notice}");
    }
    let store = Store::open(&database)?;
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
    gw.endpoint
        .set(crate::state::BoundEndpoint {
            port: addr.port(),
            tls_fingerprint: tls.as_ref().map(|t| t.fingerprint.clone()),
        })
        .expect("set once");
    crate::approvals::restore(&gw)?;

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
                let mut ticket = gw.admission.admit();
                let io: Box<dyn connection::Io> = match acceptor {
                    None => Box::new(tcp),
                    Some(acceptor) => {
                        let accept =
                            tokio::time::timeout(gw.config.handshake_timeout, acceptor.accept(tcp));
                        tokio::select! {
                            _ = &mut ticket.evicted => return,
                            accepted = accept => match accepted {
                                Ok(Ok(stream)) => Box::new(stream),
                                Ok(Err(e)) => return tracing::debug!(%remote, "tls handshake failed: {e}"),
                                Err(_) => return tracing::debug!(%remote, "tls handshake timed out"),
                            },
                        }
                    }
                };
                connection::serve(gw.clone(), io, remote, ticket).await
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
