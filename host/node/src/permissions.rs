//! The `permissions` a node declares at connect: each true only when that capability can
//! actually work on this machine right now.

use std::collections::BTreeMap;

use openclaw_hardware::{camera, notify, screen};
use openclaw_runtime::PluginHost;

pub async fn permissions(host: &PluginHost) -> BTreeMap<String, bool> {
    BTreeMap::from([
        ("camera".to_string(), camera::works()),
        (
            "location".to_string(),
            host.services().location.works().await,
        ),
        ("notifications".to_string(), notify::works().await),
        ("screenRecording".to_string(), screen::works()),
    ])
}
