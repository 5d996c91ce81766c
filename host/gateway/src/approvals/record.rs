//! One exec approval as the gateway keeps it (in SQLite and in memory), and the views of it
//! the methods and events hand out.

use openclaw_protocol::exec_approval::{
    Decision, Pending, Presentation, RequestRecord, Resolver, Snapshot, Source, RESOLVED_GRACE_MS,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Allowed,
    Denied,
    Expired,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Allowed => "allowed",
            Status::Denied => "denied",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRecord {
    pub id: String,
    pub request: RequestRecord,
    pub presentation: Presentation,
    pub created_at_ms: u64,
    pub expires_at_ms: u64,
    pub status: Status,
    /// Set for allowed and user-denied records; none for a timeout or a missing route.
    #[serde(default)]
    pub decision: Option<Decision>,
    #[serde(default)]
    pub terminal_reason: Option<String>,
    #[serde(default)]
    pub resolved_at_ms: Option<u64>,
    /// The label `exec.approval.resolved` names (client display name or id).
    #[serde(default)]
    pub resolved_by: Option<String>,
    #[serde(default)]
    pub resolver: Option<Resolver>,
    // Who asked: visibility and the forwarding guard bind to the device, else the connection.
    #[serde(default)]
    pub requested_by_conn_id: Option<String>,
    #[serde(default)]
    pub requested_by_device_id: Option<String>,
    #[serde(default)]
    pub requested_by_client_id: Option<String>,
    /// An allow-once is spent by the first `system.run` that uses it.
    #[serde(default)]
    pub consumed_at_ms: Option<u64>,
    #[serde(default)]
    pub ask_fallback_consumed: bool,
}

/// How a pending record ends.
pub struct Settlement {
    pub status: Status,
    pub decision: Option<Decision>,
    pub reason: &'static str,
    pub resolver: Resolver,
    pub resolved_by: Option<String>,
}

impl ApprovalRecord {
    pub fn is_pending(&self) -> bool {
        self.status == Status::Pending
    }

    /// A settled record stays in memory (waitable, usable once) for the grace period.
    pub fn past_grace(&self, now: u64) -> bool {
        self.resolved_at_ms
            .is_some_and(|at| now >= at + RESOLVED_GRACE_MS)
    }

    pub fn pending_view(&self) -> Pending {
        Pending {
            approval_kind: "exec".into(),
            id: self.id.clone(),
            request: self.request.clone(),
            created_at_ms: self.created_at_ms,
            expires_at_ms: self.expires_at_ms,
        }
    }

    /// The unified snapshot (`approval.get|resolve|history`).
    pub fn snapshot(&self) -> Snapshot {
        let terminal = !self.is_pending();
        let decision = match self.status {
            Status::Allowed => self.decision,
            Status::Denied => Some(Decision::Deny),
            _ => None,
        };
        Snapshot {
            id: self.id.clone(),
            status: self.status.as_str().into(),
            presentation: self.presentation.clone(),
            url_path: format!("/approve/{}", encode_uri_component(&self.id)),
            created_at_ms: self.created_at_ms,
            expires_at_ms: self.expires_at_ms,
            resolved_at_ms: self.resolved_at_ms.filter(|_| terminal),
            reason: self.terminal_reason.clone().filter(|_| terminal),
            decision,
            source: terminal.then(|| Source {
                agent_id: self.request.agent_id.clone(),
                session_key: self.request.session_key.clone(),
            }),
            resolver: self.resolver.clone().filter(|_| terminal),
        }
    }
}

/// JavaScript's `encodeURIComponent`.
fn encode_uri_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_as_javascript_does() {
        assert_eq!(encode_uri_component("a b/c:d"), "a%20b%2Fc%3Ad");
        assert_eq!(encode_uri_component("é"), "%C3%A9");
    }
}
