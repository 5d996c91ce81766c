//! `fs.listDir`, shaped as the real node host shapes it (`listHostDirectories`): directories
//! only (a link counts when it leads to one), hidden entries last, each group in UTF-16
//! code-unit order, and `parent` left out at `/`. The host's `fs` capability decides what may
//! be read.

use std::cmp::Ordering;

use openclaw_plugin_sdk::fs::{self, EntryKind};
use openclaw_plugin_sdk::{Call, Failure};
use serde::Serialize;
use serde_json::Value;

use crate::thrown;

#[derive(Serialize)]
pub struct Listing {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
    home: String,
    entries: Vec<Entry>,
}

#[derive(Serialize)]
pub struct Entry {
    name: String,
    path: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    hidden: bool,
}

pub fn list_dir(_call: &Call, params: Value) -> Result<Listing, Failure> {
    let requested = match params.get("path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.clone()),
        Some(_) => return Err(thrown("INVALID_REQUEST: path must be a string")),
    };
    let home = fs::home();
    let requested = requested.filter(|p| !p.is_empty()).unwrap_or(home.clone());
    if !requested.starts_with('/') {
        return Err(thrown("fs.listDir path must be absolute"));
    }
    let path = resolve(&requested);
    let found = fs::list_dir(&path).map_err(|f| thrown(f.message))?;
    let mut entries: Vec<Entry> = found
        .into_iter()
        .filter(|e| e.kind == EntryKind::Directory || e.target_kind == Some(EntryKind::Directory))
        .map(|e| Entry {
            path: join(&path, &e.name),
            hidden: e.name.starts_with('.'),
            name: e.name,
        })
        .collect();
    entries.sort_by(|a, b| {
        a.hidden
            .cmp(&b.hidden)
            .then_with(|| utf16_order(&a.name, &b.name))
    });
    let parent = parent_of(&path);
    Ok(Listing {
        path,
        parent,
        home,
        entries,
    })
}

/// `path.resolve` of an absolute path: `.` and `..` folded, repeated and trailing `/` dropped.
fn resolve(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// `path.dirname`, or none at `/`.
fn parent_of(path: &str) -> Option<String> {
    if path == "/" {
        return None;
    }
    let cut = path.rfind('/').unwrap_or(0);
    Some(if cut == 0 {
        "/".into()
    } else {
        path[..cut].into()
    })
}

/// JavaScript's `<` on strings: UTF-16 code units, not bytes.
fn utf16_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_as_node_resolves_them() {
        assert_eq!(resolve("/srv/lsdemo/"), "/srv/lsdemo");
        assert_eq!(resolve("/a/./b/../c//d"), "/a/c/d");
        assert_eq!(resolve("/.."), "/");
        assert_eq!(parent_of("/srv"), Some("/".into()));
        assert_eq!(parent_of("/srv/lsdemo"), Some("/srv".into()));
        assert_eq!(parent_of("/"), None);
        assert_eq!(join("/", "etc"), "/etc");
    }

    #[test]
    fn names_sort_by_utf16_code_units() {
        // U+1F600 is the surrogate pair D83D DE00 in UTF-16, so it sorts before U+FF5E there,
        // though after it in UTF-8 bytes.
        assert_eq!(utf16_order("\u{1F600}", "\u{FF5E}"), Ordering::Less);
        assert_eq!(utf16_order("B", "a"), Ordering::Less);
    }
}
