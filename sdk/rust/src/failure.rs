//! How a command fails: a protocol error code and a message, with conversions from the errors
//! a plugin meets most, so that `?` works on them.

use crate::Failure;

/// The error codes of the OpenClaw protocol, as a failure carries them.
pub mod code {
    /// The caller's mistake: bad params, something that does not exist.
    pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
    /// The node could not do it now: a device, a file or a service failed.
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    pub const TIMEOUT: &str = "TIMEOUT";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// `INVALID_REQUEST`, with the message prefixed as the real node host does.
    pub fn invalid(message: impl std::fmt::Display) -> Failure {
        Failure::new(
            code::INVALID_REQUEST,
            format!("{}: {message}", code::INVALID_REQUEST),
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Failure {
        Failure::new(code::UNAVAILABLE, message)
    }

    pub fn timeout(message: impl Into<String>) -> Failure {
        Failure::new(code::TIMEOUT, message)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::unavailable(e.to_string())
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Failure {
        Failure::invalid(e)
    }
}

impl From<std::num::ParseIntError> for Failure {
    fn from(e: std::num::ParseIntError) -> Failure {
        Failure::invalid(e)
    }
}

impl From<std::num::ParseFloatError> for Failure {
    fn from(e: std::num::ParseFloatError) -> Failure {
        Failure::invalid(e)
    }
}

impl From<std::string::FromUtf8Error> for Failure {
    fn from(e: std::string::FromUtf8Error) -> Failure {
        Failure::invalid(e)
    }
}

/// With the `anyhow` feature, `?` works on anything: the failure is `UNAVAILABLE`, worded
/// with the error's whole chain of causes.
#[cfg(feature = "anyhow")]
impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::unavailable(format!("{e:#}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_errors_become_failures_with_their_codes() {
        let f: Failure = std::io::Error::from(std::io::ErrorKind::NotFound).into();
        assert_eq!(f.code, code::UNAVAILABLE);
        let f: Failure = "x".parse::<u32>().unwrap_err().into();
        assert_eq!(
            (f.code.as_str(), f.message.as_str()),
            (
                code::INVALID_REQUEST,
                "INVALID_REQUEST: invalid digit found in string"
            )
        );
    }
}
