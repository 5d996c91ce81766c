//! The node host's files in the state dir: `identity/device.json` (the Ed25519 key pair) and
//! `node.json` (node id, device token, display name, gateway). Written atomically, private
//! (0600 in a 0700 dir) from the first byte.

use std::path::{Path, PathBuf};

use openclaw_files::write_atomically;
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_protocol::now_ms;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {path}: {why}")]
    Read { path: String, why: String },
    #[error("cannot write {path}: {why}")]
    Write { path: String, why: String },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceFile {
    version: u32,
    device_id: String,
    public_key_pem: String,
    private_key_pem: String,
    created_at_ms: u64,
}

/// The device identity, created on first use.
pub fn load_identity(state_dir: &Path) -> Result<DeviceIdentity, FileError> {
    if let Some(identity) = read_identity(state_dir)? {
        return Ok(identity);
    }
    let path = state_dir.join("identity/device.json");
    let identity = DeviceIdentity::generate();
    let file = DeviceFile {
        version: 1,
        device_id: identity.device_id(),
        public_key_pem: identity.public_key_pem(),
        private_key_pem: identity.private_key_pem(),
        created_at_ms: now_ms(),
    };
    write_json(&path, &file)?;
    Ok(identity)
}

/// The saved identity, or `None` when there is none yet; never creates one (nor the state dir),
/// so `node identity` can be asked on a machine that never ran a node.
pub fn read_identity(state_dir: &Path) -> Result<Option<DeviceIdentity>, FileError> {
    let path = state_dir.join("identity/device.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bad = |why: String| FileError::Read {
                path: path.display().to_string(),
                why,
            };
            let file: DeviceFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
            DeviceIdentity::from_private_key_pem(&file.private_key_pem)
                .map(Some)
                .map_err(|e| bad(e.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FileError::Read {
            path: path.display().to_string(),
            why: e.to_string(),
        }),
    }
}

/// The gateway this node connects to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayEndpoint {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_fingerprint: Option<String>,
    /// The WebSocket's path behind a reverse proxy (`--context-path`), as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_path: Option<String>,
}

/// `node.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeFile {
    pub version: u32,
    pub node_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewayEndpoint>,
    /// The saved `--commands` allowlist; absent, every command is advertised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<String>>,
}

pub use openclaw_config::service_env_path;

pub fn node_file_path(state_dir: &Path) -> PathBuf {
    state_dir.join("node.json")
}

pub fn load_node_file(state_dir: &Path) -> Result<Option<NodeFile>, FileError> {
    let path = node_file_path(state_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| FileError::Read {
                path: path.display().to_string(),
                why: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FileError::Read {
            path: path.display().to_string(),
            why: e.to_string(),
        }),
    }
}

pub fn save_node_file(state_dir: &Path, file: &NodeFile) -> Result<(), FileError> {
    let path = node_file_path(state_dir);
    write_json(&path, file)?;
    Ok(())
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    let text = serde_json::to_string_pretty(value).expect("json prints") + "\n";
    write_atomically(path, text.as_bytes()).map_err(|e| FileError::Write {
        path: path.display().to_string(),
        why: e.to_string(),
    })
}

/// Makes the state dir private (0700), and tightens what holds the node's secrets if another
/// user could read it: the key pair, the device token, the config (the gateway token), the
/// exec approvals, the plugin grants. Answers a line for each change, to tell the user.
pub fn secure_state_dir(state_dir: &Path) -> Result<Vec<String>, FileError> {
    openclaw_files::private_dir(state_dir).map_err(|e| FileError::Write {
        path: state_dir.display().to_string(),
        why: e.to_string(),
    })?;
    let paths: Vec<PathBuf> = [
        "",
        "identity",
        "identity/device.json",
        "node.json",
        "openclaw.json",
        "exec-approvals.json",
        "plugin-grants.toml",
    ]
    .iter()
    .map(|name| state_dir.join(name))
    .collect();
    Ok(openclaw_files::tighten(&paths))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_created_once_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_identity(dir.path()).unwrap();
        let b = load_identity(dir.path()).unwrap();
        assert_eq!(a.device_id(), b.device_id());
        std::fs::write(dir.path().join("identity/device.json"), "{oops").unwrap();
        assert!(load_identity(dir.path())
            .unwrap_err()
            .to_string()
            .contains("device.json"));
    }
}
