//! The `screen` capability: the display and recordings of it, through `openclaw_hardware`.

use openclaw_hardware as dev;
use wasmtime::component::{HasSelf, Linker};

use super::view::{hardware_failure, Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::screen;
use crate::bindings::Failure;

pub const NAME: &str = "screen";
pub const INTERFACES: &[&str] = &["openclaw:plugin/screen"];

pub fn link<T: Holds<Screen>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    screen::add_to_linker::<T, HasSelf<Screen>>(linker, T::holds)
}

pub struct Screen;

impl CapabilityState for Screen {
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
