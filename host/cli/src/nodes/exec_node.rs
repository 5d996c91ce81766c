//! Which node `nodes run` runs on, chosen as the real exec tool chooses for `host=node`
//! (`resolveNodeExecutionTarget`): `--node`, else the bound node (`agents.entries.<id>.tools.
//! exec.node` for `--agent`, else `tools.exec.node`), else the one connected node that serves
//! `system.run`. A request that disagrees with the binding is refused, and so is a choice
//! that is not connected or does not serve `system.run`. The messages are the real ones.

use anyhow::{bail, Result};
use openclaw_protocol::nodes::NodeEntry;

use openclaw_config::Config;

/// The node bound in the config: the agent's own binding, else the default one.
pub fn bound_node(config: &Config, agent: Option<&str>) -> Option<String> {
    let per_agent = agent.and_then(|id| {
        config
            .get("agents.entries")
            .and_then(|entries| entries.get(id))
            .and_then(|entry| entry.pointer("/tools/exec/node"))
            .and_then(|node| node.as_str())
            .map(String::from)
    });
    per_agent
        .or_else(|| config.str("tools.exec.node"))
        .filter(|n| !n.trim().is_empty())
}

pub fn choose<'n>(
    nodes: &'n [NodeEntry],
    requested: Option<&str>,
    bound: Option<&str>,
) -> Result<&'n NodeEntry> {
    if nodes.is_empty() {
        bail!("exec host=node requires a paired node (none available). This requires a companion app or node host.");
    }
    let bound = bound.map(|b| resolve_id(nodes, b)).transpose()?;
    let requested = match requested {
        Some(r) => Some(
            resolve_id(nodes, r)
                .map_err(|e| anyhow::anyhow!("requested node not found: {r} ({e})"))?,
        ),
        None => None,
    };
    if let (Some(b), Some(r)) = (&bound, &requested) {
        if b != r {
            bail!("exec node not allowed (bound to {b}, requested resolved to {r})");
        }
    }
    let eligible: Vec<&NodeEntry> = nodes.iter().filter(|n| serves_run(n)).collect();
    if let Some(id) = bound.or(requested) {
        let node = nodes
            .iter()
            .find(|n| n.node_id == id)
            .expect("resolved among nodes");
        if !serves_run(node) {
            bail!(
                "exec host=node requires a connected node that supports system.run ({id} is not eligible; eligible node ids: {}).",
                id_list(&eligible)
            );
        }
        return Ok(node);
    }
    match eligible.as_slice() {
        [only] => Ok(only),
        [] => bail!("exec host=node requires a connected node that supports system.run (none available). Start or reconnect the companion app or node host."),
        many => {
            let listed: Vec<String> = many
                .iter()
                .map(|n| match &n.display_name {
                    Some(name) => format!("{} ({name})", n.node_id),
                    None => n.node_id.clone(),
                })
                .collect();
            bail!(
                "exec host=node requires a node when multiple executable nodes are connected: {}. Set exec.node, tools.exec.node, or /exec node=...",
                listed.join(", ")
            )
        }
    }
}

fn serves_run(node: &NodeEntry) -> bool {
    node.connected && node.commands.iter().any(|c| c == "system.run")
}

fn id_list(nodes: &[&NodeEntry]) -> String {
    if nodes.is_empty() {
        return "none".into();
    }
    let mut ids: Vec<&str> = nodes.iter().map(|n| n.node_id.as_str()).collect();
    ids.sort_unstable();
    ids.join(", ")
}

/// A node id from an id, an IP, a display name (compared as a lowercase key of letters and
/// digits) or an id prefix of 6+ characters; connected matches win a tie.
fn resolve_id(nodes: &[NodeEntry], query: &str) -> Result<String> {
    let q = query.trim();
    if q.is_empty() {
        bail!("node required");
    }
    let mut matches: Vec<&NodeEntry> = nodes.iter().filter(|n| n.node_id == q).collect();
    if matches.is_empty() {
        matches = nodes
            .iter()
            .filter(|n| n.remote_ip.as_deref() == Some(q))
            .collect();
    }
    if matches.is_empty() {
        let key = node_key(q);
        let score = |n: &NodeEntry| match &n.display_name {
            Some(name) if !key.is_empty() && node_key(name) == key => 2,
            _ if q.len() >= 6 && n.node_id.starts_with(q) => 1,
            _ => 0,
        };
        let best = nodes.iter().map(score).max().unwrap_or(0);
        if best > 0 {
            matches = nodes.iter().filter(|n| score(n) == best).collect();
        }
    }
    if matches.is_empty() {
        let known: Vec<&str> = nodes
            .iter()
            .map(|n| {
                n.display_name
                    .as_deref()
                    .or(n.remote_ip.as_deref())
                    .unwrap_or(&n.node_id)
            })
            .collect();
        if known.is_empty() {
            bail!("unknown node: {q}");
        }
        bail!("unknown node: {q} (known: {})", known.join(", "));
    }
    let connected: Vec<&NodeEntry> = matches.iter().copied().filter(|n| n.connected).collect();
    let matches = if connected.is_empty() {
        matches
    } else {
        connected
    };
    match matches.as_slice() {
        [one] => Ok(one.node_id.clone()),
        many => {
            let labels: Vec<String> = many
                .iter()
                .map(|n| {
                    let label = n
                        .display_name
                        .as_deref()
                        .or(n.remote_ip.as_deref())
                        .unwrap_or(&n.node_id);
                    format!("{label} [node={}, client={}]", n.node_id, n.client_id)
                })
                .collect();
            bail!("ambiguous node: {q} (matches: {})", labels.join(", "))
        }
    }
}

/// A name as a lookup key: lowercase, runs of anything but letters and digits as one `-`.
fn node_key(name: &str) -> String {
    let mut key = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('-') {
            key.push('-');
        }
    }
    key.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, name: &str, connected: bool, run: bool) -> NodeEntry {
        NodeEntry {
            node_id: id.into(),
            display_name: Some(name.into()),
            connected,
            commands: if run {
                vec!["system.run".into()]
            } else {
                vec![]
            },
            client_id: "node-host".into(),
            ..NodeEntry::default()
        }
    }

    fn err(r: Result<&NodeEntry>) -> String {
        r.expect_err("a refusal").to_string()
    }

    #[test]
    fn the_node_is_chosen_as_the_real_exec_tool_chooses_it() {
        let a = node("aaaaaaaa11", "Build Node", true, true);
        let b = node("bbbbbbbb22", "Other", true, true);
        let off = node("cccccccc33", "Sleeper", false, true);
        assert_eq!(err(choose(&[], None, None)), "exec host=node requires a paired node (none available). This requires a companion app or node host.");
        let one = [a.clone(), off.clone()];
        assert_eq!(choose(&one, None, None).unwrap().node_id, "aaaaaaaa11");
        let two = [a.clone(), b.clone(), off.clone()];
        assert_eq!(err(choose(&two, None, None)), "exec host=node requires a node when multiple executable nodes are connected: aaaaaaaa11 (Build Node), bbbbbbbb22 (Other). Set exec.node, tools.exec.node, or /exec node=...");
        assert_eq!(
            choose(&two, None, Some("build node")).unwrap().node_id,
            "aaaaaaaa11"
        );
        assert_eq!(
            choose(&two, Some("bbbbbbbb"), None).unwrap().node_id,
            "bbbbbbbb22"
        );
        assert_eq!(
            err(choose(&two, Some("Other"), Some("Build Node"))),
            "exec node not allowed (bound to aaaaaaaa11, requested resolved to bbbbbbbb22)"
        );
        assert_eq!(err(choose(&two, None, Some("Sleeper"))), "exec host=node requires a connected node that supports system.run (cccccccc33 is not eligible; eligible node ids: aaaaaaaa11, bbbbbbbb22).");
        assert_eq!(err(choose(&two, Some("nobody"), None)), "requested node not found: nobody (unknown node: nobody (known: Build Node, Other, Sleeper))");
        assert_eq!(err(choose(&[off], None, None)), "exec host=node requires a connected node that supports system.run (none available). Start or reconnect the companion app or node host.");
    }
}
