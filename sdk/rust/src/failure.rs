//! How a command fails: a protocol error code and a message, with conversions from the errors
//! a plugin meets most, so that `?` works on them.

use std::fmt;

use crate::bindings::openclaw::plugin::types::Failure as ContractFailure;

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

/// A failed command: the protocol error `code` the operator sees (`INVALID_REQUEST`,
/// `UNAVAILABLE`, `SYSTEM_RUN_DENIED`, ...) and a message. A capability's failure converts into
/// one with `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// `INVALID_REQUEST`: the caller's mistake. The message is the reason alone; the operator
    /// reads it as `INVALID_REQUEST: <reason>`, as the real node host words it.
    pub fn invalid(message: impl fmt::Display) -> Failure {
        Failure::new(code::INVALID_REQUEST, message.to_string())
    }

    pub fn unavailable(message: impl Into<String>) -> Failure {
        Failure::new(code::UNAVAILABLE, message)
    }

    pub fn timeout(message: impl Into<String>) -> Failure {
        Failure::new(code::TIMEOUT, message)
    }

    /// The failure as the operator receives it (what [`plugin!`](crate::plugin) answers the
    /// host): the message worded by [`Display`](fmt::Display).
    pub fn on_the_wire(self) -> ContractFailure {
        let message = self.to_string();
        ContractFailure {
            code: self.code,
            message,
        }
    }
}

/// The message as the operator reads it. An `INVALID_REQUEST` reason is prefixed with its code,
/// as the real node host words them; a message that already starts with the code (or with
/// `Error: `, as the real words a thrown error) is left as it is, so a failure passed on from
/// the host is never prefixed twice.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let worded = self.message.starts_with(&self.code) || self.message.starts_with("Error: ");
        if self.code == code::INVALID_REQUEST && !worded {
            write!(f, "{}: {}", self.code, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for Failure {}

/// A capability's failure, worded by the host already.
impl From<ContractFailure> for Failure {
    fn from(f: ContractFailure) -> Failure {
        Failure {
            code: f.code,
            message: f.message,
        }
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
            (code::INVALID_REQUEST, "invalid digit found in string")
        );
    }

    #[test]
    fn the_code_prefixes_a_reason_once_on_the_wire() {
        let wire = |f: Failure| f.on_the_wire().message;
        assert_eq!(
            wire(Failure::invalid("bins required")),
            "INVALID_REQUEST: bins required"
        );
        assert_eq!(
            wire(Failure::invalid("INVALID_REQUEST: bins required")),
            "INVALID_REQUEST: bins required"
        );
        assert_eq!(
            wire(Failure::invalid("Error: INVALID_REQUEST: path required")),
            "Error: INVALID_REQUEST: path required"
        );
        assert_eq!(wire(Failure::unavailable("no camera")), "no camera");
        let denied = Failure::new("SYSTEM_RUN_DENIED", "approval required");
        assert_eq!(denied.to_string(), "approval required");
    }

    #[test]
    fn a_failure_is_an_error() {
        fn boxed(f: Failure) -> Box<dyn std::error::Error> {
            Box::new(f)
        }
        assert_eq!(
            boxed(Failure::invalid("x")).to_string(),
            "INVALID_REQUEST: x"
        );
    }
}
