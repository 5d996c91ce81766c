//! The exec approvals document (`exec-approvals.json`): read, hashed, replaced only against
//! the hash the editor last saw, written atomically. Unreadable means deny.

use std::path::{Path, PathBuf};

use openclaw_protocol::identity::hex;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::allowlist::AllowEntry;
use crate::safe_bins::SafeBins;
use crate::ExecError;
use openclaw_files::{write_atomically, FileLock};

/// `security`, from least to most permissive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Security {
    Deny,
    Allowlist,
    Full,
}

/// `ask`, from least to most asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ask {
    Off,
    OnMiss,
    Always,
}

impl Security {
    pub(crate) fn parse(s: &str) -> Option<Security> {
        Some(match s {
            "deny" => Security::Deny,
            "allowlist" => Security::Allowlist,
            "full" => Security::Full,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Security::Deny => "deny",
            Security::Allowlist => "allowlist",
            Security::Full => "full",
        }
    }
}

impl Ask {
    pub(crate) fn parse(s: &str) -> Option<Ask> {
        Some(match s {
            "off" => Ask::Off,
            "on-miss" => Ask::OnMiss,
            "always" => Ask::Always,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ask::Off => "off",
            Ask::OnMiss => "on-miss",
            Ask::Always => "always",
        }
    }
}

/// The policy that applies to one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub security: Security,
    pub ask: Ask,
    pub ask_fallback: Security,
    pub allowlist: Vec<AllowEntry>,
    /// Filters the allowlist admits without an entry (from the config, not the document).
    pub safe_bins: SafeBins,
    /// `tools.exec.strictInlineEval`: inline eval needs an explicit approval, under any security.
    pub strict_inline_eval: bool,
}

pub struct ApprovalsStore {
    path: PathBuf,
}

impl ApprovalsStore {
    pub fn new(path: PathBuf) -> ApprovalsStore {
        ApprovalsStore { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored text, if any.
    fn read(&self) -> Result<Option<String>, ExecError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ExecError::unavailable(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    /// `{path, exists, hash, file}`, with any socket token left out.
    pub fn snapshot(&self) -> Result<Value, ExecError> {
        let text = self.read()?;
        let hash = hash_of(text.as_deref());
        let mut file = match &text {
            Some(t) => serde_json::from_str(t).map_err(|e| {
                ExecError::unavailable(format!("{} is not JSON: {e}", self.path.display()))
            })?,
            None => json!({"version": 1}),
        };
        if let Some(socket) = file.get_mut("socket").and_then(Value::as_object_mut) {
            socket.remove("token");
        }
        Ok(
            json!({"path": self.path.display().to_string(), "exists": text.is_some(), "hash": hash, "file": file}),
        )
    }

    /// Replaces the document. An existing document needs its current hash as `base_hash`.
    /// The check and the write are one step under a lock: of two edits from the same base,
    /// exactly one lands and the other is told to reload.
    pub fn set(&self, file: Value, base_hash: Option<&str>) -> Result<Value, ExecError> {
        let _lock = FileLock::acquire(&self.path).map_err(|e| {
            ExecError::unavailable(format!("cannot lock {}: {e}", self.path.display()))
        })?;
        let current = self.read()?;
        if let Some(text) = &current {
            match base_hash {
                None => {
                    return Err(ExecError::invalid(
                        "exec approvals base hash required; reload and retry",
                    ))
                }
                Some(h) if h != hash_of(Some(text)) => {
                    return Err(ExecError::invalid(
                        "exec approvals changed; reload and retry",
                    ))
                }
                Some(_) => {}
            }
        }
        let mut file = validate(file).map_err(ExecError::invalid)?;
        // The socket section is the host's; keep it unless the editor sent one.
        if let (Some(old), None) = (
            current
                .as_deref()
                .and_then(|t| serde_json::from_str::<Value>(t).ok()),
            file.get("socket"),
        ) {
            if let Some(socket) = old.get("socket") {
                file.as_object_mut()
                    .expect("validated object")
                    .insert("socket".into(), socket.clone());
            }
        }
        let text = serde_json::to_string_pretty(&file).expect("json prints") + "\n";
        write_atomically(&self.path, text.as_bytes()).map_err(|e| {
            ExecError::unavailable(format!("cannot write {}: {e}", self.path.display()))
        })?;
        self.snapshot()
    }

    /// The stored document (`{}` when there is none), or why it cannot be read.
    pub fn document(&self) -> Result<Value, ExecError> {
        match self.read()? {
            None => Ok(json!({})),
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                ExecError::unavailable(format!("{} is not JSON: {e}", self.path.display()))
            }),
        }
    }

    /// Runs `change` on the document under the approvals lock, and writes it back when it
    /// says it changed it: a check inside `change` holds for the document written.
    pub fn update(
        &self,
        change: impl FnOnce(&mut Value) -> Result<bool, String>,
    ) -> Result<(), String> {
        let _lock = FileLock::acquire(&self.path)
            .map_err(|e| format!("cannot lock {}: {e}", self.path.display()))?;
        let mut doc = match self.document().map_err(|e| e.message)? {
            doc if doc.as_object().is_some_and(|m| m.is_empty()) => json!({"version": 1}),
            doc => doc,
        };
        if !change(&mut doc)? {
            return Ok(());
        }
        let doc = validate(doc)?;
        let text = serde_json::to_string_pretty(&doc).expect("json prints") + "\n";
        write_atomically(&self.path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// The policy for `agent_id` (or `default`) over `base`, the security and ask the node's
    /// config sets: each field is the agent's, else `*`'s, else the defaults', else the base's,
    /// and the document only tightens the base (the lower security, the more asking). An
    /// unreadable document denies everything.
    pub fn policy(&self, agent_id: Option<&str>, base: (Security, Ask)) -> Policy {
        let doc = match self.read() {
            Ok(Some(text)) => match serde_json::from_str::<Value>(&text) {
                Ok(v) => v,
                Err(_) => return deny_all(),
            },
            Ok(None) => json!({}),
            Err(_) => return deny_all(),
        };
        let agent = agent_id.unwrap_or("default");
        let layers = [&doc["defaults"], &doc["agents"]["*"], &doc["agents"][agent]];
        let pick = |key: &str| layers.iter().rev().find_map(|l| l[key].as_str());
        let text = |v: &Value, key: &str| v[key].as_str().map(String::from);
        let allowlist = [&doc["agents"]["*"], &doc["agents"][agent]]
            .iter()
            .flat_map(|a| a["allowlist"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| {
                Some(AllowEntry {
                    pattern: text(&e, "pattern")?,
                    arg_pattern: text(&e, "argPattern"),
                    source: text(&e, "source"),
                })
            })
            .collect();
        Policy {
            security: pick("security")
                .and_then(Security::parse)
                .map_or(base.0, |s| s.min(base.0)),
            ask: pick("ask")
                .and_then(Ask::parse)
                .map_or(base.1, |a| a.max(base.1)),
            safe_bins: SafeBins::default(),
            strict_inline_eval: false,
            ask_fallback: pick("askFallback")
                .and_then(Security::parse)
                .unwrap_or(Security::Deny),
            allowlist,
        }
    }
}

fn deny_all() -> Policy {
    Policy {
        security: Security::Deny,
        ask: Ask::Off,
        ask_fallback: Security::Deny,
        allowlist: Vec::new(),
        safe_bins: SafeBins::default(),
        strict_inline_eval: false,
    }
}

/// `sha256(text)` of the stored document, or `missing:` + sha256 of nothing.
pub fn hash_of(text: Option<&str>) -> String {
    match text {
        Some(t) => hex(&Sha256::digest(t.as_bytes())),
        None => format!("missing:{}", hex(&Sha256::digest(b""))),
    }
}

/// Checks the document against the closed schema of the real protocol.
fn validate(file: Value) -> Result<Value, String> {
    let Value::Object(map) = file else {
        return Err("file must be an object".into());
    };
    for key in map.keys() {
        if !["version", "socket", "defaults", "agents"].contains(&key.as_str()) {
            return Err(format!("unexpected field file.{key}"));
        }
    }
    if map.get("version") != Some(&json!(1)) {
        return Err("file.version must be 1".into());
    }
    if let Some(defaults) = map.get("defaults") {
        check_policy("file.defaults", defaults, false)?;
    }
    if let Some(agents) = map.get("agents") {
        let agents = agents.as_object().ok_or("file.agents must be an object")?;
        for (id, agent) in agents {
            check_policy(&format!("file.agents.{id}"), agent, true)?;
        }
    }
    Ok(Value::Object(map))
}

fn check_policy(at: &str, v: &Value, agent: bool) -> Result<(), String> {
    let obj: &Map<String, Value> = v
        .as_object()
        .ok_or_else(|| format!("{at} must be an object"))?;
    for (key, value) in obj {
        let ok = match key.as_str() {
            "security" | "askFallback" => value.as_str().and_then(Security::parse).is_some(),
            "ask" => value.as_str().and_then(Ask::parse).is_some(),
            "autoAllowSkills" => value.is_boolean(),
            "allowlist" if agent => value.as_array().is_some_and(|entries| {
                entries
                    .iter()
                    .all(|e| e["pattern"].as_str().is_some_and(|p| !p.trim().is_empty()))
            }),
            "mcpTools" if agent => value.is_array(),
            _ => return Err(format!("unexpected field {at}.{key}")),
        };
        if !ok {
            return Err(format!("{at}.{key} has an invalid value"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The config's default: full, ask off.
    const OPEN: (Security, Ask) = (Security::Full, Ask::Off);

    #[test]
    fn spec_hash_vectors() {
        assert_eq!(
            hash_of(None),
            "missing:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let file = json!({"version":1,"defaults":{"security":"allowlist","ask":"on-miss","askFallback":"deny","autoAllowSkills":false},"agents":{"main":{"allowlist":[{"pattern":"/usr/bin/uname"}]}}});
        let text = serde_json::to_string_pretty(&file).unwrap() + "\n";
        assert_eq!(
            hash_of(Some(&text)),
            "e8f5a84f0948492f9999778b48f402c169a9d6592a190b461ff753652a040a4b"
        );
    }

    #[test]
    fn set_needs_the_current_hash_and_nothing_is_lost_on_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let store = ApprovalsStore::new(dir.path().join("exec-approvals.json"));
        let first = store.snapshot().unwrap();
        assert_eq!(first["exists"], false);
        let set = store
            .set(
                json!({"version": 1, "defaults": {"security": "allowlist"}}),
                None,
            )
            .unwrap();
        let hash = set["hash"].as_str().unwrap().to_string();
        assert_eq!(
            store.set(json!({"version": 1}), None).unwrap_err().message,
            "INVALID_REQUEST: exec approvals base hash required; reload and retry"
        );
        assert_eq!(
            store
                .set(json!({"version": 1}), Some("stale"))
                .unwrap_err()
                .message,
            "INVALID_REQUEST: exec approvals changed; reload and retry"
        );
        assert!(store
            .set(json!({"version": 2}), Some(&hash))
            .unwrap_err()
            .message
            .contains("file.version must be 1"));
        assert!(store
            .set(
                json!({"version": 1, "defaults": {"security": "yes"}}),
                Some(&hash)
            )
            .unwrap_err()
            .message
            .contains("file.defaults.security"));
        assert_eq!(
            store.snapshot().unwrap()["hash"],
            hash.as_str(),
            "refusals leave the document as it was"
        );
        assert_eq!(store.policy(None, OPEN).security, Security::Allowlist);
    }

    #[test]
    fn of_many_concurrent_edits_from_one_base_exactly_one_lands() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exec-approvals.json");
        let base = ApprovalsStore::new(path.clone())
            .set(json!({"version": 1}), None)
            .unwrap()["hash"]
            .as_str()
            .unwrap()
            .to_string();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
        let writers: Vec<_> = (0..16)
            .map(|n| {
                let (path, base, barrier) = (path.clone(), base.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let store = ApprovalsStore::new(path);
                    let file = json!({"version": 1, "agents": {"main": {"allowlist": [{"pattern": format!("/bin/w{n}")}]}}});
                    barrier.wait();
                    store.set(file, Some(&base)).map(|_| n)
                })
            })
            .collect();
        let results: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
        let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert_eq!(
                r.message,
                "INVALID_REQUEST: exec approvals changed; reload and retry"
            );
        }
        let store = ApprovalsStore::new(path);
        assert_eq!(
            store.policy(Some("main"), OPEN).allowlist[0].pattern,
            format!("/bin/w{}", winners[0]),
            "the file holds the winner's edit"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn policy_layers_defaults_star_and_agent() {
        let dir = tempfile::tempdir().unwrap();
        let store = ApprovalsStore::new(dir.path().join("a.json"));
        assert_eq!(
            store.policy(None, OPEN).security,
            Security::Full,
            "no document: full, ask off"
        );
        store
            .set(
                json!({"version": 1, "defaults": {"security": "allowlist", "ask": "off"},
                       "agents": {"*": {"allowlist": [{"pattern": "/usr/bin/echo"}]},
                                  "main": {"ask": "always", "allowlist": [{"pattern": "ls"}]}}}),
                None,
            )
            .unwrap();
        let main = store.policy(Some("main"), OPEN);
        assert_eq!(
            (main.security, main.ask),
            (Security::Allowlist, Ask::Always)
        );
        let patterns =
            |p: Policy| -> Vec<String> { p.allowlist.into_iter().map(|e| e.pattern).collect() };
        assert_eq!(patterns(main), vec!["/usr/bin/echo", "ls"]);
        assert_eq!(patterns(store.policy(None, OPEN)), vec!["/usr/bin/echo"]);
        std::fs::write(store.path(), "{broken").unwrap();
        assert_eq!(
            store.policy(None, OPEN).security,
            Security::Deny,
            "unreadable fails closed"
        );
    }

    #[test]
    fn the_document_only_tightens_what_the_config_sets() {
        let dir = tempfile::tempdir().unwrap();
        let store = ApprovalsStore::new(dir.path().join("a.json"));
        let strict = (Security::Allowlist, Ask::OnMiss);
        let p = store.policy(None, strict);
        assert_eq!(
            (p.security, p.ask),
            strict,
            "no document: the config decides"
        );
        store
            .set(
                json!({"version": 1, "defaults": {"security": "full", "ask": "off"},
                       "agents": {"main": {"security": "deny", "ask": "always"}}}),
                None,
            )
            .unwrap();
        let p = store.policy(None, strict);
        assert_eq!((p.security, p.ask), strict, "full/off loosens nothing");
        let p = store.policy(Some("main"), strict);
        assert_eq!((p.security, p.ask), (Security::Deny, Ask::Always));
        let p = store.policy(None, OPEN);
        assert_eq!((p.security, p.ask), OPEN);
    }
}
