//! Stable names for the automation browser's tabs, as the real browser control service gives
//! them: `t1`, `t2`, ... in the order tabs are first seen, never reused while the node runs
//! (a stop and start keeps the counter), plus an optional label. A tab that went away hands its
//! name to the one tab that replaced it (the only new one, or the only new one at its URL).

use std::collections::BTreeMap;

/// A tab as the browser lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTab {
    pub target_id: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    tab_id: String,
    label: Option<String>,
    url: String,
}

/// The names a tab answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub tab_id: String,
    pub label: Option<String>,
}

impl Alias {
    /// The label if there is one, else the tab id.
    pub fn suggested(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.tab_id)
    }
}

#[derive(Debug, Default)]
pub struct TabAliases {
    next: u64,
    by_target: BTreeMap<String, Entry>,
}

/// The real service's rule for labels.
pub fn valid_label(label: &str) -> bool {
    (1..=64).contains(&label.len())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c))
}

impl TabAliases {
    /// Names `tab` (and labels it), keeping the name it has.
    pub fn assign(&mut self, tab: &LiveTab, label: Option<&str>) -> Alias {
        if let Some(label) = label {
            for entry in self.by_target.values_mut() {
                if entry.label.as_deref() == Some(label) {
                    entry.label = None;
                }
            }
        }
        let next = &mut self.next;
        let entry = self
            .by_target
            .entry(tab.target_id.clone())
            .or_insert_with(|| {
                *next += 1;
                Entry {
                    tab_id: format!("t{next}"),
                    label: None,
                    url: String::new(),
                }
            });
        if let Some(label) = label {
            entry.label = Some(label.to_string());
        }
        entry.url = tab.url.clone();
        Alias {
            tab_id: entry.tab_id.clone(),
            label: entry.label.clone(),
        }
    }

    /// Names every listed tab; names of tabs gone are moved to a sure replacement or dropped.
    pub fn sync(&mut self, tabs: &[LiveTab]) -> Vec<Alias> {
        let live = |id: &str| tabs.iter().any(|t| t.target_id == id);
        let stale: Vec<String> = self
            .by_target
            .keys()
            .filter(|id| !live(id))
            .cloned()
            .collect();
        let fresh: Vec<&LiveTab> = tabs
            .iter()
            .filter(|t| !self.by_target.contains_key(&t.target_id))
            .collect();
        for old in &stale {
            let entry = self.by_target[old].clone();
            let same_url_stale = stale
                .iter()
                .filter(|id| self.by_target.get(*id).is_some_and(|e| e.url == entry.url))
                .count();
            let replacement = if stale.len() == 1 && fresh.len() == 1 {
                Some(fresh[0])
            } else {
                let at_url: Vec<&&LiveTab> = fresh
                    .iter()
                    .filter(|t| t.url.trim() == entry.url.trim())
                    .collect();
                (at_url.len() == 1 && same_url_stale == 1).then(|| *at_url[0])
            };
            let entry = self.by_target.remove(old).expect("listed above");
            if let Some(new) = replacement {
                if !self.by_target.contains_key(&new.target_id) {
                    self.by_target.insert(new.target_id.clone(), entry);
                }
            }
        }
        tabs.iter().map(|t| self.assign(t, None)).collect()
    }

    /// Forgets a closed tab.
    pub fn forget(&mut self, target_id: &str) {
        self.by_target.remove(target_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(id: &str, url: &str) -> LiveTab {
        LiveTab {
            target_id: id.into(),
            url: url.into(),
        }
    }

    #[test]
    fn names_are_given_in_order_and_never_reused() {
        let mut aliases = TabAliases::default();
        let a = aliases.sync(&[tab("A", "http://a/"), tab("B", "http://b/")]);
        assert_eq!((a[0].tab_id.as_str(), a[1].tab_id.as_str()), ("t1", "t2"));
        aliases.forget("A");
        let c = aliases.assign(&tab("C", "http://c/"), Some("work"));
        assert_eq!((c.tab_id.as_str(), c.suggested()), ("t3", "work"));
        // A label moves to the tab last given it.
        let b = aliases.assign(&tab("B", "http://b/"), Some("work"));
        assert_eq!(b.suggested(), "work");
        assert_eq!(
            aliases.assign(&tab("C", "http://c/"), None).suggested(),
            "t3"
        );
        assert!(valid_label("a.b:c-d_1") && !valid_label("") && !valid_label("a b"));
    }

    #[test]
    fn a_replaced_tab_keeps_its_name() {
        let mut aliases = TabAliases::default();
        aliases.sync(&[tab("A", "http://a/"), tab("B", "http://b/")]);
        // One gone, one new: the new one is its replacement.
        let now = aliases.sync(&[tab("A", "http://a/"), tab("B2", "http://other/")]);
        assert_eq!(now[1].tab_id, "t2");
        // Two gone, two new: only a unique URL match carries the name.
        let now = aliases.sync(&[tab("A2", "http://a/"), tab("X", "http://x/")]);
        assert_eq!(now[0].tab_id, "t1");
        assert_eq!(now[1].tab_id, "t3");
    }
}
