//! The state every connection shares: config, store, policy, live sessions and invoke routing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use serde_json::Value;

use crate::admission::Admission;
use crate::approvals::table::Approvals;
use crate::config::GatewayConfig;
use crate::invoke_router::InvokeRouter;
use crate::policy::CommandPolicy;
use crate::policy_reload::ConfigWatch;
use crate::session::{Role, Session};
use crate::store::Store;

pub struct Gateway {
    pub config: GatewayConfig,
    pub store: Store,
    pub policy: CommandPolicy,
    /// The config file `policy` follows, when there is one.
    pub(crate) config_watch: Option<ConfigWatch>,
    /// `gateway.nodes.pairing.autoApproveCidrs`, as last read.
    pub trusted_cidrs: std::sync::RwLock<Vec<String>>,
    pub invokes: InvokeRouter,
    /// Exec approvals waiting for (or just given) an operator's verdict.
    pub approvals: Approvals,
    /// Connections that have not authenticated yet.
    pub admission: Admission,
    /// Failed shared-secret attempts per client address.
    pub auth_limiter: crate::auth_limit::AuthLimiter,
    /// Failed join-code fetches per client address.
    pub join_limiter: crate::auth_limit::AuthLimiter,
    pub boot_id: String,
    pub started: Instant,
    /// Where the listener is and the certificate it serves, once bound: what setup codes name.
    pub endpoint: std::sync::OnceLock<BoundEndpoint>,
    sessions: RwLock<HashMap<String, Arc<Session>>>,
    nodes: RwLock<HashMap<String, Arc<Session>>>,
    /// Pending-queue items handed to a node connection and not yet acked: item id -> conn id.
    pub pending_delivered: Mutex<HashMap<String, String>>,
}

#[derive(Debug, Clone)]
pub struct BoundEndpoint {
    pub port: u16,
    pub tls_fingerprint: Option<String>,
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Gateway {
    pub fn new(config: GatewayConfig, store: Store) -> Gateway {
        let auth_limiter = crate::auth_limit::AuthLimiter::new(config.auth_rate_limit.clone());
        let join_limiter = crate::auth_limit::AuthLimiter::new(config.auth_rate_limit.clone());
        Gateway {
            policy: CommandPolicy::new(config.commands.clone()),
            config_watch: config.config_file.clone().map(ConfigWatch::new),
            trusted_cidrs: std::sync::RwLock::new(config.pairing.auto_approve_cidrs.clone()),
            config,
            store,
            invokes: InvokeRouter::default(),
            approvals: Approvals::default(),
            admission: Admission::default(),
            join_limiter,
            auth_limiter,
            boot_id: uuid::Uuid::new_v4().to_string(),
            started: Instant::now(),
            endpoint: std::sync::OnceLock::new(),
            sessions: RwLock::default(),
            nodes: RwLock::default(),
            pending_delivered: Mutex::default(),
        }
    }

    /// Registers a session; a node replaces (and closes) an older connection of the same node.
    pub fn register(&self, session: Arc<Session>) {
        if let Some(node_id) = session.node_id() {
            let old = self
                .nodes
                .write()
                .unwrap()
                .insert(node_id.to_string(), session.clone());
            if let Some(old) = old {
                old.out
                    .close(1008, "replaced by a newer connection of this node");
            }
        }
        self.sessions
            .write()
            .unwrap()
            .insert(session.conn_id.clone(), session);
    }

    /// Forgets a session. Returns true when it was the node's current connection.
    pub fn unregister(&self, session: &Session) -> bool {
        self.sessions.write().unwrap().remove(&session.conn_id);
        let Some(node_id) = session.node_id() else {
            return false;
        };
        let mut nodes = self.nodes.write().unwrap();
        if nodes
            .get(node_id)
            .is_some_and(|s| s.conn_id == session.conn_id)
        {
            nodes.remove(node_id);
            return true;
        }
        false
    }

    pub fn node_session(&self, node_id: &str) -> Option<Arc<Session>> {
        self.nodes.read().unwrap().get(node_id).cloned()
    }

    pub fn node_sessions(&self) -> Vec<Arc<Session>> {
        self.nodes.read().unwrap().values().cloned().collect()
    }

    pub fn sessions(&self) -> Vec<Arc<Session>> {
        self.sessions.read().unwrap().values().cloned().collect()
    }

    /// Sends an event to every operator.
    pub fn broadcast_operators(&self, event: &str, payload: &Value) {
        for s in self.sessions.read().unwrap().values() {
            if s.role == Role::Operator {
                s.broadcast(event, payload);
            }
        }
    }

    /// Closes every connection of `device_id` in `role` (token revoked, device removed).
    pub fn disconnect_device(&self, device_id: &str, role: Option<Role>, reason: &str) {
        for s in self.sessions.read().unwrap().values() {
            if s.device_id.as_deref() == Some(device_id) && role.is_none_or(|r| r == s.role) {
                s.out.close(1008, reason);
            }
        }
    }

    pub fn uptime_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}
