//! The `camera` capability: the node's cameras, through `openclaw_hardware`.

use openclaw_hardware as dev;
use wasmtime::component::{HasSelf, Linker};

use super::view::{hardware_failure, Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::camera;
use crate::bindings::Failure;

pub const NAME: &str = "camera";
pub const INTERFACES: &[&str] = &["openclaw:plugin/camera"];

pub fn link<T: Holds<Camera>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    camera::add_to_linker::<T, HasSelf<Camera>>(linker, T::holds)
}

pub struct Camera;

impl CapabilityState for Camera {
    fn new(_caller: &Caller) -> Camera {
        Camera
    }
}

impl camera::Host for Camera {
    async fn devices(&mut self) -> Vec<camera::Device> {
        dev::camera::cameras()
            .into_iter()
            .map(|c| camera::Device {
                id: c.id,
                name: c.name,
            })
            .collect()
    }

    async fn snap(
        &mut self,
        device_id: String,
        max_width: u32,
        quality: u8,
    ) -> Result<camera::Picture, Failure> {
        self.snap_delayed(device_id, max_width, quality, 0).await
    }

    async fn snap_delayed(
        &mut self,
        device_id: String,
        max_width: u32,
        quality: u8,
        delay_ms: u32,
    ) -> Result<camera::Picture, Failure> {
        let picture = dev::camera::snap_delayed(&device_id, max_width, quality, delay_ms)
            .await
            .map_err(hardware_failure)?;
        Ok(camera::Picture {
            base64: picture.base64,
            width: picture.width,
            height: picture.height,
        })
    }

    async fn capture_clip(
        &mut self,
        device_id: String,
        duration_ms: u32,
    ) -> Result<camera::Clip, Failure> {
        let (base64, duration_ms) = dev::camera::clip(&device_id, duration_ms)
            .await
            .map_err(hardware_failure)?;
        Ok(camera::Clip {
            base64,
            duration_ms,
        })
    }
}
