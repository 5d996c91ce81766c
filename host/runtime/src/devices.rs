//! The device capabilities (`location`, `notify`, `screen`, `camera`): the plugin side of
//! `openclaw_devices`, with its errors passed on as failures with the same codes.

use std::time::Duration;

use openclaw_devices::{self as dev, DeviceError};

use crate::bindings::openclaw::plugin::{camera, location, notify, screen};
use crate::bindings::{host_failure, Failure};
use crate::state::CallState;

/// Longest a plugin may make a location call wait.
const MAX_LOCATION_WAIT: Duration = Duration::from_secs(120);

fn failure(e: DeviceError) -> Failure {
    host_failure(e.code, e.message)
}

impl location::Host for CallState {
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
            .map_err(failure)?;
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

impl notify::Host for CallState {
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
        dev::notify::send(&notification).await.map_err(failure)
    }
}

impl screen::Host for CallState {
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
            .map_err(failure)?;
        Ok(screen::Recording {
            base64: recording.base64,
            duration_ms: recording.duration_ms,
        })
    }
}

impl camera::Host for CallState {
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
        let picture = dev::camera::snap(&device_id, max_width, quality)
            .await
            .map_err(failure)?;
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
            .map_err(failure)?;
        Ok(camera::Clip {
            base64,
            duration_ms,
        })
    }
}
