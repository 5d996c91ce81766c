//! A device operation that failed, with the node error code the operator sees.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DeviceError {
    pub code: &'static str,
    pub message: String,
}

impl DeviceError {
    pub fn new(code: &'static str, message: impl Into<String>) -> DeviceError {
        DeviceError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> DeviceError {
        DeviceError::new("INVALID_REQUEST", message)
    }

    pub fn unavailable(message: impl Into<String>) -> DeviceError {
        DeviceError::new("UNAVAILABLE", message)
    }
}
