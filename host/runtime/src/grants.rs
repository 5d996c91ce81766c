//! Which host capabilities each plugin may use. The operator writes them in a TOML file:
//!
//! ```toml
//! [plugins.my-plugin]
//! capabilities = ["log", "exec"]
//! ```
//!
//! Built-in plugins come with their own defaults; a file entry replaces them. Defaults belong
//! to the plugins embedded in the binary only: a plugin file gets exactly what its entry names,
//! whatever its file name, so a `system.wasm` dropped into the plugins dir is no `system`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::capabilities::fs::grant::{FsGrant, FsRoots};

#[derive(Debug, thiserror::Error)]
pub enum GrantsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid grants file: {message}")]
    Parse { path: String, message: String },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grants {
    /// Where the operator edits grants (named in error messages).
    pub path: Option<PathBuf>,
    file: BTreeMap<String, BTreeSet<String>>,
    defaults: BTreeMap<String, BTreeSet<String>>,
    fs: BTreeMap<String, FsGrant>,
    fs_defaults: BTreeMap<String, FsGrant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantsFile {
    #[serde(default)]
    plugins: BTreeMap<String, PluginGrants>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginGrants {
    #[serde(default)]
    capabilities: Vec<String>,
    #[serde(default)]
    fs: Option<FsGrant>,
}

impl Grants {
    /// Reads `path`; a missing file grants nothing beyond the defaults.
    pub fn load(path: &Path) -> Result<Grants, GrantsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(GrantsError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let parsed: GrantsFile = toml::from_str(&text).map_err(|e| GrantsError::Parse {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        // A misspelt capability would grant nothing and fail later, far from the typo.
        let known = crate::capabilities::names();
        for (plugin, g) in &parsed.plugins {
            if let Some(unknown) = g.capabilities.iter().find(|c| !known.contains(&c.as_str())) {
                return Err(GrantsError::Parse {
                    path: path.display().to_string(),
                    message: format!(
                        "[plugins.{plugin}] names an unknown capability {unknown:?}; the known ones are {}",
                        known.join(", ")
                    ),
                });
            }
        }
        let fs = parsed
            .plugins
            .iter()
            .filter_map(|(name, g)| Some((name.clone(), g.fs.clone()?)))
            .collect();
        Ok(Grants {
            path: Some(path.to_path_buf()),
            file: parsed
                .plugins
                .into_iter()
                .map(|(name, g)| (name, g.capabilities.into_iter().collect()))
                .collect(),
            defaults: BTreeMap::new(),
            fs,
            fs_defaults: BTreeMap::new(),
        })
    }

    /// The file read again, with the same defaults for the built-ins; a missing file grants
    /// the defaults only, as at start.
    pub fn reload(&self) -> Result<Grants, GrantsError> {
        let Some(path) = &self.path else {
            return Ok(self.clone());
        };
        let mut fresh = Grants::load(path)?;
        fresh.defaults = self.defaults.clone();
        fresh.fs_defaults = self.fs_defaults.clone();
        Ok(fresh)
    }

    /// Grants a built-in plugin has unless the file says otherwise.
    pub fn with_default(mut self, plugin: &str, capabilities: &[&str]) -> Grants {
        self.defaults.insert(
            plugin.to_string(),
            capabilities.iter().map(|c| c.to_string()).collect(),
        );
        self
    }

    /// What `plugin` may use: its file entry, else (for an embedded built-in only) its defaults.
    fn of(&self, plugin: &str, builtin: bool) -> Option<&BTreeSet<String>> {
        self.file
            .get(plugin)
            .or_else(|| self.defaults.get(plugin).filter(|_| builtin))
    }

    /// Read roots a built-in plugin has unless the file has an entry for it (built-ins write
    /// nowhere unless the operator grants it).
    pub fn with_default_fs(mut self, plugin: &str, read_paths: &[&str]) -> Grants {
        let grant = FsGrant {
            allow_read_paths: read_paths.iter().map(|p| p.to_string()).collect(),
            allow_write_paths: Vec::new(),
            follow_symlinks: false,
        };
        self.fs_defaults.insert(plugin.to_string(), grant);
        self
    }

    /// The roots of `plugin`'s `fs` grant, with `~` expanded to `home`: its file entry's,
    /// else (for an embedded built-in only) its defaults. Only absolute roots count.
    pub fn fs_roots(&self, plugin: &str, builtin: bool, home: &Path) -> FsRoots {
        let grant = if self.file.contains_key(plugin) {
            self.fs.get(plugin)
        } else {
            self.fs_defaults.get(plugin).filter(|_| builtin)
        };
        let Some(grant) = grant else {
            return FsRoots::default();
        };
        grant.roots(home)
    }

    pub fn granted(&self, plugin: &str, builtin: bool, capability: &str) -> bool {
        self.of(plugin, builtin)
            .is_some_and(|granted| granted.contains(capability))
    }

    /// The capabilities given `plugin`, in the host's order: the key of its linker.
    pub fn granted_set(&self, plugin: &str, builtin: bool) -> Vec<&'static str> {
        crate::capabilities::names()
            .into_iter()
            .filter(|c| self.granted(plugin, builtin, c))
            .collect()
    }

    /// The line an operator adds to grant `capability` to `plugin`.
    pub fn how_to_grant(&self, plugin: &str, builtin: bool, capability: &str) -> String {
        let mut listed: Vec<String> = self
            .of(plugin, builtin)
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default();
        listed.push(capability.to_string());
        let list = listed
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let file = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the grants file".into());
        format!("add `capabilities = [{list}]` under `[plugins.{plugin}]` in {file}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_capability_is_refused_naming_the_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grants.toml");
        std::fs::write(
            &path,
            "[plugins.demo]\ncapabilities = [\"log\", \"exce\"]\n",
        )
        .unwrap();
        let e = Grants::load(&path).unwrap_err().to_string();
        assert!(
            e.contains(
                "[plugins.demo] names an unknown capability \"exce\"; the known ones are log, exec"
            ),
            "{e}"
        );
    }

    #[test]
    fn file_entries_replace_defaults_and_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grants.toml");
        std::fs::write(&path, "[plugins.demo]\ncapabilities = [\"log\"]\n").unwrap();
        let grants = Grants::load(&path)
            .unwrap()
            .with_default("system", &["log", "exec"])
            .with_default("demo", &["exec"]);
        assert!(grants.granted("demo", true, "log"));
        assert!(
            !grants.granted("demo", true, "exec"),
            "the file replaces the default"
        );
        assert!(grants.granted("system", true, "exec"));
        assert!(
            !grants.granted("system", false, "exec"),
            "a plugin file named like a built-in gets no defaults"
        );
        assert!(!grants.granted("other", true, "log"));
        assert_eq!(
            grants.how_to_grant("system", false, "exec"),
            format!(
                "add `capabilities = [\"exec\"]` under `[plugins.system]` in {}",
                path.display()
            )
        );
        let hint = grants.how_to_grant("demo", true, "exec");
        assert!(
            hint.starts_with("add `capabilities = [\"log\", \"exec\"]` under `[plugins.demo]` in "),
            "{hint}"
        );

        openclaw_files::write_atomically(
            &path,
            b"[plugins.lister]\ncapabilities = [\"fs\"]\nfs = { allowReadPaths = [\"~/docs\", \"/srv\", \"rel\"], allowWritePaths = [\"~/out\"], followSymlinks = true }\n",
        )
        .unwrap();
        let home = Path::new("/home/u");
        let grants = Grants::load(&path)
            .unwrap()
            .with_default_fs("lister", &["~"])
            .with_default_fs("files", &["~"]);
        assert_eq!(
            grants.fs_roots("lister", true, home),
            FsRoots {
                read: vec![PathBuf::from("/home/u/docs"), PathBuf::from("/srv")],
                write: vec![PathBuf::from("/home/u/out")],
                follow_symlinks: true,
            },
            "the file entry replaces the default; a relative root opens nothing"
        );
        assert_eq!(
            grants.fs_roots("files", true, home),
            FsRoots {
                read: vec![PathBuf::from("/home/u")],
                write: vec![],
                follow_symlinks: false,
            }
        );
        assert!(
            grants.fs_roots("files", false, home) == FsRoots::default(),
            "a plugin file named like a built-in gets no default roots"
        );

        std::fs::write(&path, "[plugins.demo]\ncapabilites = []\n").unwrap();
        let err = Grants::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("not a valid grants file") && err.contains("capabilites"),
            "{err}"
        );
    }
}
