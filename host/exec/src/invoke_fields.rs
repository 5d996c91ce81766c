//! What a `system.run(.prepare)` invoke says beyond the request a plugin passes on: the
//! approval the gateway forwarded, and the security and ask the caller prepares for. The
//! node reads them from the invoke's own params, so no plugin can add or change them.

use serde::Deserialize;
use serde_json::Value;

use crate::approval::ApprovalFields;
use crate::approvals::{Ask, Policy, Security};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct InvokeFields {
    #[serde(flatten)]
    pub approval: ApprovalFields,
    #[serde(default)]
    security: Option<Value>,
    #[serde(default)]
    ask: Option<Value>,
    #[serde(default, rename = "strictInlineEval")]
    strict_inline_eval: Option<Value>,
}

impl InvokeFields {
    /// The fields of an invoke's params (none when they are not an object).
    pub fn of_params(params_json: Option<&str>) -> InvokeFields {
        params_json
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default()
    }

    /// Does `system.run.prepare` bind the plan for an approval? Always, unless the caller
    /// and the node's policy both run everything unasked.
    pub fn binds_approval(&self, policy: &Policy) -> bool {
        let security = self
            .security
            .as_ref()
            .and_then(Value::as_str)
            .and_then(Security::parse);
        let ask = self
            .ask
            .as_ref()
            .and_then(Value::as_str)
            .and_then(Ask::parse);
        let open = matches!((security, ask), (Some(s), Some(a))
            if policy.security.min(s) == Security::Full && policy.ask.max(a) == Ask::Off);
        !open || self.strict_inline_eval == Some(Value::Bool(true)) || policy.strict_inline_eval
    }
}
