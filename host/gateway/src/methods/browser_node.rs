//! Which connected node serves a `browser.request`: the one named, the one pinned by
//! `gateway.nodes.browser.node`, or the only node serving `browser.proxy`, with the real
//! gateway's rules and words. This gateway has no browser of its own, so "no node" means the
//! request cannot be served.

use std::sync::Arc;

use crate::config::{BrowserNodeMode, BrowserNodesConfig};
use crate::session::Session;
use crate::state::Gateway;

const PROXY: &str = "browser.proxy";

/// How the caller asked for a node.
pub struct Selector<'a> {
    /// `target: "node"` or a `node` param.
    pub explicit: bool,
    pub node: Option<&'a str>,
}

/// `Ok(None)`: no node is chosen, and the request belongs to the gateway's own browser.
pub fn choose(
    gw: &Gateway,
    policy: &BrowserNodesConfig,
    selector: &Selector,
) -> Result<Option<Arc<Session>>, String> {
    if policy.mode == BrowserNodeMode::Off {
        if selector.explicit {
            return Err(
                "Error: Node browser proxy is disabled (gateway.nodes.browser.mode=off).".into(),
            );
        }
        return Ok(None);
    }
    let requested = selector
        .node
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .or(policy
            .node
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty()));
    if policy.mode == BrowserNodeMode::Manual && !selector.explicit && requested.is_none() {
        return Ok(None);
    }
    let nodes: Vec<Arc<Session>> = gw
        .node_sessions()
        .into_iter()
        .filter(|s| serves_proxy(s))
        .collect();
    if nodes.is_empty() {
        if selector.explicit || requested.is_some() {
            return Err("Error: No connected browser-capable nodes.".into());
        }
        return Ok(None);
    }
    if let Some(query) = requested {
        return find(&nodes, query).map(Some);
    }
    match nodes.len() {
        1 => Ok(nodes.into_iter().next()),
        n if selector.explicit => Err(format!(
            "Error: Multiple browser-capable nodes connected ({n}). Set gateway.nodes.browser.node or pass node=<id>."
        )),
        _ => Ok(None),
    }
}

/// Connected, with `browser.proxy` approved (a surface awaiting approval does not count).
fn serves_proxy(session: &Session) -> bool {
    session.node.as_ref().is_some_and(|live| {
        live.surface
            .lock()
            .unwrap()
            .effective
            .iter()
            .any(|c| c == PROXY)
    })
}

fn display_name(session: &Session) -> Option<&str> {
    session.client.display_name.as_deref()
}

fn normalized(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Node id, display name (any case), or a node id prefix of at least 6 characters.
fn find(nodes: &[Arc<Session>], query: &str) -> Result<Arc<Session>, String> {
    let id = |s: &Session| s.node_id().unwrap_or_default().to_string();
    let exact: Vec<&Arc<Session>> = nodes.iter().filter(|s| id(s) == query).collect();
    let named: Vec<&Arc<Session>> = nodes
        .iter()
        .filter(|s| display_name(s).is_some_and(|n| normalized(n) == normalized(query)))
        .collect();
    let prefixed: Vec<&Arc<Session>> = nodes
        .iter()
        .filter(|s| query.len() >= 6 && id(s).starts_with(query))
        .collect();
    let matches = [exact, named, prefixed]
        .into_iter()
        .find(|m| !m.is_empty())
        .unwrap_or_default();
    match matches.as_slice() {
        [one] => Ok(Arc::clone(one)),
        [] => {
            let mut known: Vec<String> = nodes
                .iter()
                .map(|s| display_name(s).map_or_else(|| id(s), String::from))
                .collect();
            known.sort();
            Err(format!(
                "Error: unknown node: {query} (known: {})",
                known.join(", ")
            ))
        }
        several => {
            let labels: Vec<String> = several
                .iter()
                .map(|s| {
                    format!(
                        "{} [node={}, client={}]",
                        display_name(s).unwrap_or_default(),
                        id(s),
                        s.client.id
                    )
                })
                .collect();
            Err(format!(
                "Error: ambiguous node: {query} (matches: {})",
                labels.join(", ")
            ))
        }
    }
}
