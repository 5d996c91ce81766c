//! Narrowing an `ai` snapshot, as the real service narrows one with `refs=aria`:
//! `interactive` keeps only the lines of interactive roles (flat), `compact` drops unnamed
//! structural lines and branches without refs, `depth` drops lines nested deeper.

use serde_json::{json, Map, Value};

pub struct Options {
    pub interactive: bool,
    pub compact: bool,
    pub depth: Option<u64>,
}

impl Options {
    pub fn any(&self) -> bool {
        self.interactive || self.compact || self.depth.is_some()
    }
}

/// Roles an agent acts on, as the real counts them.
pub const INTERACTIVE: &[&str] = &[
    "button",
    "checkbox",
    "combobox",
    "link",
    "listbox",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "tab",
    "textbox",
    "treeitem",
];

const STRUCTURAL: &[&str] = &[
    "application",
    "directory",
    "document",
    "generic",
    "grid",
    "group",
    "ignored",
    "list",
    "menu",
    "menubar",
    "none",
    "presentation",
    "row",
    "rowgroup",
    "table",
    "tablist",
    "toolbar",
    "tree",
    "treegrid",
];

/// One `- role "name" [props]` line, read.
struct Line {
    role: String,
    name: Option<String>,
    /// What follows the name: ` [level=1] [ref=e2]: text`.
    suffix: String,
    reference: Option<String>,
}

fn indent(line: &str) -> usize {
    (line.len() - line.trim_start().len()) / 2
}

fn parse(line: &str) -> Option<Line> {
    let content = line.trim_start().strip_prefix("- ")?;
    let role_len = content
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(content.len());
    if role_len == 0 {
        return None;
    }
    let role = content[..role_len].to_string();
    let mut rest = &content[role_len..];
    let mut name = None;
    if let Some(quoted) = rest.strip_prefix(" \"") {
        // The name is JSON text: find its closing quote.
        let mut escaped = false;
        let end = quoted.char_indices().find(|&(_, c)| {
            let close = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            close
        });
        if let Some((end, _)) = end {
            name = serde_json::from_str::<String>(&format!("\"{}\"", &quoted[..end])).ok();
            rest = &quoted[end + 1..];
        }
    }
    let mut reference = None;
    let mut props = rest;
    while let Some(open) = props.strip_prefix(" [") {
        let Some(close) = open.find(']') else { break };
        if let Some(r) = open[..close].strip_prefix("ref=") {
            reference = Some(r.to_string());
        }
        props = &open[close + 1..];
    }
    Some(Line {
        role: role.to_lowercase(),
        name,
        suffix: rest.to_string(),
        reference,
    })
}

/// The ref a line names, if any.
pub fn line_ref(line: &str) -> Option<String> {
    parse(line)?.reference
}

fn entry(line: &Line) -> Value {
    match &line.name {
        Some(name) if !name.is_empty() => json!({"role": line.role, "name": name}),
        _ => json!({"role": line.role}),
    }
}

/// Branches kept by `compact`: lines with refs, lines with inline content, and their parents.
fn compact_tree(lines: &[String]) -> String {
    let mut keep = vec![false; lines.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let level = indent(line);
        while stack
            .last()
            .is_some_and(|&top| indent(&lines[top]) >= level)
        {
            stack.pop();
        }
        let has_ref = line_ref(line).is_some();
        keep[i] = has_ref || (line.contains(':') && !line.trim_end().ends_with(':'));
        if has_ref {
            for &parent in &stack {
                keep[parent] = true;
            }
        }
        stack.push(i);
    }
    let kept: Vec<&str> = lines
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(l, _)| l.as_str())
        .collect();
    if kept.is_empty() {
        "(empty)".into()
    } else {
        kept.join("\n")
    }
}

pub fn narrow(snapshot: &str, options: &Options) -> (String, Map<String, Value>) {
    let mut refs = Map::new();
    let deep = |line: &str| options.depth.is_some_and(|d| indent(line) as u64 > d);
    if options.interactive {
        let mut out = Vec::new();
        for line in snapshot.lines().filter(|l| !deep(l)) {
            let Some(parsed) = parse(line) else { continue };
            let Some(reference) = parsed.reference.clone() else {
                continue;
            };
            if !INTERACTIVE.contains(&parsed.role.as_str()) {
                continue;
            }
            refs.insert(reference.clone(), entry(&parsed));
            let raw_role = line.trim_start()[2..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default();
            let mut text = format!("- {raw_role}");
            if let Some(name) = parsed.name.as_ref().filter(|n| !n.is_empty()) {
                text.push_str(&format!(" {}", serde_json::to_string(name).unwrap()));
            }
            text.push_str(&format!(" [ref={reference}]"));
            text.push_str(&parsed.suffix.replace(&format!(" [ref={reference}]"), ""));
            out.push(text);
        }
        let text = if out.is_empty() {
            "(no interactive elements)".to_string()
        } else {
            out.join("\n")
        };
        return (text, refs);
    }
    let mut out = Vec::new();
    for line in snapshot.lines().filter(|l| !deep(l)) {
        let Some(parsed) = parse(line) else {
            out.push(line.to_string());
            continue;
        };
        let unnamed = parsed.name.as_deref().is_none_or(str::is_empty);
        if options.compact && STRUCTURAL.contains(&parsed.role.as_str()) && unnamed {
            continue;
        }
        if let Some(reference) = &parsed.reference {
            refs.insert(reference.clone(), entry(&parsed));
        }
        out.push(line.to_string());
    }
    let text = if options.compact {
        compact_tree(&out)
    } else if out.is_empty() {
        "(empty)".into()
    } else {
        out.join("\n")
    };
    (text, refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "- generic [active] [ref=e1]:\n  - heading \"Browser test\" [level=1] [ref=e2]\n  - paragraph [ref=e3]: A page.\n  - link \"Second page\" [ref=e4] [cursor=pointer]:\n    - /url: /two.html\n  - generic [ref=e5]:\n    - text: Name\n    - textbox \"Name\" [ref=e6]\n  - paragraph";

    #[test]
    fn lines_are_read_like_the_real_reads_them() {
        let line = parse("  - heading \"Say \\\"hi\\\"\" [level=1] [ref=e2]").unwrap();
        assert_eq!(line.role, "heading");
        assert_eq!(line.name.as_deref(), Some("Say \"hi\""));
        assert_eq!(line.reference.as_deref(), Some("e2"));
        assert_eq!(
            line_ref("  - paragraph [ref=e3]: A page."),
            Some("e3".into())
        );
        assert_eq!(line_ref("    - /url: /two.html"), None);
    }

    #[test]
    fn interactive_keeps_flat_interactive_lines() {
        let options = Options {
            interactive: true,
            compact: true,
            depth: Some(6),
        };
        let (text, refs) = narrow(PAGE, &options);
        assert_eq!(
            text,
            "- link \"Second page\" [ref=e4] [cursor=pointer]:\n- textbox \"Name\" [ref=e6]"
        );
        assert_eq!(refs.keys().collect::<Vec<_>>(), ["e4", "e6"]);
    }

    #[test]
    fn compact_drops_unnamed_structure_and_depth_cuts() {
        let options = Options {
            interactive: false,
            compact: true,
            depth: None,
        };
        let (text, _) = narrow(PAGE, &options);
        assert!(!text.contains("- generic"), "{text}");
        assert!(text.contains("- textbox \"Name\" [ref=e6]"));
        let options = Options {
            interactive: false,
            compact: false,
            depth: Some(0),
        };
        let (text, refs) = narrow(PAGE, &options);
        assert_eq!(text, "- generic [active] [ref=e1]:");
        assert_eq!(refs.len(), 1);
    }
}
