//! A device operation that failed, with the node error code the operator sees.

use openclaw_protocol::errors::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct HardwareError {
    pub code: ErrorCode,
    pub message: String,
}

impl HardwareError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> HardwareError {
        HardwareError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> HardwareError {
        HardwareError::new(ErrorCode::InvalidRequest, message)
    }

    pub fn unavailable(message: impl Into<String>) -> HardwareError {
        HardwareError::new(ErrorCode::Unavailable, message)
    }
}
