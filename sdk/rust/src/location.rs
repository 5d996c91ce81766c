//! The node's position (the `location` capability): gpsd, or a position from the config. Off
//! unless the operator turns it on (`LOCATION_DISABLED`). [`current`] answers the SDK's
//! [`Failure`].

use crate::bindings::openclaw::plugin::location as raw;
use crate::Failure;

pub use raw::Fix;

/// A fix no older than `max_age_ms` (`None`: a new one), waiting up to `timeout_ms`
/// (`TIMEOUT` without one).
pub fn current(max_age_ms: Option<u64>, timeout_ms: u64) -> Result<Fix, Failure> {
    Ok(raw::current(max_age_ms, timeout_ms)?)
}
