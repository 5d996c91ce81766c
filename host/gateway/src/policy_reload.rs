//! `gateway.nodes.commands` and `gateway.nodes.pairing.autoApproveCidrs` follow the config file
//! while the gateway runs: before routing an invoke or pairing a device the gateway looks at the
//! file's stamp (inode, size, mtime, ctime), and when it changed re-reads them. An edit that
//! does not parse, or gives them a wrong type, is logged and skipped: the last good ones stay.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use crate::config::CommandsConfig;

/// What identifies one version of the file; `None` when there is no file.
type Stamp = Option<(u64, u64, i64, i64, i64, i64)>;

#[derive(Debug)]
pub struct ConfigWatch {
    path: PathBuf,
    seen: Mutex<Stamp>,
}

impl ConfigWatch {
    /// Watches `path`, whose current content the gateway has already read.
    pub fn new(path: PathBuf) -> ConfigWatch {
        let seen = Mutex::new(stamp(&path));
        ConfigWatch { path, seen }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the file now says when it changed since the last look; an error says why the
    /// changed file cannot be used.
    pub fn changed(&self) -> Option<Result<LiveConfig, String>> {
        let now = stamp(&self.path);
        let mut seen = self.seen.lock().unwrap();
        if *seen == now {
            return None;
        }
        *seen = now;
        if now.is_none() {
            // No file: no lists, as at a start without a config file.
            return Some(Ok(LiveConfig::default()));
        }
        Some(read(&self.path))
    }
}

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
    ))
}

/// The settings the gateway applies without a restart.
#[derive(Debug, Default)]
pub struct LiveConfig {
    pub commands: CommandsConfig,
    pub trusted_cidrs: Vec<String>,
}

fn read(path: &Path) -> Result<LiveConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let root: Value = json5::from_str(&text).map_err(|e| {
        let words: Vec<String> = e.to_string().split_whitespace().map(String::from).collect();
        format!("JSON5 parse failed: {}", words.join(" "))
    })?;
    Ok(LiveConfig {
        commands: commands_of(&root)?,
        trusted_cidrs: trusted_cidrs_of(&root)?,
    })
}

/// `gateway.nodes.pairing.autoApproveCidrs`, a list of strings as the real's schema has it.
pub fn trusted_cidrs_of(root: &Value) -> Result<Vec<String>, String> {
    let pairing = section(root, &["gateway", "nodes", "pairing"])?;
    let path = "gateway.nodes.pairing.autoApproveCidrs";
    strings(pairing.and_then(|p| p.get("autoApproveCidrs")), path)
}

/// `gateway.nodes.commands.{allow,deny}` of a config, checked as `config set` checks them.
pub fn commands_of(root: &Value) -> Result<CommandsConfig, String> {
    let Some(at) = section(root, &["gateway", "nodes", "commands"])? else {
        return Ok(CommandsConfig::default());
    };
    let list = |key: &str| strings(at.get(key), &format!("gateway.nodes.commands.{key}"));
    Ok(CommandsConfig {
        allow: list("allow")?,
        deny: list("deny")?,
    })
}

/// The object at `keys`, `None` where the path stops; an error where a step is no object.
fn section<'a>(root: &'a Value, keys: &[&str]) -> Result<Option<&'a Value>, String> {
    let mut at = root;
    for (i, key) in keys.iter().enumerate() {
        match at.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(v) if v.is_object() => at = v,
            Some(_) => {
                let path = keys[..=i].join(".");
                return Err(format!("{path}: Invalid input: expected object"));
            }
        }
    }
    Ok(Some(at))
}

/// A list of strings at `path`; missing is empty.
fn strings(value: Option<&Value>, path: &str) -> Result<Vec<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str()
                    .map(String::from)
                    .ok_or_else(|| format!("{path}.{i}: Invalid input: expected string"))
            })
            .collect(),
        Some(_) => Err(format!("{path}: Invalid input: expected array")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_are_read_and_wrong_types_refused() {
        let ok = commands_of(&json!({"gateway": {"nodes": {"commands": {"deny": ["a"]}}}}));
        assert_eq!(ok.unwrap().deny, vec!["a".to_string()]);
        assert!(commands_of(&json!({})).unwrap().allow.is_empty());
        let bad = commands_of(&json!({"gateway": {"nodes": {"commands": {"allow": [5]}}}}));
        assert_eq!(
            bad.unwrap_err(),
            "gateway.nodes.commands.allow.0: Invalid input: expected string"
        );
        let cidrs =
            json!({"gateway": {"nodes": {"pairing": {"autoApproveCidrs": ["10.0.0.0/8"]}}}});
        assert_eq!(
            trusted_cidrs_of(&cidrs).unwrap(),
            vec!["10.0.0.0/8".to_string()]
        );
        let bad = trusted_cidrs_of(&json!({"gateway": {"nodes": {"pairing": 5}}}));
        assert_eq!(
            bad.unwrap_err(),
            "gateway.nodes.pairing: Invalid input: expected object"
        );
    }

    #[test]
    fn a_change_is_seen_once_and_a_bad_edit_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("openclaw.json");
        // The config holds the gateway token: written private, as the CLI writes it.
        let write = |path: &std::path::Path, text: &str| {
            openclaw_files::write_atomically(path, text.as_bytes()).unwrap()
        };
        write(&file, "{}");
        let watch = ConfigWatch::new(file.clone());
        assert!(watch.changed().is_none());
        write(&file, r#"{gateway: {nodes: {commands: {deny: ["x"]}}}}"#);
        assert_eq!(
            watch.changed().unwrap().unwrap().commands.deny,
            vec!["x".to_string()]
        );
        assert!(watch.changed().is_none());
        write(&file, "{gateway: ");
        assert!(watch.changed().unwrap().is_err());
    }
}
