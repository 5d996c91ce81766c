//! The one browser profile this node serves, as the real node host names and colours it.

pub const PROFILE: &str = "openclaw";
pub const COLOR: &str = "#FF4500";
