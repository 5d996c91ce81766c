//! The `location` capability: the node's position, from `openclaw_hardware`, with its errors
//! passed on as failures with the same codes.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};

use super::view::{hardware_failure, Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::location;
use crate::bindings::Failure;

/// Longest a plugin may make a location call wait.
const MAX_LOCATION_WAIT: Duration = Duration::from_secs(120);

pub const NAME: &str = "location";
pub const INTERFACES: &[&str] = &["openclaw:plugin/location"];

pub fn link<T: Holds<Location>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    location::add_to_linker::<T, HasSelf<Location>>(linker, T::holds)
}

pub struct Location {
    location: Arc<openclaw_hardware::location::Location>,
}

impl CapabilityState for Location {
    fn new(caller: &Caller) -> Location {
        Location {
            location: caller.services.location.clone(),
        }
    }
}

impl location::Host for Location {
    async fn current(
        &mut self,
        max_age_ms: Option<u64>,
        timeout_ms: u64,
    ) -> Result<location::Fix, Failure> {
        let fix = self
            .location
            .current(
                max_age_ms.map(Duration::from_millis),
                Duration::from_millis(timeout_ms.max(1)).min(MAX_LOCATION_WAIT),
            )
            .await
            .map_err(hardware_failure)?;
        Ok(location::Fix {
            lat: fix.lat,
            lon: fix.lon,
            accuracy_meters: fix.accuracy_meters,
            altitude_meters: fix.altitude_meters,
            speed_mps: fix.speed_mps,
            heading_deg: fix.heading_deg,
            timestamp: fix.timestamp,
            is_precise: fix.is_precise,
            source: fix.source.into(),
        })
    }
}
