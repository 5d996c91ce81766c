//! A browser operation that failed, with the node error code the operator sees.

use openclaw_protocol::errors::ErrorCode;

/// Codes match the protocol's node errors, so a plugin can pass them on unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct BrowserError {
    pub code: ErrorCode,
    pub message: String,
}

impl BrowserError {
    /// The caller asked for something wrong (a bad URL, JavaScript that throws, ...).
    pub fn invalid(message: impl Into<String>) -> BrowserError {
        BrowserError {
            code: ErrorCode::InvalidRequest,
            message: message.into(),
        }
    }

    /// The browser could not do it (not installed, crashed, navigation failed, ...).
    pub fn unavailable(message: impl Into<String>) -> BrowserError {
        BrowserError {
            code: ErrorCode::Unavailable,
            message: message.into(),
        }
    }

    pub fn timeout(message: impl Into<String>) -> BrowserError {
        BrowserError {
            code: ErrorCode::Timeout,
            message: message.into(),
        }
    }

    pub fn too_large(message: impl Into<String>) -> BrowserError {
        BrowserError {
            code: ErrorCode::PayloadTooLarge,
            message: message.into(),
        }
    }
}

impl From<chromiumoxide::error::CdpError> for BrowserError {
    fn from(e: chromiumoxide::error::CdpError) -> BrowserError {
        BrowserError::unavailable(format!("the browser failed: {e}"))
    }
}
