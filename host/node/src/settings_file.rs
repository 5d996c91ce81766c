//! The node's settings as `openclaw.json` gives them, read by the node itself.

use std::path::PathBuf;

use anyhow::{Context, Result};
use openclaw_config::{backup_path, Config};
use openclaw_exec::ExecConfig;
use openclaw_hardware::location::{FixedPosition, LocationOptions};
use serde_json::Value;

use crate::settings::{BrowserSettings, NodeSettings};

impl NodeSettings {
    /// The node's device settings:
    /// - the browser: `browser.executablePath`, `browser.cdpUrl`, and whether `browser.proxy`
    ///   is served (`nodeHost.browserProxy.enabled`, `browser.enabled`);
    /// - location: `nodeHost.location.enabled`, `.gpsd` (`host:port`), `.fixed {lat, lon,
    ///   accuracyMeters?}`;
    /// - the exec policy of `tools.exec` and the agents'.
    pub fn from_config(config: &Config) -> Result<NodeSettings> {
        Ok(NodeSettings {
            browser: BrowserSettings {
                executable_path: config.str("browser.executablePath").map(PathBuf::from),
                cdp_url: config.str("browser.cdpUrl"),
                proxy_enabled: config.bool("nodeHost.browserProxy.enabled") != Some(false)
                    && config.bool("browser.enabled") != Some(false),
                canvas_root: config.str("nodeHost.canvas.root").map(PathBuf::from),
                headless: config.bool("browser.headless"),
            },
            location: LocationOptions {
                enabled: config.bool("nodeHost.location.enabled") == Some(true),
                fixed: fixed_position(config)?,
                gpsd: config.str("nodeHost.location.gpsd"),
            },
            config_files: vec![config.path.clone(), backup_path(&config.path)],
            exec: ExecConfig::from_config(&config.root),
            mcp_servers: Some(mcp_servers(config)),
        })
    }
}

/// `nodeHost.mcp.servers`; each entry skipped is a warning in the log, as on the real node.
fn mcp_servers(config: &Config) -> Vec<openclaw_mcp::ServerConfig> {
    let read = openclaw_mcp::config::servers(config.get("nodeHost.mcp.servers"));
    for warning in &read.warnings {
        tracing::warn!("{warning}");
    }
    read.servers
}

/// `nodeHost.location.fixed`, when set.
fn fixed_position(config: &Config) -> Result<Option<FixedPosition>> {
    let v = match config.get("nodeHost.location.fixed") {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let coordinate = |key: &str| {
        v[key].as_f64().with_context(|| {
            format!(
                "nodeHost.location.fixed.{key} in {} must be a number",
                config.path.display()
            )
        })
    };
    Ok(Some(FixedPosition {
        lat: coordinate("lat")?,
        lon: coordinate("lon")?,
        accuracy_meters: v["accuracyMeters"].as_f64(),
    }))
}
