//! Sets up the plugin runtime for a node: built-ins, grants, the `.cwasm` cache, the exec
//! approvals, the node's browser and devices, and the channel on which the events of exec runs
//! leave.

use openclaw_files::upload_paths::UploadRoots;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use openclaw_browser::target::CanvasFiles;
use openclaw_browser::{AutomationBrowser, AutomationOptions, BrowserOptions, NodeBrowser};
use openclaw_exec::ExecEvent;
use openclaw_hardware::location::Location;
use openclaw_mcp::McpManager;
use openclaw_runtime::grants::Grants;
use openclaw_runtime::{ExecContext, PluginError, PluginHost, Services};
use tokio::sync::mpsc;

use crate::builtins::{enabled_builtins, with_builtin_grants};
use crate::files::service_env_path;
use crate::settings::NodeSettings;

pub struct Plugins {
    pub host: Arc<PluginHost>,
    pub events: mpsc::UnboundedReceiver<ExecEvent>,
    /// Problems with individual plugins; the others serve.
    pub errors: Vec<PluginError>,
}

/// Where the operator grants capabilities to plugins.
pub fn grants_path(state_dir: &Path) -> PathBuf {
    state_dir.join("plugin-grants.toml")
}

/// The exec approvals the node's executor reads.
fn approvals_path(state_dir: &Path) -> PathBuf {
    state_dir.join("exec-approvals.json")
}

/// The files that hold the node's secrets or decide what plugins may do, by the paths the
/// node itself reads them from: no capability reaches them, even where they live apart from
/// the state dir.
fn private_files(state_dir: &Path, settings: &NodeSettings) -> Vec<PathBuf> {
    let own = [
        approvals_path(state_dir),
        grants_path(state_dir),
        service_env_path(state_dir),
    ];
    own.into_iter()
        .chain(settings.config_files.iter().cloned())
        .collect()
}

/// A plugin runtime set up for this state dir, with nothing loaded yet.
pub fn new_host(
    state_dir: &Path,
    settings: &NodeSettings,
) -> Result<(PluginHost, mpsc::UnboundedReceiver<ExecEvent>), String> {
    let browser = &settings.browser;
    let grants = Grants::load(&grants_path(state_dir)).map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::unbounded_channel();
    let exec =
        ExecContext::new(approvals_path(state_dir), Some(tx)).with_config(settings.exec.clone());
    let canvas_root = browser
        .canvas_root
        .clone()
        .unwrap_or_else(|| state_dir.join("canvas"));
    // The default root is made, so that it exists to put pages in.
    if browser.canvas_root.is_none() {
        openclaw_files::private_dir(&canvas_root).ok();
    }
    let files = CanvasFiles {
        root: canvas_root,
        private: std::iter::once(state_dir.to_path_buf())
            .chain(private_files(state_dir, settings))
            .collect(),
    };
    // Browser control's own Chromium and profile, never the canvas's.
    let automation = AutomationBrowser::new(AutomationOptions {
        executable: browser.executable_path.clone(),
        user_data_dir: state_dir.join("browser/openclaw/user-data"),
        headless: browser.headless,
        files: files.clone(),
        control_url: browser.cdp_url.clone(),
        media_dir: state_dir.join("media/browser"),
        downloads_dir: state_dir.join("browser/downloads"),
        uploads: UploadRoots::in_state_dir(state_dir),
    });
    let browser_host = NodeBrowser::new(BrowserOptions {
        canvas_files: files,
        executable: browser.executable_path.clone(),
        profile_dir: state_dir.join("browser/profile"),
        control_url: browser.cdp_url.clone(),
    });
    let cache = state_dir.join("cache/plugins");
    // The state dir holds the node's keys: no capability reaches it, whatever a grant says.
    let services = Services::new(exec, browser_host, Location::new(settings.location.clone()))
        .with_automation(automation)
        .with_private_dir(state_dir.to_path_buf());
    let mut services = private_files(state_dir, settings)
        .into_iter()
        .fold(services, Services::with_private_file);
    if let Some(servers) = &settings.mcp_servers {
        services = services.with_mcp(McpManager::start(servers.clone()));
    }
    let host = PluginHost::new(
        Some(cache),
        with_builtin_grants(grants),
        services,
        enabled_builtins(settings),
    )
    .map_err(|e| format!("cannot start the plugin runtime: {e:#}"))?;
    Ok((host, rx))
}

/// The built-ins and the plugins of `plugins_dir`, loaded.
pub async fn load_plugins(
    state_dir: &Path,
    plugins_dir: Option<&Path>,
    settings: &NodeSettings,
) -> Result<Plugins, String> {
    let (host, rx) = new_host(state_dir, settings)?;
    let errors = host.load_all(plugins_dir).await;
    Ok(Plugins {
        host: Arc::new(host),
        events: rx,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_file_is_private_to_the_runtime_wherever_it_lives() {
        let state = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let config = elsewhere.path().join("openclaw.json");
        let backup = elsewhere.path().join("openclaw.json.bak");
        let settings = NodeSettings {
            config_files: vec![config.clone(), backup.clone()],
            ..NodeSettings::default()
        };
        let (host, _) = new_host(state.path(), &settings).unwrap();
        let services = host.services();
        let s = state.path();
        for path in [
            s.join("exec-approvals.json"),
            s.join("plugin-grants.toml"),
            s.join("node.systemd.env"),
            config,
            backup,
        ] {
            assert!(services.private_files.contains(&path), "{path:?}");
        }
        assert_eq!(services.private_dirs[..], [s.to_path_buf()]);
    }
}
