//! The gateway's settings as `openclaw.json` gives them, read by the gateway itself. What
//! flags and the environment decide first (port, bind, auth, TLS) stays with the caller.

use std::time::Duration;

use openclaw_config::Config;

use crate::config::{BrowserNodeMode, GatewayConfig};

impl GatewayConfig {
    /// Applies the file's `gateway.auth.rateLimit`, `gateway.nodes.pairing`,
    /// `gateway.nodes.commands`, `gateway.nodes.browser`, `gateway.nodes.pluginTools`,
    /// `gateway.remote.url` and the device-pair public URL, and watches the file for the
    /// command lists.
    pub fn apply_file(&mut self, file: &Config) -> Result<(), String> {
        let limit = &mut self.auth_rate_limit;
        if let Some(n) = file.u64("gateway.auth.rateLimit.maxAttempts") {
            limit.max_attempts = n as usize;
        }
        if let Some(ms) = file.u64("gateway.auth.rateLimit.windowMs") {
            limit.window = Duration::from_millis(ms);
        }
        if let Some(ms) = file.u64("gateway.auth.rateLimit.lockoutMs") {
            limit.lockout = Duration::from_millis(ms);
        }
        if let Some(exempt) = file.bool("gateway.auth.rateLimit.exemptLoopback") {
            limit.exempt_loopback = exempt;
        }
        if let Some(auto) = file.bool("gateway.nodes.pairing.autoApproveLocal") {
            self.pairing.auto_approve_local = auto;
        }
        self.pairing.auto_approve_cidrs = file.strings("gateway.nodes.pairing.autoApproveCidrs");
        self.commands.allow = file.strings("gateway.nodes.commands.allow");
        self.commands.deny = file.strings("gateway.nodes.commands.deny");
        self.config_file = Some(file.path.clone());
        self.browser_nodes.mode = match file.str("gateway.nodes.browser.mode").as_deref() {
            None | Some("auto") => BrowserNodeMode::Auto,
            Some("manual") => BrowserNodeMode::Manual,
            Some("off") => BrowserNodeMode::Off,
            Some(other) => {
                return Err(format!(
                    "gateway.nodes.browser.mode {other:?} in {}: expected auto, manual or off",
                    file.path.display()
                ))
            }
        };
        self.browser_nodes.node = file.str("gateway.nodes.browser.node");
        self.remote_url = file.str("gateway.remote.url");
        self.setup_public_url = file.str("plugins.entries.device-pair.config.publicUrl");
        self.plugin_tools_enabled = file.bool("gateway.nodes.pluginTools.enabled") != Some(false);
        Ok(())
    }
}
