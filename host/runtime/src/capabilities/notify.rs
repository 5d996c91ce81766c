//! The `notify` capability: desktop notifications, through `openclaw_hardware`.

use openclaw_hardware as dev;
use wasmtime::component::{HasSelf, Linker};

use super::view::{hardware_failure, Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::notify;
use crate::bindings::Failure;

pub const NAME: &str = "notify";
pub const INTERFACES: &[&str] = &["openclaw:plugin/notify"];

pub fn link<T: Holds<Notify>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    notify::add_to_linker::<T, HasSelf<Notify>>(linker, T::holds)
}

pub struct Notify;

impl CapabilityState for Notify {
    fn new(_caller: &Caller) -> Notify {
        Notify
    }
}

impl notify::Host for Notify {
    async fn send(&mut self, n: notify::Notification) -> Result<u32, Failure> {
        let urgency = match n.urgency {
            notify::Urgency::Low => dev::notify::Urgency::Low,
            notify::Urgency::Normal => dev::notify::Urgency::Normal,
            notify::Urgency::Critical => dev::notify::Urgency::Critical,
        };
        let notification = dev::notify::Notification {
            title: n.title,
            body: n.body,
            sound: n.sound,
            urgency,
        };
        dev::notify::send(&notification)
            .await
            .map_err(hardware_failure)
    }
}
