//! The `fs` grant: the roots an operator opens to one plugin, as `plugin-grants.toml` names
//! them under `[plugins.NAME.fs]`, and the absolute roots the capability works in.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The directories the `fs` capability opens for one plugin, named as the real node's file
/// policy names them. `~` stands for the node user's home.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FsGrant {
    #[serde(default)]
    pub allow_read_paths: Vec<String>,
    #[serde(default)]
    pub allow_write_paths: Vec<String>,
    /// Whether a path may pass through links (inside a root); off unless granted.
    #[serde(default)]
    pub follow_symlinks: bool,
}

/// The roots of one plugin's `fs` grant, absolute: where it may read and where it may write.
/// Either kind lets it look an entry up (its kind, size and identity).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FsRoots {
    pub read: Vec<PathBuf>,
    pub write: Vec<PathBuf>,
    pub follow_symlinks: bool,
}

impl FsGrant {
    /// The roots, with `~` expanded to `home`. Only absolute roots count: a relative one would
    /// depend on the node's working directory, so it opens nothing.
    pub fn roots(&self, home: &Path) -> FsRoots {
        let expand = |paths: &[String]| -> Vec<PathBuf> {
            paths
                .iter()
                .map(|p| match p.strip_prefix('~') {
                    Some(rest) => home.join(rest.trim_start_matches('/')),
                    None => PathBuf::from(p),
                })
                .filter(|root| root.is_absolute())
                .collect()
        };
        FsRoots {
            read: expand(&self.allow_read_paths),
            write: expand(&self.allow_write_paths),
            follow_symlinks: self.follow_symlinks,
        }
    }
}
