//! `openclaw.json` (JSON5 accepted; `$OPENCLAW_CONFIG_PATH`, else in the state dir), and the
//! state dir itself.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use openclaw_hardware::location::{FixedPosition, LocationOptions};
use openclaw_node::{BrowserSettings, NodeSettings};
use serde_json::Value;

/// `$OPENCLAW_STATE_DIR`, else `~/.openclaw`.
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OPENCLAW_STATE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".openclaw")
}

/// `$OPENCLAW_CONFIG_PATH`, else `openclaw.json` in the state dir.
pub fn config_path(state_dir: &Path) -> PathBuf {
    std::env::var_os("OPENCLAW_CONFIG_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| state_dir.join("openclaw.json"))
}

/// The previous config, which `openclaw config set` keeps beside it.
pub fn backup_path(config: &Path) -> PathBuf {
    let mut name = config.as_os_str().to_os_string();
    name.push(".bak");
    PathBuf::from(name)
}

/// The parsed config; an absent file is an empty config.
pub struct Config {
    pub path: PathBuf,
    pub root: Value,
}

impl Config {
    pub fn load(state_dir: &Path) -> Result<Config> {
        let path = config_path(state_dir);
        let root = match std::fs::read_to_string(&path) {
            Ok(text) => json5::from_str(&text)
                .with_context(|| format!("{} is not valid JSON5", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Value::Object(Default::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Ok(Config { path, root })
    }

    /// A value by dotted path, e.g. `gateway.auth.token`.
    pub fn get(&self, dotted: &str) -> Option<&Value> {
        dotted.split('.').try_fold(&self.root, |v, key| v.get(key))
    }

    /// Sets a value by dotted path and writes the file (as JSON; comments are not kept).
    pub fn set_and_save(&mut self, dotted: &str, value: Value) -> Result<()> {
        let mut node = &mut self.root;
        let keys: Vec<&str> = dotted.split('.').collect();
        for key in &keys[..keys.len() - 1] {
            if !node[*key].is_object() {
                node[*key] = Value::Object(Default::default());
            }
            node = &mut node[*key];
        }
        node[keys[keys.len() - 1]] = value;
        let text = serde_json::to_string_pretty(&self.root)? + "\n";
        openclaw_files::write_atomically(&self.path, text.as_bytes())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    pub fn str(&self, dotted: &str) -> Option<String> {
        self.get(dotted).and_then(Value::as_str).map(String::from)
    }

    pub fn bool(&self, dotted: &str) -> Option<bool> {
        self.get(dotted).and_then(Value::as_bool)
    }

    pub fn strings(&self, dotted: &str) -> Vec<String> {
        self.get(dotted)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The node's device settings:
/// - the browser: `browser.executablePath`, `browser.cdpUrl`, and whether `browser.proxy` is
///   served (`nodeHost.browserProxy.enabled`, `browser.enabled`);
/// - location: `nodeHost.location.enabled`, `.gpsd` (`host:port`), `.fixed {lat, lon,
///   accuracyMeters?}`.
pub fn node_settings(config: &Config) -> Result<NodeSettings> {
    let fixed = match config.get("nodeHost.location.fixed") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let coordinate = |key: &str| {
                v[key].as_f64().with_context(|| {
                    format!(
                        "nodeHost.location.fixed.{key} in {} must be a number",
                        config.path.display()
                    )
                })
            };
            Some(FixedPosition {
                lat: coordinate("lat")?,
                lon: coordinate("lon")?,
                accuracy_meters: v["accuracyMeters"].as_f64(),
            })
        }
    };
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
            fixed,
            gpsd: config.str("nodeHost.location.gpsd"),
        },
        config_files: vec![config.path.clone(), backup_path(&config.path)],
        exec: openclaw_exec::ExecConfig::from_config(&config.root),
    })
}

/// The gateway token: flag, then `OPENCLAW_GATEWAY_TOKEN`, then `gateway.auth.token`. The
/// first source that is set decides; an empty or blank token is an error, never "no token".
pub fn gateway_token(flag: Option<String>, config: &Config) -> anyhow::Result<Option<String>> {
    let from_config = format!("gateway.auth.token in {}", config.path.display());
    let sources = [
        (flag, "--token"),
        (
            std::env::var("OPENCLAW_GATEWAY_TOKEN").ok(),
            "OPENCLAW_GATEWAY_TOKEN",
        ),
        (config.str("gateway.auth.token"), from_config.as_str()),
    ];
    for (token, source) in sources {
        if let Some(token) = token {
            if token.trim().is_empty() {
                anyhow::bail!(
                    "the gateway token from {source} is empty; set a token that is not blank"
                );
            }
            return Ok(Some(token));
        }
    }
    Ok(None)
}

/// The first set value of `sources` (value, where it came from); a blank one is an error.
fn first_secret(
    what: &str,
    sources: Vec<(Option<String>, String)>,
) -> anyhow::Result<Option<String>> {
    for (value, source) in sources {
        if let Some(value) = value {
            if value.trim().is_empty() {
                anyhow::bail!(
                    "the gateway {what} from {source} is empty; set a {what} that is not blank"
                );
            }
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// `gateway.mode` is `remote`: this machine's CLI and node talk to a gateway elsewhere.
pub fn is_remote(config: &Config) -> bool {
    config.str("gateway.mode").as_deref() == Some("remote")
}

/// The gateway's own password, as the real gateway resolves it: `--password`, then
/// `gateway.auth.password`, then `OPENCLAW_GATEWAY_PASSWORD`.
pub fn gateway_password(flag: Option<String>, config: &Config) -> anyhow::Result<Option<String>> {
    first_secret(
        "password",
        vec![
            (flag, "--password".into()),
            (
                config.str("gateway.auth.password"),
                format!("gateway.auth.password in {}", config.path.display()),
            ),
            (
                std::env::var("OPENCLAW_GATEWAY_PASSWORD").ok(),
                "OPENCLAW_GATEWAY_PASSWORD".into(),
            ),
        ],
    )
}

/// The shared secrets a client presents (token, password), as the real resolves them.
/// Explicit flags win and then nothing else is read. Otherwise, with `gateway.mode=remote`:
/// the token from `gateway.remote.token`, `OPENCLAW_GATEWAY_TOKEN`, `gateway.auth.token`
/// (`env_first`: the environment first, as the node host reads it), and the password from
/// `OPENCLAW_GATEWAY_PASSWORD`, `gateway.remote.password`, `gateway.auth.password`. In local mode
/// `gateway.remote.*` is never read: the token as [`gateway_token`], the password from
/// `OPENCLAW_GATEWAY_PASSWORD`, then `gateway.auth.password`.
pub fn client_secrets(
    token_flag: Option<String>,
    password_flag: Option<String>,
    config: &Config,
    env_first: bool,
) -> anyhow::Result<(Option<String>, Option<String>)> {
    if token_flag.is_some() || password_flag.is_some() {
        return Ok((
            first_secret("token", vec![(token_flag, "--token".into())])?,
            first_secret("password", vec![(password_flag, "--password".into())])?,
        ));
    }
    let env = |key: &str| (std::env::var(key).ok(), key.to_string());
    let cfg = |key: &str| {
        (
            config.str(key),
            format!("{key} in {}", config.path.display()),
        )
    };
    if !is_remote(config) {
        return Ok((
            gateway_token(None, config)?,
            first_secret(
                "password",
                vec![
                    env("OPENCLAW_GATEWAY_PASSWORD"),
                    cfg("gateway.auth.password"),
                ],
            )?,
        ));
    }
    let token_sources = if env_first {
        vec![
            env("OPENCLAW_GATEWAY_TOKEN"),
            cfg("gateway.remote.token"),
            cfg("gateway.auth.token"),
        ]
    } else {
        vec![
            cfg("gateway.remote.token"),
            env("OPENCLAW_GATEWAY_TOKEN"),
            cfg("gateway.auth.token"),
        ]
    };
    Ok((
        first_secret("token", token_sources)?,
        first_secret(
            "password",
            vec![
                env("OPENCLAW_GATEWAY_PASSWORD"),
                cfg("gateway.remote.password"),
                cfg("gateway.auth.password"),
            ],
        )?,
    ))
}
