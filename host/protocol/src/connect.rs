//! `connect` request parameters (spec §2.2). Closed like the real schema.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Values the real gateway accepts for `client.id`.
pub const CLIENT_IDS: &[&str] = &[
    "webchat-ui",
    "openclaw-control-ui",
    "openclaw-browser-copilot",
    "openclaw-tui",
    "webchat",
    "cli",
    "gateway-client",
    "openclaw-macos",
    "openclaw-linux",
    "openclaw-ios",
    "openclaw-watchos",
    "openclaw-android",
    "node-host",
    "openclaw-worker",
    "test",
    "fingerprint",
    "openclaw-probe",
];

/// Values the real gateway accepts for `client.mode`.
pub const CLIENT_MODES: &[&str] = &[
    "webchat", "cli", "ui", "backend", "node", "worker", "probe", "test",
];

pub const ROLE_OPERATOR: &str = "operator";
pub const ROLE_NODE: &str = "node";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConnectParams {
    pub min_protocol: u32,
    pub max_protocol: u32,
    pub client: ClientInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caps: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<BTreeMap<String, bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceProof>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<ConnectAuth>,
    // Accepted and ignored: they concern chat/worker features a node gateway does not have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computer_use: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_runs: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_catalog: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientInfo {
    pub id: String,
    pub mode: String,
    pub version: String,
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeviceProof {
    pub id: String,
    pub public_key: String,
    pub signature: String,
    pub signed_at: u64,
    pub nonce: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConnectAuth {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_runtime_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_runtime_identity_token: Option<String>,
}

impl ConnectParams {
    pub fn role(&self) -> &str {
        self.role.as_deref().unwrap_or(ROLE_OPERATOR)
    }

    pub fn scopes(&self) -> &[String] {
        self.scopes.as_deref().unwrap_or(&[])
    }

    /// The token the signature covers: `auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? ""`.
    pub fn signature_token(&self) -> &str {
        let Some(auth) = &self.auth else { return "" };
        auth.token
            .as_deref()
            .or(auth.device_token.as_deref())
            .or(auth.bootstrap_token.as_deref())
            .unwrap_or("")
    }

    /// Checks what serde cannot: the enums of `client.id`, `client.mode` and `role`.
    pub fn validate(&self) -> Result<(), String> {
        if !CLIENT_IDS.contains(&self.client.id.as_str()) {
            return Err(format!(
                "client.id must be one of {}",
                CLIENT_IDS.join(", ")
            ));
        }
        if !CLIENT_MODES.contains(&self.client.mode.as_str()) {
            return Err(format!(
                "client.mode must be one of {}",
                CLIENT_MODES.join(", ")
            ));
        }
        if self.min_protocol > self.max_protocol {
            return Err("minProtocol must not exceed maxProtocol".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL_NODE_CONNECT: &str = r#"{"minProtocol":4,"maxProtocol":4,
 "client":{"id":"node-host","displayName":"Build Node","version":"2026.9.6","platform":"linux","deviceFamily":"Linux","mode":"node","instanceId":"9929cefe-df87-4b79-ac3e-f30a97073f21"},
 "caps":["mcp","system"],"commands":["system.run","system.which"],
 "pathEnv":"/usr/bin:/bin","auth":{"deviceToken":"stored"},"role":"node","scopes":[],
 "device":{"id":"ab","publicKey":"cd","signature":"ef","signedAt":1737264000000,"nonce":"n"}}"#;

    #[test]
    fn parses_the_real_node_connect() {
        let p: ConnectParams = serde_json::from_str(REAL_NODE_CONNECT).unwrap();
        assert_eq!(p.role(), "node");
        assert_eq!(p.signature_token(), "stored");
        assert_eq!(p.client.device_family.as_deref(), Some("Linux"));
        p.validate().unwrap();
    }

    #[test]
    fn refuses_unknown_client_id_and_fields() {
        let mut p: ConnectParams = serde_json::from_str(REAL_NODE_CONNECT).unwrap();
        p.client.id = "ios-node".into();
        assert!(p.validate().unwrap_err().contains("client.id"));
        let extra = REAL_NODE_CONNECT.replace("\"caps\"", "\"bogus\":1,\"caps\"");
        assert!(serde_json::from_str::<ConnectParams>(&extra).is_err());
    }
}
