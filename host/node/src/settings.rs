//! What `openclaw.json` says about the node's browser and devices, and where it lives.

use std::path::PathBuf;

use openclaw_exec::ExecConfig;
use openclaw_hardware::location::LocationOptions;

/// What `openclaw.json` says about the node's browser.
#[derive(Debug, Clone)]
pub struct BrowserSettings {
    /// `browser.executablePath`; unset looks for Chromium on PATH.
    pub executable_path: Option<PathBuf>,
    /// `browser.cdpUrl`: a loopback control endpoint for `browser.proxy` instead of ours.
    pub cdp_url: Option<String>,
    /// False when `nodeHost.browserProxy.enabled` or `browser.enabled` is false.
    pub proxy_enabled: bool,
    /// `nodeHost.canvas.root`: where the canvas reads local files (default `<state>/canvas`).
    pub canvas_root: Option<PathBuf>,
    /// `browser.headless` for the automation browser; unset: headless without a display.
    pub headless: Option<bool>,
}

/// What `openclaw.json` says about the node's devices.
#[derive(Debug, Clone, Default)]
pub struct NodeSettings {
    pub browser: BrowserSettings,
    /// `nodeHost.location`.
    pub location: LocationOptions,
    /// The config file and its `.bak`, wherever `OPENCLAW_CONFIG_PATH` puts them: they hold
    /// the gateway token, so no plugin may reach them.
    pub config_files: Vec<PathBuf>,
    /// `tools.exec` and the agents' own: the exec policy the approvals can only tighten.
    pub exec: ExecConfig,
    /// `nodeHost.mcp.servers`; `None` runs no MCP at all (a `--commands` allowlist).
    pub mcp_servers: Option<Vec<openclaw_mcp::ServerConfig>>,
}

impl Default for BrowserSettings {
    fn default() -> BrowserSettings {
        BrowserSettings {
            executable_path: None,
            cdp_url: None,
            proxy_enabled: true,
            canvas_root: None,
            headless: None,
        }
    }
}
