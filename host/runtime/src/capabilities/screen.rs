//! The `screen` capability: the display and recordings of it, through `openclaw_hardware`.

use openclaw_hardware as dev;
use wasmtime::component::{HasSelf, Linker};

use super::{hardware_failure, Capability, CapabilityStates};
use crate::bindings::openclaw::plugin::screen;
use crate::bindings::Failure;
use crate::state::{CallState, Caller, CapabilityState};

pub const CAPABILITY: Capability = Capability {
    name: "screen",
    interfaces: &["openclaw:plugin/screen"],
    link,
};

fn link(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    screen::add_to_linker::<_, HasSelf<Screen>>(linker, CallState::capability::<Screen>)
}

pub struct Screen;

impl CapabilityState for Screen {
    fn slot(states: &mut CapabilityStates) -> &mut Option<Screen> {
        &mut states.screen
    }

    fn new(_caller: &Caller) -> Screen {
        Screen
    }
}

impl screen::Host for Screen {
    async fn display(&mut self) -> Option<String> {
        dev::screen::display()
    }

    async fn capture(
        &mut self,
        screen_index: u32,
        duration_ms: u32,
        fps: u32,
    ) -> Result<screen::Recording, Failure> {
        let recording = dev::screen::record(screen_index, duration_ms, fps)
            .await
            .map_err(hardware_failure)?;
        Ok(screen::Recording {
            base64: recording.base64,
            duration_ms: recording.duration_ms,
        })
    }
}
