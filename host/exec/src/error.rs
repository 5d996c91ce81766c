//! Why the exec policy refused a request, in the protocol's terms.

use openclaw_protocol::errors::ErrorCode;

/// A refusal: `code` is the protocol error code, `message` the text the operator sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExecError {
    pub code: ErrorCode,
    pub message: String,
}

impl ExecError {
    /// A refusal worded by the protocol's rule (`INVALID_REQUEST: ...` for a caller's mistake).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ExecError {
        ExecError {
            code,
            message: code.node_message(message),
        }
    }

    pub fn invalid(message: impl Into<String>) -> ExecError {
        ExecError::new(ErrorCode::InvalidRequest, message)
    }

    pub fn unavailable(message: impl Into<String>) -> ExecError {
        ExecError::new(ErrorCode::Unavailable, message)
    }
}
