//! Bootstrap tokens: the short-lived, single-use credential a setup code carries (the real's
//! `device-bootstrap`). A token is stored by its SHA-256 only, so the database never holds the
//! bearer. It binds to the first device that presents it, lives ten minutes, and is consumed
//! by the first connection it admits. Join codes (`/j/<shortcode>`) hand a setup payload out
//! once over HTTP.

use openclaw_protocol::identity::{hex, random_token};
use openclaw_protocol::now_ms;
use openclaw_protocol::setup_code::{SetupPayload, BOOTSTRAP_TOKEN_TTL_MS};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreResult};

const BOOTSTRAP: &str = "bootstrap-token";
const COMPLETION: &str = "setup-completion";
const JOIN_CODE: &str = "join-code";
/// How long a finished setup stays readable through `device.pair.setupStatus`.
const COMPLETION_TTL_MS: u64 = 60 * 60 * 1000;

/// Operator scopes a setup code may hand off (the real's `BOOTSTRAP_HANDOFF_OPERATOR_SCOPES`).
const HANDOFF_SCOPES: [&str; 5] = [
    "operator.approvals",
    "operator.questions",
    "operator.read",
    "operator.talk.secrets",
    "operator.write",
];

/// What a token lets its device become: roles, operator scopes, and the closed purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

impl Profile {
    fn of(roles: &[&str], scopes: &[&str], purpose: Option<&str>) -> Profile {
        let mut scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        scopes.sort();
        Profile {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            scopes,
            purpose: purpose.map(String::from),
        }
    }

    /// `openclaw qr` by default: a node, and an operator with admin.
    pub fn full() -> Profile {
        let mut scopes = HANDOFF_SCOPES.to_vec();
        scopes.push("operator.admin");
        Profile::of(&["node", "operator"], &scopes, Some("mobile-full"))
    }

    /// `--limited`, and any plaintext URL beyond loopback: the handoff scopes without admin.
    pub fn limited() -> Profile {
        Profile::of(&["node", "operator"], &HANDOFF_SCOPES, None)
    }

    /// A node and nothing else: join codes, `bootstrapProfile: "node"`.
    pub fn node() -> Profile {
        Profile::of(&["node"], &[], None)
    }

    /// `--voice-node`: a node plus read and talk.
    pub fn voice_node() -> Profile {
        Profile::of(
            &["node", "operator"],
            &["operator.read", "operator.talk"],
            Some("voice-node"),
        )
    }

    /// The `access` word the real reports for a profile.
    pub fn access(&self) -> &'static str {
        if *self == Profile::full() {
            "full"
        } else if *self == Profile::node() {
            "node"
        } else {
            "limited"
        }
    }

    /// Whether a connection asking for `role` with `scopes` stays inside this profile.
    fn allows(&self, role: &str, scopes: &[String]) -> bool {
        self.roles.iter().any(|r| r == role)
            && (role == "operator" || scopes.is_empty())
            && scopes.iter().all(|s| self.scopes.contains(s))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRecord {
    setup_id: String,
    profile: Profile,
    issued_at_ms: u64,
    #[serde(default)]
    device_id: Option<String>,
    #[serde(default)]
    public_key: Option<String>,
}

/// A freshly issued token: the bearer goes into the setup code and nowhere else.
pub struct Issued {
    pub token: String,
    pub setup_id: String,
    pub expires_at_ms: u64,
}

/// How a setup ended, for `device.pair.setupStatus`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    pub setup_id: String,
    pub device_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    pub access: String,
    pub completed_at_ms: u64,
}

fn key(token: &str) -> String {
    hex(&Sha256::digest(token.trim().as_bytes()))
}

fn live(record: &TokenRecord, now: u64) -> bool {
    record.issued_at_ms + BOOTSTRAP_TOKEN_TTL_MS > now
}

pub fn issue(store: &Store, profile: Profile) -> StoreResult<Issued> {
    let now = now_ms();
    let token = random_token(32);
    let setup_id = uuid::Uuid::new_v4().to_string();
    let record = TokenRecord {
        setup_id: setup_id.clone(),
        profile,
        issued_at_ms: now,
        device_id: None,
        public_key: None,
    };
    let stale: Vec<(String, TokenRecord)> = store.list_keyed(BOOTSTRAP)?;
    store.write(|w| {
        for (key, old) in &stale {
            if !live(old, now) {
                w.delete(BOOTSTRAP, key)?;
            }
        }
        w.put(BOOTSTRAP, &key(&token), "", &record)
    })?;
    Ok(Issued {
        token,
        setup_id,
        expires_at_ms: now + BOOTSTRAP_TOKEN_TTL_MS,
    })
}

/// The profile of a live token that this device may use for `role` and `scopes`. The first
/// device to present a token binds it; any other device is refused from then on.
pub fn verify(
    store: &Store,
    token: &str,
    device_id: &str,
    public_key: &str,
    role: &str,
    scopes: &[String],
) -> StoreResult<Option<Profile>> {
    let key = key(token);
    store.write(|w| {
        let Some(mut record) = w.get::<TokenRecord>(BOOTSTRAP, &key)? else {
            return Ok(None);
        };
        if !live(&record, now_ms()) || !record.profile.allows(role, scopes) {
            return Ok(None);
        }
        match (&record.device_id, &record.public_key) {
            (Some(d), Some(k)) if d == device_id && k == public_key => {}
            (None, None) => {
                record.device_id = Some(device_id.to_string());
                record.public_key = Some(public_key.to_string());
                w.put(BOOTSTRAP, &key, "", &record)?;
            }
            _ => return Ok(None),
        }
        Ok(Some(record.profile))
    })
}

/// Burns the token after the connection it admitted got its `hello-ok`, and records how the
/// setup ended. `false` when the token was gone already (a race with another connection).
pub fn consume(
    store: &Store,
    token: &str,
    device_id: &str,
    device_name: Option<&str>,
) -> StoreResult<bool> {
    let key = key(token);
    let now = now_ms();
    let finished: Vec<(String, Completion)> = store.list_keyed(COMPLETION)?;
    store.write(|w| {
        let Some(record) = w.get::<TokenRecord>(BOOTSTRAP, &key)? else {
            return Ok(false);
        };
        w.delete(BOOTSTRAP, &key)?;
        for (key, old) in &finished {
            if old.completed_at_ms + COMPLETION_TTL_MS <= now {
                w.delete(COMPLETION, key)?;
            }
        }
        let completion = Completion {
            setup_id: record.setup_id.clone(),
            device_id: device_id.to_string(),
            device_name: device_name.map(String::from),
            access: record.profile.access().to_string(),
            completed_at_ms: now,
        };
        w.put(COMPLETION, &record.setup_id, "", &completion)?;
        Ok(true)
    })
}

pub fn completion(store: &Store, setup_id: &str) -> StoreResult<Option<Completion>> {
    Ok(store
        .get::<Completion>(COMPLETION, setup_id)?
        .filter(|c| c.completed_at_ms + COMPLETION_TTL_MS > now_ms()))
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JoinRecord {
    payload: SetupPayload,
    expires_at_ms: u64,
}

/// A join code's shortcode: 128 random bits, 22 base64url characters.
pub fn is_join_code(s: &str) -> bool {
    s.len() == 22
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Registers a payload under a new shortcode, to be fetched once before `expires_at_ms`.
pub fn register_join_code(
    store: &Store,
    payload: SetupPayload,
    expires_at_ms: u64,
) -> StoreResult<String> {
    let now = now_ms();
    let shortcode = random_token(16);
    let stale: Vec<(String, JoinRecord)> = store.list_keyed(JOIN_CODE)?;
    store.write(|w| {
        for (key, old) in &stale {
            if old.expires_at_ms <= now {
                w.delete(JOIN_CODE, key)?;
            }
        }
        let record = JoinRecord {
            payload,
            expires_at_ms,
        };
        w.put(JOIN_CODE, &shortcode, "", &record)
    })?;
    Ok(shortcode)
}

/// Burns a shortcode and answers its payload, if it was live. A used code and an unknown one
/// look the same.
pub fn redeem_join_code(store: &Store, shortcode: &str) -> StoreResult<Option<SetupPayload>> {
    if !is_join_code(shortcode) {
        return Ok(None);
    }
    store.write(|w| {
        let record: Option<JoinRecord> = w.get(JOIN_CODE, shortcode)?;
        w.delete(JOIN_CODE, shortcode)?;
        Ok(record
            .filter(|r| r.expires_at_ms > now_ms())
            .map(|r| r.payload))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("gateway.sqlite")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_token_binds_to_its_first_device_and_is_used_once() {
        let (_dir, store) = store();
        let issued = issue(&store, Profile::node()).unwrap();
        let none: Vec<String> = Vec::new();
        let ok = verify(&store, &issued.token, "dev-a", "key-a", "node", &none).unwrap();
        assert_eq!(ok, Some(Profile::node()));
        // Another device, or the same id with another key, cannot use it any more.
        assert_eq!(
            verify(&store, &issued.token, "dev-b", "key-b", "node", &none).unwrap(),
            None
        );
        assert_eq!(
            verify(&store, &issued.token, "dev-a", "key-b", "node", &none).unwrap(),
            None
        );
        // A node profile admits no operator.
        let op = vec!["operator.read".to_string()];
        assert_eq!(
            verify(&store, &issued.token, "dev-a", "key-a", "operator", &op).unwrap(),
            None
        );
        assert!(consume(&store, &issued.token, "dev-a", Some("box")).unwrap());
        assert!(!consume(&store, &issued.token, "dev-a", None).unwrap());
        assert_eq!(
            verify(&store, &issued.token, "dev-a", "key-a", "node", &none).unwrap(),
            None
        );
        let done = completion(&store, &issued.setup_id).unwrap().unwrap();
        assert_eq!(
            (done.device_id.as_str(), done.access.as_str()),
            ("dev-a", "node")
        );
    }

    #[test]
    fn the_database_never_holds_the_bearer() {
        let (dir, store) = store();
        let issued = issue(&store, Profile::full()).unwrap();
        drop(store);
        let bytes = std::fs::read(dir.path().join("gateway.sqlite")).unwrap_or_default();
        let wal = std::fs::read(dir.path().join("gateway.sqlite-wal")).unwrap_or_default();
        let needle = issued.token.as_bytes();
        for file in [bytes, wal] {
            assert!(!file.windows(needle.len()).any(|w| w == needle));
        }
    }

    #[test]
    fn a_join_code_is_fetched_once() {
        let (_dir, store) = store();
        let payload = SetupPayload {
            url: "ws://127.0.0.1:1".into(),
            urls: None,
            bootstrap_token: "t".into(),
            expires_at_ms: Some(now_ms() + 60_000),
            tls_fingerprint: None,
        };
        let code = register_join_code(&store, payload.clone(), now_ms() + 60_000).unwrap();
        assert!(is_join_code(&code));
        assert_eq!(redeem_join_code(&store, &code).unwrap(), Some(payload));
        assert_eq!(redeem_join_code(&store, &code).unwrap(), None);
        let old = register_join_code(
            &store,
            SetupPayload {
                ..Default::default()
            },
            1,
        );
        assert_eq!(redeem_join_code(&store, &old.unwrap()).unwrap(), None);
    }

    #[test]
    fn access_words_are_the_reals() {
        assert_eq!(Profile::full().access(), "full");
        assert_eq!(Profile::node().access(), "node");
        assert_eq!(Profile::limited().access(), "limited");
        assert_eq!(Profile::voice_node().access(), "limited");
    }
}
