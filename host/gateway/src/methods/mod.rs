//! The request methods: a table of name, role, scope and handler; dispatch checks role and
//! scope before a handler runs. Handlers that wait on a node run in their own task.

mod approval;
mod approvals;
mod browser_files;
mod browser_node;
mod browser_request;
mod browser_upload;
mod device_pairing;
mod exec_approval;
mod invoke;
mod node_events;
mod node_pairing;
mod nodes;
mod other_approvals;
mod params;
mod pending;
mod plugin_tools;
mod setup_code;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use openclaw_protocol::errors::ErrorCode;
use openclaw_protocol::frames::{ErrorShape, RequestFrame, ResponseFrame};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::session::{Role, Session};
use crate::state::Gateway;
use crate::store::StoreError;

pub type Reply = Result<Value, ErrorShape>;
type SyncHandler = fn(&Arc<Gateway>, &Arc<Session>, Value) -> Reply;
type AsyncHandler =
    fn(Arc<Gateway>, Arc<Session>, Value) -> Pin<Box<dyn Future<Output = Reply> + Send>>;
type PhasedHandler =
    fn(Arc<Gateway>, Arc<Session>, Value, Interim) -> Pin<Box<dyn Future<Output = Reply> + Send>>;

enum Handler {
    Sync(SyncHandler),
    Async(AsyncHandler),
    /// May answer early through its [`Interim`]; its reply is then a second `res`.
    Phased(PhasedHandler),
}

/// An early `res` for the request being handled (the real's two-phase answers: a client
/// takes the first `res` for an id and ignores the rest).
pub struct Interim {
    session: Arc<Session>,
    id: String,
}

impl Interim {
    pub fn send(&self, payload: Value) {
        self.session
            .out
            .respond(ResponseFrame::ok(self.id.clone(), payload));
    }
}

struct Method {
    name: &'static str,
    role: Role,
    scope: Option<&'static str>,
    handler: Handler,
}

const READ: Option<&str> = Some("operator.read");
const WRITE: Option<&str> = Some("operator.write");
const PAIRING: Option<&str> = Some("operator.pairing");
const ADMIN: Option<&str> = Some("operator.admin");
const APPROVALS: Option<&str> = Some(openclaw_protocol::exec_approval::APPROVALS_SCOPE);

macro_rules! method {
    ($name:literal, $role:ident, $scope:expr, sync $f:path) => {
        Method {
            name: $name,
            role: Role::$role,
            scope: $scope,
            handler: Handler::Sync($f),
        }
    };
    ($name:literal, $role:ident, $scope:expr, async $f:path) => {
        Method {
            name: $name,
            role: Role::$role,
            scope: $scope,
            handler: Handler::Async(|g, s, p| Box::pin($f(g, s, p))),
        }
    };
    ($name:literal, $role:ident, $scope:expr, phased $f:path) => {
        Method {
            name: $name,
            role: Role::$role,
            scope: $scope,
            handler: Handler::Phased(|g, s, p, i| Box::pin($f(g, s, p, i))),
        }
    };
}

const TABLE: &[Method] = &[
    method!("node.list", Operator, READ, sync nodes::list),
    method!("node.describe", Operator, READ, sync nodes::describe),
    method!("node.rename", Operator, PAIRING, sync nodes::rename),
    method!("node.pair.list", Operator, PAIRING, sync node_pairing::list),
    method!("node.pair.approve", Operator, PAIRING, sync node_pairing::approve),
    method!("node.pair.reject", Operator, PAIRING, sync node_pairing::reject),
    method!("node.pair.remove", Operator, PAIRING, sync node_pairing::remove),
    method!("device.pair.list", Operator, PAIRING, sync device_pairing::list),
    method!("device.pair.approve", Operator, PAIRING, sync device_pairing::approve),
    method!("device.pair.reject", Operator, PAIRING, sync device_pairing::reject),
    method!("device.pair.remove", Operator, PAIRING, sync device_pairing::remove),
    method!("device.pair.rename", Operator, PAIRING, sync device_pairing::rename),
    method!("device.pair.setupCode", Operator, ADMIN, sync setup_code::setup_code),
    method!("device.pair.setupStatus", Operator, ADMIN, sync setup_code::setup_status),
    method!("device.token.rotate", Operator, PAIRING, sync device_pairing::rotate),
    method!("device.token.revoke", Operator, PAIRING, sync device_pairing::revoke),
    method!("node.invoke", Operator, WRITE, async invoke::node_invoke),
    method!("node.pending.enqueue", Operator, WRITE, sync pending::enqueue),
    method!("exec.approvals.node.get", Operator, ADMIN, async approvals::get),
    method!("exec.approvals.node.set", Operator, ADMIN, async approvals::set),
    method!("browser.request", Operator, ADMIN, async browser_request::request),
    method!("exec.approval.request", Operator, APPROVALS, phased exec_approval::request),
    method!("exec.approval.waitDecision", Operator, APPROVALS, async exec_approval::wait_decision),
    method!("exec.approval.resolve", Operator, APPROVALS, sync exec_approval::resolve),
    method!("exec.approval.get", Operator, APPROVALS, sync exec_approval::get),
    method!("exec.approval.list", Operator, APPROVALS, sync exec_approval::list),
    method!("approval.get", Operator, APPROVALS, sync approval::get),
    method!("approval.resolve", Operator, APPROVALS, sync approval::resolve),
    method!("approval.history", Operator, APPROVALS, sync approval::history),
    method!("plugin.approval.list", Operator, APPROVALS, sync other_approvals::none_pending),
    method!("openclaw.approval.list", Operator, APPROVALS, sync other_approvals::none_pending),
    method!("node.invoke.result", Node, None, sync invoke::result),
    method!("node.invoke.progress", Node, None, sync invoke::progress),
    method!("node.event", Node, None, sync node_events::event),
    method!("node.pluginSurface.refresh", Node, None, sync node_events::refresh_surface),
    method!("node.pluginTools.update", Node, None, sync plugin_tools::update),
    method!("node.pending.drain", Node, None, sync pending::drain),
    method!("node.pending.pull", Node, None, sync pending::pull),
    method!("node.pending.ack", Node, None, sync pending::ack),
];

/// Served but left out of `hello-ok`, as the real gateway leaves them out.
const UNADVERTISED: &[&str] = &["device.pair.setupCode", "device.pair.setupStatus"];

/// `hello-ok.features.methods`: every method this gateway serves and advertises.
pub fn method_names() -> Vec<String> {
    TABLE
        .iter()
        .filter(|m| !UNADVERTISED.contains(&m.name))
        .map(|m| m.name.to_string())
        .collect()
}

/// `hello-ok.features.events`.
pub const EVENTS: &[&str] = &[
    "connect.challenge",
    "tick",
    "device.pair.requested",
    "device.pair.resolved",
    "device.pair.changed",
    "node.pair.requested",
    "node.pair.resolved",
    "node.invoke.request",
    "node.invoke.cancel",
    "node.hostStats",
    openclaw_protocol::exec_approval::EVENT_REQUESTED,
    openclaw_protocol::exec_approval::EVENT_RESOLVED,
];

pub fn dispatch(gw: &Arc<Gateway>, session: &Arc<Session>, req: RequestFrame) {
    let Some(method) = TABLE.iter().find(|m| m.name == req.method) else {
        session.out.respond(ResponseFrame::err(
            req.id,
            ErrorShape::unknown_method(&req.method),
        ));
        return;
    };
    if method.role != session.role {
        session.out.respond(ResponseFrame::err(
            req.id,
            ErrorShape::unauthorized_role(session.role.as_str()),
        ));
        return;
    }
    if let Some(scope) = method.scope {
        if !session.has_scope(scope) {
            session.out.respond(ResponseFrame::err(
                req.id,
                ErrorShape::missing_scope(scope, &[scope]),
            ));
            return;
        }
    }
    let params = req.params.unwrap_or(Value::Object(Default::default()));
    match method.handler {
        Handler::Sync(f) => {
            let reply = f(gw, session, params);
            session.out.respond(to_response(req.id, reply));
        }
        Handler::Async(f) => {
            let session = session.clone();
            let fut = f(gw.clone(), session.clone(), params);
            tokio::spawn(async move {
                let reply = fut.await;
                session.out.respond(to_response(req.id, reply));
            });
        }
        Handler::Phased(f) => {
            let interim = Interim {
                session: session.clone(),
                id: req.id.clone(),
            };
            let session = session.clone();
            let fut = f(gw.clone(), session.clone(), params, interim);
            tokio::spawn(async move {
                let reply = fut.await;
                session.out.respond(to_response(req.id, reply));
            });
        }
    }
}

fn to_response(id: String, reply: Reply) -> ResponseFrame {
    match reply {
        Ok(payload) => ResponseFrame::ok(id, payload),
        Err(error) => ResponseFrame::err(id, error),
    }
}

/// Parses closed params, with the protocol's message on failure.
pub fn parse<T: DeserializeOwned>(method: &str, params: Value) -> Result<T, ErrorShape> {
    serde_json::from_value(params).map_err(|e| ErrorShape::invalid_params(method, e))
}

/// A typed payload as the JSON a response carries.
pub fn to_value(payload: impl serde::Serialize) -> Value {
    serde_json::to_value(payload).expect("payloads serialize")
}

/// A store failure as the caller sees it.
pub fn unavailable(e: StoreError) -> ErrorShape {
    tracing::error!("{e}");
    ErrorShape::new(
        ErrorCode::Unavailable,
        format!("gateway state unavailable: {e}"),
    )
    .retryable(true)
}

/// Fails unless the caller holds `scope`.
pub fn require_scope(session: &Session, scope: &str) -> Result<(), ErrorShape> {
    if session.has_scope(scope) {
        Ok(())
    } else {
        Err(ErrorShape::missing_scope(scope, &[scope]))
    }
}
