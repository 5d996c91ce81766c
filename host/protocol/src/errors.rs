//! Error codes (`error.code`) and the finer reasons carried in `error.details.code`.

use serde_json::{json, Value};

use crate::frames::ErrorShape;

pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
pub const NOT_PAIRED: &str = "NOT_PAIRED";
pub const FORBIDDEN: &str = "FORBIDDEN";
pub const UNAVAILABLE: &str = "UNAVAILABLE";
pub const APPROVAL_NOT_FOUND: &str = "APPROVAL_NOT_FOUND";

/// Reasons in `error.details.code`.
pub mod detail {
    pub const PROTOCOL_MISMATCH: &str = "PROTOCOL_MISMATCH";
    pub const AUTH_TOKEN_MISSING: &str = "AUTH_TOKEN_MISSING";
    pub const AUTH_TOKEN_MISMATCH: &str = "AUTH_TOKEN_MISMATCH";
    pub const AUTH_DEVICE_TOKEN_MISMATCH: &str = "AUTH_DEVICE_TOKEN_MISMATCH";
    pub const AUTH_PASSWORD_MISMATCH: &str = "AUTH_PASSWORD_MISMATCH";
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
}

impl ErrorShape {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorShape {
            code: code.to_string(),
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
        Self::new(INVALID_REQUEST, message)
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
        Self::new(FORBIDDEN, format!("missing scope: {scope}")).with_details(json!({
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
