//! The node's hardware, each piece behind a host capability: its position (gpsd or the config),
//! desktop notifications (D-Bus), recordings of its X displays and captures from its cameras
//! (ffmpeg). Knows nothing about plugins.

pub mod camera;
mod error;
mod ffmpeg;
pub mod location;
pub mod notify;
pub mod screen;
mod time;

pub use ffmpeg::MAX_MEDIA_BASE64_BYTES;

pub use error::HardwareError;
