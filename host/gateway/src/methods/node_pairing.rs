//! `node.pair.*`: approving, rejecting and removing node surfaces.

use std::sync::Arc;

use openclaw_protocol::frames::ErrorShape;
use openclaw_protocol::records::{NodePairList, NodePairRequest, PairedNode};
use serde_json::{json, Value};

use super::params::{ByNode, ByRequest, Empty};
use super::{parse, require_scope, to_value, unavailable, Reply};
use crate::pairing::surface;
use crate::session::Session;
use crate::state::Gateway;
use crate::store::kind;

pub fn list(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    parse::<Empty>("node.pair.list", params)?;
    let pending: Vec<NodePairRequest> = gw.store.list(kind::NODE_REQUEST).map_err(unavailable)?;
    let paired: Vec<PairedNode> = gw.store.list(kind::NODE).map_err(unavailable)?;
    Ok(to_value(NodePairList { pending, paired }))
}

fn request(gw: &Gateway, request_id: &str) -> Result<NodePairRequest, ErrorShape> {
    gw.store
        .get(kind::NODE_REQUEST, request_id)
        .map_err(unavailable)?
        .ok_or_else(|| ErrorShape::invalid_request("unknown requestId"))
}

pub fn approve(gw: &Arc<Gateway>, session: &Arc<Session>, params: Value) -> Reply {
    let p: ByRequest = parse("node.pair.approve", params)?;
    let request = request(gw, &p.request_id)?;
    for scope in &request.required_approve_scopes {
        require_scope(session, scope)?;
    }
    let node = surface::approve(gw, request).map_err(unavailable)?;
    Ok(json!({"requestId": p.request_id, "node": node}))
}

pub fn reject(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: ByRequest = parse("node.pair.reject", params)?;
    let request = request(gw, &p.request_id)?;
    surface::reject(gw, &request).map_err(unavailable)?;
    Ok(json!({"requestId": p.request_id, "nodeId": request.meta.node_id}))
}

pub fn remove(gw: &Arc<Gateway>, _: &Arc<Session>, params: Value) -> Reply {
    let p: ByNode = parse("node.pair.remove", params)?;
    if !surface::remove(gw, &p.node_id).map_err(unavailable)? {
        return Err(ErrorShape::invalid_request("unknown nodeId"));
    }
    Ok(json!({"nodeId": p.node_id}))
}
