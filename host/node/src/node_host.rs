//! The one door to a node host: its identity, its plugins (loaded, and watched when they come
//! from a dir), and its connection to the gateway, started together.

use std::path::PathBuf;
use std::sync::Arc;

use openclaw_protocol::identity::DeviceIdentity;
use openclaw_runtime::{PluginError, PluginHost};
use openclaw_staging::UploadStaging;
use tokio::task::JoinHandle;

use crate::connection::{self, Fatal, NodeOptions};
use crate::files::load_identity;
use crate::host::load_plugins;
use crate::settings::NodeSettings;
use crate::upload_sweeper;

/// What a node host runs with.
pub struct NodeHostConfig {
    /// The gateway, the credentials, the names, and the state dir.
    pub options: NodeOptions,
    /// A dir of `*.wasm` plugins, watched for changes, besides the built-ins.
    pub plugins_dir: Option<PathBuf>,
    pub settings: NodeSettings,
}

/// A running node host.
pub struct NodeHost {
    pub identity: DeviceIdentity,
    pub plugins: Arc<PluginHost>,
    /// Plugins that did not load; the others serve.
    pub plugin_errors: Vec<PluginError>,
    connection: JoinHandle<Result<(), Fatal>>,
}

impl NodeHost {
    /// Loads the identity (made on first use) and the plugins, starts watching the plugins
    /// dir and sweeping expired terminal uploads, and starts connecting to the gateway, reconnecting until something fatal happens.
    pub async fn start(config: NodeHostConfig) -> Result<NodeHost, Fatal> {
        let NodeHostConfig {
            options,
            plugins_dir,
            mut settings,
        } = config;
        // As the real: a node restricted to some commands runs no MCP and publishes no tools.
        if options.allowlist.is_restricted() {
            settings.mcp_servers = None;
        }
        let identity = load_identity(&options.state_dir).map_err(|e| Fatal(e.to_string()))?;
        if let Some(dir) = &plugins_dir {
            // Whoever can write here runs code on this node: the dir is its owner's alone.
            openclaw_files::private_dir(dir).map_err(|e| {
                Fatal(format!(
                    "cannot create the plugins dir {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let loaded = load_plugins(&options.state_dir, plugins_dir.as_deref(), &settings)
            .await
            .map_err(Fatal)?;
        let surface = options.allowlist.surface(&loaded.host.current());
        options.allowlist.check(&surface).map_err(Fatal)?;
        openclaw_runtime::watch::watch(loaded.host.clone(), plugins_dir);
        upload_sweeper::spawn(UploadStaging::in_temp_dir());
        if let Some(browser) = &loaded.host.services().automation {
            upload_sweeper::spawn(browser.staging());
        }
        let connection = tokio::spawn(connection::run(
            options,
            identity.clone(),
            loaded.host.clone(),
            loaded.events,
        ));
        Ok(NodeHost {
            identity,
            plugins: loaded.host,
            plugin_errors: loaded.errors,
            connection,
        })
    }

    /// Runs until the node stops for good, or until SIGTERM or SIGINT, which end it cleanly:
    /// the MCP servers' process groups are killed before this returns.
    pub async fn wait(self) -> Result<(), Fatal> {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| Fatal(format!("cannot watch for SIGTERM: {e}")))?;
        let ended = tokio::select! {
            ended = self.connection => {
                ended.unwrap_or_else(|e| Err(Fatal(format!("the node host stopped: {e}"))))
            }
            _ = term.recv() => Ok(()),
            _ = tokio::signal::ctrl_c() => Ok(()),
        };
        if let Some(mcp) = &self.plugins.services().mcp {
            mcp.shutdown();
        }
        ended
    }
}
