//! Error codes (`error.code`) and the finer reasons carried in `error.details.code`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::frames::ErrorShape;

/// Every code this project puts in `error.code`: of a gateway response, and of a node
/// command's failure. (A plugin may fail with a code of its own; that one is passed on as text.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The caller's mistake: bad params, an unknown method or node.
    InvalidRequest,
    NotPaired,
    Forbidden,
    Unavailable,
    ApprovalNotFound,
    Timeout,
    PayloadTooLarge,
    /// `system.run` refused by the exec policy.
    SystemRunDenied,
    /// The node went away while a command was running on it.
    Disconnected,
    /// `location.get` on a node whose location is switched off.
    LocationDisabled,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::NotPaired => "NOT_PAIRED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::ApprovalNotFound => "APPROVAL_NOT_FOUND",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::SystemRunDenied => "SYSTEM_RUN_DENIED",
            ErrorCode::Disconnected => "DISCONNECTED",
            ErrorCode::LocationDisabled => "LOCATION_DISABLED",
        }
    }

    const ALL: [ErrorCode; 10] = [
        ErrorCode::InvalidRequest,
        ErrorCode::NotPaired,
        ErrorCode::Forbidden,
        ErrorCode::Unavailable,
        ErrorCode::ApprovalNotFound,
        ErrorCode::Timeout,
        ErrorCode::PayloadTooLarge,
        ErrorCode::SystemRunDenied,
        ErrorCode::Disconnected,
        ErrorCode::LocationDisabled,
    ];

    /// A node command's failure message, worded as the real node host words it: a caller's
    /// mistake reads `INVALID_REQUEST: ...`, unless the message already starts with a code of
    /// its own (the real host refuses an environment override as `INVALID_REQUEST` with a
    /// `SYSTEM_RUN_DENIED: ...` message). Other codes keep the message as it is.
    pub fn node_message(self, message: impl Into<String>) -> String {
        let message = message.into();
        let names_a_code = ErrorCode::ALL
            .iter()
            .any(|c| message.starts_with(&format!("{c}: ")));
        if self == ErrorCode::InvalidRequest && !names_a_code {
            format!("{self}: {message}")
        } else {
            message
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ErrorCode> for String {
    fn from(code: ErrorCode) -> String {
        code.as_str().to_string()
    }
}

/// Reasons in `error.details.code`.
pub mod detail {
    pub const PROTOCOL_MISMATCH: &str = "PROTOCOL_MISMATCH";
    pub const AUTH_TOKEN_MISSING: &str = "AUTH_TOKEN_MISSING";
    pub const AUTH_TOKEN_MISMATCH: &str = "AUTH_TOKEN_MISMATCH";
    pub const AUTH_DEVICE_TOKEN_MISMATCH: &str = "AUTH_DEVICE_TOKEN_MISMATCH";
    pub const AUTH_PASSWORD_MISMATCH: &str = "AUTH_PASSWORD_MISMATCH";
    pub const AUTH_PASSWORD_MISSING: &str = "AUTH_PASSWORD_MISSING";
    pub const AUTH_PASSWORD_NOT_CONFIGURED: &str = "AUTH_PASSWORD_NOT_CONFIGURED";
    pub const AUTH_RATE_LIMITED: &str = "AUTH_RATE_LIMITED";
    pub const AUTH_BOOTSTRAP_TOKEN_INVALID: &str = "AUTH_BOOTSTRAP_TOKEN_INVALID";
    pub const DEVICE_IDENTITY_REQUIRED: &str = "DEVICE_IDENTITY_REQUIRED";
    pub const DEVICE_AUTH_DEVICE_ID_MISMATCH: &str = "DEVICE_AUTH_DEVICE_ID_MISMATCH";
    pub const DEVICE_AUTH_SIGNATURE_EXPIRED: &str = "DEVICE_AUTH_SIGNATURE_EXPIRED";
    pub const DEVICE_AUTH_NONCE_REQUIRED: &str = "DEVICE_AUTH_NONCE_REQUIRED";
    pub const DEVICE_AUTH_NONCE_MISMATCH: &str = "DEVICE_AUTH_NONCE_MISMATCH";
    pub const DEVICE_AUTH_SIGNATURE_INVALID: &str = "DEVICE_AUTH_SIGNATURE_INVALID";
    pub const DEVICE_AUTH_PUBLIC_KEY_INVALID: &str = "DEVICE_AUTH_PUBLIC_KEY_INVALID";
    pub const PAIRING_REQUIRED: &str = "PAIRING_REQUIRED";
    pub const MISSING_SCOPE: &str = "MISSING_SCOPE";
    pub const NOT_CONNECTED: &str = "NOT_CONNECTED";
    pub const PAIRING_CHANGED: &str = "PAIRING_CHANGED";
    pub const APPROVAL_REQUIRED: &str = "APPROVAL_REQUIRED";
    pub const RAW_COMMAND_MISMATCH: &str = "RAW_COMMAND_MISMATCH";
}

impl ErrorShape {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorShape {
            code: code.into(),
            message: message.into(),
            details: None,
            retryable: None,
            retry_after_ms: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = Some(retryable);
        self
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    pub fn unknown_method(method: &str) -> Self {
        Self::invalid_request(format!("unknown method: {method}"))
    }

    pub fn unauthorized_role(role: &str) -> Self {
        Self::invalid_request(format!("unauthorized role: {role}"))
    }

    pub fn invalid_params(method: &str, why: impl std::fmt::Display) -> Self {
        Self::invalid_request(format!("invalid {method} params: {why}"))
    }

    pub fn missing_scope(scope: &str, required: &[&str]) -> Self {
        Self::new(ErrorCode::Forbidden, format!("missing scope: {scope}")).with_details(json!({
            "code": detail::MISSING_SCOPE,
            "missingScope": scope,
            "requiredScopes": required,
        }))
    }

    /// The code in `details.code`, if any.
    pub fn detail_code(&self) -> Option<&str> {
        self.details.as_ref()?.get("code")?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_wire_names_and_the_prefix_rule() {
        assert_eq!(
            serde_json::to_value(ErrorCode::SystemRunDenied).unwrap(),
            json!("SYSTEM_RUN_DENIED")
        );
        let parsed: ErrorCode = serde_json::from_value(json!("PAYLOAD_TOO_LARGE")).unwrap();
        assert_eq!(parsed.as_str(), "PAYLOAD_TOO_LARGE");
        assert_eq!(
            ErrorCode::InvalidRequest.node_message("command required"),
            "INVALID_REQUEST: command required"
        );
        assert_eq!(
            ErrorCode::InvalidRequest.node_message("INVALID_REQUEST: already said"),
            "INVALID_REQUEST: already said"
        );
        assert_eq!(
            ErrorCode::InvalidRequest.node_message("SYSTEM_RUN_DENIED: env override rejected"),
            "SYSTEM_RUN_DENIED: env override rejected"
        );
        assert_eq!(ErrorCode::Timeout.node_message("too slow"), "too slow");
        for code in ErrorCode::ALL {
            let back: ErrorCode = serde_json::from_value(json!(code.as_str())).unwrap();
            assert_eq!(back, code);
        }
    }
}
