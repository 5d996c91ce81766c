//! A device operation that failed, with the node error code the operator sees.

use openclaw_protocol::errors::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DeviceError {
    pub code: ErrorCode,
    pub message: String,
}

impl DeviceError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> DeviceError {
        DeviceError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> DeviceError {
        DeviceError::new(ErrorCode::InvalidRequest, message)
    }

    pub fn unavailable(message: impl Into<String>) -> DeviceError {
        DeviceError::new(ErrorCode::Unavailable, message)
    }
}
