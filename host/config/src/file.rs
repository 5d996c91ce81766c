//! `openclaw.json` (JSON5 accepted; `$OPENCLAW_CONFIG_PATH`, else in the state dir), and the
//! state dir itself.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
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

/// The service's env file, which `openclaw node install` writes the gateway token into.
pub fn service_env_path(state_dir: &Path) -> PathBuf {
    state_dir.join("node.systemd.env")
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
    /// The config of `state_dir` (or `$OPENCLAW_CONFIG_PATH`).
    pub fn load(state_dir: &Path) -> Result<Config> {
        Config::read(&config_path(state_dir))
    }

    /// The config at `path`.
    pub fn read(path: &Path) -> Result<Config> {
        let path = path.to_path_buf();
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

    pub fn u64(&self, dotted: &str) -> Option<u64> {
        self.get(dotted).and_then(Value::as_u64)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json5_is_read_and_a_set_value_is_written_back_as_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openclaw.json");
        openclaw_files::write_atomically(&path, b"{ // a comment\n gateway: { port: 18790, }, }")
            .unwrap();
        let mut config = Config::read(&path).unwrap();
        assert_eq!(config.u64("gateway.port"), Some(18790));
        config
            .set_and_save("gateway.auth.token", Value::from("t"))
            .unwrap();
        let again = Config::read(&path).unwrap();
        assert_eq!(again.str("gateway.auth.token").as_deref(), Some("t"));
        assert_eq!(again.u64("gateway.port"), Some(18790));
    }

    #[test]
    fn a_file_that_does_not_parse_is_an_error_naming_it_and_an_absent_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openclaw.json");
        assert!(Config::read(&path)
            .unwrap()
            .root
            .as_object()
            .unwrap()
            .is_empty());
        openclaw_files::write_atomically(&path, b"{ gateway: ").unwrap();
        let e = Config::read(&path).err().unwrap().to_string();
        assert!(e.contains("openclaw.json is not valid JSON5"), "{e}");
    }
}
