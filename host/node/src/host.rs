//! Sets up the plugin runtime for a node: built-ins, grants, the `.cwasm` cache, the exec
//! approvals, and the channel on which plugins' node events leave.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openclaw_runtime::grants::Grants;
use openclaw_runtime::{ExecContext, NodeEvent, PluginError, PluginHost};
use tokio::sync::mpsc;

use crate::builtins::{with_builtin_grants, BUILTINS};

pub struct Plugins {
    pub host: Arc<PluginHost>,
    pub events: mpsc::UnboundedReceiver<NodeEvent>,
    /// Problems with individual plugins; the others serve.
    pub errors: Vec<PluginError>,
}

/// Where the operator grants capabilities to plugins.
pub fn grants_path(state_dir: &Path) -> PathBuf {
    state_dir.join("plugin-grants.toml")
}

/// A plugin runtime set up for this state dir, with nothing loaded yet.
pub fn new_host(
    state_dir: &Path,
) -> Result<(PluginHost, mpsc::UnboundedReceiver<NodeEvent>), String> {
    let grants = Grants::load(&grants_path(state_dir)).map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::unbounded_channel();
    let exec = ExecContext::new(state_dir.join("exec-approvals.json"), Some(tx));
    let cache = state_dir.join("cache/plugins");
    let host = PluginHost::new(
        Some(cache),
        with_builtin_grants(grants),
        exec,
        BUILTINS.to_vec(),
    )
    .map_err(|e| format!("cannot start the plugin runtime: {e:#}"))?;
    Ok((host, rx))
}

/// The built-ins and the plugins of `plugins_dir`, loaded.
pub async fn load_plugins(state_dir: &Path, plugins_dir: Option<&Path>) -> Result<Plugins, String> {
    let (host, rx) = new_host(state_dir)?;
    let errors = host.load_all(plugins_dir).await;
    Ok(Plugins {
        host: Arc::new(host),
        events: rx,
        errors,
    })
}
