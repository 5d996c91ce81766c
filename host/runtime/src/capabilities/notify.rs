//! The `notify` capability: desktop notifications, through `openclaw_hardware`.

use openclaw_hardware as dev;
use wasmtime::component::{HasSelf, Linker};

use super::{hardware_failure, Capability, CapabilityStates};
use crate::bindings::openclaw::plugin::notify;
use crate::bindings::Failure;
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "notify",
    interfaces: &["openclaw:plugin/notify"],
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    notify::add_to_linker::<_, HasSelf<Notify>>(linker, CallState::capability::<Notify>)
}

pub struct Notify;

impl CapabilityState for Notify {
    fn slot(states: &mut CapabilityStates) -> &mut Option<Notify> {
        &mut states.notify
    }

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
