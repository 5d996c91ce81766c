//! The `--commands` allowlist, saved in `node.json` as `commands`: exact command ids (no
//! patterns). As the real node host: only the plugins' commands it names are advertised, with
//! the caps of the plugins that keep one; invokes of any other command are refused; and a list
//! that keeps nothing stops the node at startup.

use std::collections::BTreeSet;
use std::sync::Arc;

use openclaw_runtime::PluginSet;

/// The real's words for an invoke of a command the allowlist hides.
pub const NOT_ADVERTISED: &str = "command not advertised by this node";

/// `None` advertises every command the plugins serve. Shared, as every invoke checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandAllowlist(Option<Arc<BTreeSet<String>>>);

/// What the node declares: caps and commands, each sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surface {
    pub caps: Vec<String>,
    pub commands: Vec<String>,
}

impl CommandAllowlist {
    /// Every command.
    pub fn all() -> CommandAllowlist {
        CommandAllowlist(None)
    }

    /// Only `ids`, trimmed.
    pub fn only<I: IntoIterator<Item = S>, S: AsRef<str>>(ids: I) -> CommandAllowlist {
        let ids = ids.into_iter().map(|id| id.as_ref().trim().to_string());
        CommandAllowlist(Some(Arc::new(ids.collect())))
    }

    pub fn is_restricted(&self) -> bool {
        self.0.is_some()
    }

    pub fn allows(&self, command: &str) -> bool {
        self.0.as_ref().is_none_or(|ids| ids.contains(command))
    }

    /// The plugin set's surface, less what the allowlist hides.
    pub fn surface(&self, set: &PluginSet) -> Surface {
        self.filter(set.plugins().map(|p| {
            let commands = p.surface.commands.iter().map(|c| c.name.as_str());
            (p.surface.caps.as_slice(), commands.collect())
        }))
    }

    /// Each plugin as its caps and commands: the commands allowed, and the caps of a plugin
    /// only while one of its commands is (a cap with no command behind it would be a claim
    /// the node cannot serve).
    fn filter<'a>(&self, plugins: impl Iterator<Item = (&'a [String], Vec<&'a str>)>) -> Surface {
        let (mut caps, mut commands) = (BTreeSet::new(), BTreeSet::new());
        for (plugin_caps, plugin_commands) in plugins {
            let kept: Vec<&str> = plugin_commands
                .into_iter()
                .filter(|c| self.allows(c))
                .collect();
            if !kept.is_empty() || !self.is_restricted() {
                caps.extend(plugin_caps.iter().cloned());
            }
            commands.extend(kept.into_iter().map(String::from));
        }
        Surface {
            caps: caps.into_iter().collect(),
            commands: commands.into_iter().collect(),
        }
    }

    /// A restricted list that keeps none of the served commands cannot start, in the real's
    /// words.
    pub fn check(&self, surface: &Surface) -> Result<(), String> {
        match &self.0 {
            Some(ids) if surface.commands.is_empty() => {
                let requested = match ids.iter().cloned().collect::<Vec<_>>().join(", ") {
                    none if none.is_empty() => "(empty allowlist)".to_string(),
                    some => some,
                };
                Err(format!("Node command allowlist retained no available commands. Unknown or unavailable ids: {requested}. Check --commands and enable the plugin that provides each command."))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keeps_exact_ids_and_the_caps_of_plugins_that_keep_one() {
        let (system, fixture) = (caps(&["system"]), caps(&["fixture"]));
        let plugins = || {
            [
                (system.as_slice(), vec!["system.run", "system.which"]),
                (fixture.as_slice(), vec!["fixture.echo"]),
            ]
            .into_iter()
        };
        let only = CommandAllowlist::only([" system.which", "system.*", "nope"]);
        let surface = only.filter(plugins());
        assert_eq!(surface.commands, ["system.which"]);
        assert_eq!(surface.caps, ["system"]);
        assert!(only.allows("system.which") && !only.allows("system.run"));
        assert!(only.check(&surface).is_ok());

        let all = CommandAllowlist::all().filter(plugins());
        assert_eq!(all.commands, ["fixture.echo", "system.run", "system.which"]);
        assert_eq!(all.caps, ["fixture", "system"]);
        assert!(CommandAllowlist::all().allows("anything"));
    }

    #[test]
    fn a_list_that_keeps_nothing_says_what_it_asked_for() {
        let only = CommandAllowlist::only(["b.x", "a.y"]);
        assert_eq!(
            only.check(&Surface::default()).unwrap_err(),
            "Node command allowlist retained no available commands. Unknown or unavailable ids: a.y, b.x. Check --commands and enable the plugin that provides each command."
        );
        assert!(CommandAllowlist::all().check(&Surface::default()).is_ok());
    }
}
