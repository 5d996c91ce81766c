//! "Allow always", as the real node host keeps it: one allowlist entry per program the
//! command runs, bound to its real path, its exact arguments and the directory
//! (`sha256:cwd-argv:v1:`), plus a `=node-command:` marker for the whole command text,
//! by which the gateway knows the grant is durable. `system.run.prepare` reports the same
//! patterns (`allowAlwaysCoverage`), so both sides agree on what "always" covers.

use std::path::Path;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::allowlist::cwd_bound_arg_pattern;
use crate::analysis::Segment;

/// One entry "allow always" writes for a program.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub pattern: String,
    pub arg_pattern: String,
}

/// What "allow always" would cover.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coverage {
    /// Every program the command runs has an entry.
    pub complete: bool,
    pub patterns: Vec<Pattern>,
}

const CWD_BOUND: &str = "sha256:cwd-argv:v1:";

impl Coverage {
    /// The entries for `segments` run in `cwd`. A program is left out (and the coverage is
    /// incomplete) when no entry could stand for it: a shell whose script is not read, a
    /// program run after a `cd`, or one that evaluates inline code (`inline`).
    pub fn of(segments: &[Segment], cwd: &Path, inline: impl Fn(&Segment) -> bool) -> Coverage {
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut represented = 0;
        for segment in segments {
            if segment.opaque_shell || !segment.in_request_cwd || inline(segment) {
                continue;
            }
            represented += 1;
            let pattern = Pattern {
                pattern: segment.exe.path.display().to_string(),
                arg_pattern: cwd_bound_arg_pattern(cwd, &segment.args),
            };
            if !patterns.contains(&pattern) {
                patterns.push(pattern);
            }
        }
        Coverage {
            complete: !segments.is_empty() && represented == segments.len(),
            patterns,
        }
    }

    pub fn to_value(&self) -> Value {
        let patterns: Vec<Value> = self
            .patterns
            .iter()
            .map(|p| json!({"pattern": p.pattern, "argPattern": p.arg_pattern}))
            .collect();
        json!({"complete": self.complete, "patterns": patterns})
    }
}

/// The marker of a command text approved always.
pub fn command_marker(command_text: &str) -> String {
    let digest = openclaw_protocol::identity::hex(&Sha256::digest(command_text.trim().as_bytes()));
    format!("=node-command:{}", &digest[..16])
}

/// Writes the grant into `doc` (the approvals document) for `agent`: an entry per pattern,
/// and the marker when the coverage is complete. Older allow-always entries for the same
/// programs that are not bound to a directory are dropped. Answers whether `doc` changed.
pub fn grant(
    doc: &mut Value,
    agent: &str,
    coverage: &Coverage,
    command_text: &str,
    now_ms: u64,
) -> bool {
    let mut entries: Vec<(String, Option<String>)> = coverage
        .patterns
        .iter()
        .map(|p| (p.pattern.clone(), Some(p.arg_pattern.clone())))
        .collect();
    if coverage.complete && !command_text.trim().is_empty() {
        entries.push((command_marker(command_text), None));
    }
    if !doc.is_object() {
        *doc = json!({"version": 1});
    }
    let agent_doc = object(doc, "agents").entry(agent).or_insert(json!({}));
    if !agent_doc.is_object() {
        *agent_doc = json!({});
    }
    let allowlist = agent_doc
        .as_object_mut()
        .expect("an object")
        .entry("allowlist")
        .or_insert(json!([]));
    if !allowlist.is_array() {
        *allowlist = json!([]);
    }
    let allowlist = allowlist.as_array_mut().expect("an array");
    let generated: Vec<&String> = entries
        .iter()
        .filter(|(_, a)| a.is_some())
        .map(|(p, _)| p)
        .collect();
    let before = allowlist.len();
    allowlist.retain(|e| {
        let stale = e["source"] == "allow-always"
            && !e["argPattern"]
                .as_str()
                .is_some_and(|a| a.starts_with(CWD_BOUND))
            && e["pattern"]
                .as_str()
                .is_some_and(|p| generated.iter().any(|g| *g == p));
        !stale
    });
    let mut changed = allowlist.len() != before;
    for (pattern, arg_pattern) in &entries {
        let same = |e: &Value| {
            e["pattern"].as_str() == Some(pattern.as_str())
                && e["argPattern"].as_str() == arg_pattern.as_deref()
        };
        match allowlist.iter_mut().find(|e| same(e)) {
            Some(e) if e["source"] == "allow-always" => {}
            Some(e) => {
                e["source"] = json!("allow-always");
                e["lastUsedAt"] = json!(now_ms);
                changed = true;
            }
            None => {
                let mut entry = Map::new();
                entry.insert("pattern".into(), json!(pattern));
                entry.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
                entry.insert("source".into(), json!("allow-always"));
                if let Some(a) = arg_pattern {
                    entry.insert("argPattern".into(), json!(a));
                }
                entry.insert("lastUsedAt".into(), json!(now_ms));
                allowlist.push(Value::Object(entry));
                changed = true;
            }
        }
    }
    changed
}

/// `doc[key]` as an object, made one if it is not.
fn object<'a>(doc: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    let map = doc.as_object_mut().expect("an object");
    let slot = map.entry(key).or_insert(json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    slot.as_object_mut().expect("an object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allowlist::Executable;

    fn segment(path: &str, args: &[&str]) -> Segment {
        Segment {
            exe: Executable {
                path: path.into(),
                bare: true,
                name: path.rsplit('/').next().unwrap().into(),
            },
            args: args.iter().map(|a| a.to_string()).collect(),
            opaque_shell: false,
            in_request_cwd: true,
        }
    }

    #[test]
    fn the_real_vectors() {
        let tmp = Path::new("/tmp");
        let coverage = Coverage::of(&[segment("/usr/bin/uname", &["-a"])], tmp, |_| false);
        assert_eq!(
            serde_json::to_string(&coverage.to_value()).unwrap(),
            r#"{"complete":true,"patterns":[{"pattern":"/usr/bin/uname","argPattern":"sha256:cwd-argv:v1:98939279b22ad6019c3e6467b3a5309b70bebdb6f3e75a229b4b62f6719d170b"}]}"#
        );
        assert_eq!(command_marker("uname -a"), "=node-command:28ba533b0f3c4df6");
        assert_eq!(
            command_marker(" ls -la && uname -a "),
            "=node-command:96f6388c5cd8cd80"
        );
        let ls = segment("/usr/bin/ls", &["-la"]);
        let both = Coverage::of(
            &[ls.clone(), segment("/usr/bin/uname", &["-a"]), ls],
            tmp,
            |_| false,
        );
        assert_eq!(both.patterns.len(), 2);
        assert_eq!(
            both.patterns[0].arg_pattern,
            "sha256:cwd-argv:v1:0eae1d4f905e0fa3d0dc518f8e6e1bfc17fe9dd1620d5e1889a3c3cab4ce85ce"
        );
        let bare = Coverage::of(&[segment("/usr/bin/uname", &[])], tmp, |_| false);
        assert_eq!(
            bare.patterns[0].arg_pattern,
            "sha256:cwd-argv:v1:228bb99df892c8b9d3665ea681772168d500cd289b648a6241036d9b010c2310"
        );
        let mut opaque = segment("/usr/bin/bash", &["-c", "x"]);
        opaque.opaque_shell = true;
        let partial = Coverage::of(&[segment("/usr/bin/ls", &[]), opaque], tmp, |_| false);
        assert_eq!((partial.complete, partial.patterns.len()), (false, 1));
        assert_eq!(Coverage::of(&[], tmp, |_| false), Coverage::default());
    }

    #[test]
    fn a_grant_writes_each_entry_once_and_replaces_unbound_ones() {
        let mut doc = json!({"version": 1, "agents": {"main": {"allowlist": [
            {"pattern": "/usr/bin/uname", "source": "allow-always"},
            {"pattern": "/usr/bin/uname"},
            {"pattern": "/usr/bin/id", "source": "allow-always"}]}}});
        let coverage = Coverage::of(
            &[segment("/usr/bin/uname", &["-a"])],
            Path::new("/tmp"),
            |_| false,
        );
        assert!(grant(&mut doc, "main", &coverage, "/usr/bin/uname -a", 7));
        let list = doc["agents"]["main"]["allowlist"]
            .as_array()
            .unwrap()
            .clone();
        let patterns: Vec<&str> = list
            .iter()
            .map(|e| e["pattern"].as_str().unwrap())
            .collect();
        let marker = command_marker("/usr/bin/uname -a");
        assert_eq!(
            patterns,
            ["/usr/bin/uname", "/usr/bin/id", "/usr/bin/uname", &marker]
        );
        assert_eq!(
            list[0].get("source"),
            None,
            "the operator's own entry stays"
        );
        let keys: Vec<&String> = list[2].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["pattern", "id", "source", "argPattern", "lastUsedAt"]
        );
        assert_eq!(list[3]["source"], "allow-always");
        assert!(list[3].get("argPattern").is_none());
        // Granting again changes nothing.
        assert!(!grant(&mut doc, "main", &coverage, "/usr/bin/uname -a", 8));
        // An incomplete coverage writes no marker; a missing agent is made.
        let mut fresh = json!({"version": 1});
        let partial = Coverage {
            complete: false,
            patterns: coverage.patterns.clone(),
        };
        assert!(grant(&mut fresh, "default", &partial, "x", 1));
        assert_eq!(
            fresh["agents"]["default"]["allowlist"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
