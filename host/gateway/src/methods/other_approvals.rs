//! `plugin.approval.list` and `openclaw.approval.list`: the pending approvals of the real
//! gateway's plugins and system agent. This gateway has neither, so none are ever pending;
//! the real CLI's `approvals pending` asks for all three kinds and fails if one call fails.

use std::sync::Arc;

use serde_json::{json, Value};

use super::Reply;
use crate::session::Session;
use crate::state::Gateway;

/// The real answers a bare array of visible pending records; here it is always empty.
pub fn none_pending(_: &Arc<Gateway>, _: &Arc<Session>, _: Value) -> Reply {
    Ok(json!([]))
}
