//! Which local files a browser upload may hand to a page, by the real service's rule: files in
//! the upload dir (a relative path is taken from there) or directly in the inbound media dir
//! (also named `media://inbound/<name>`). Everything else, and every failure on the way, gets
//! the one message the real service gives.
//!
//! Neither dir is shared with other users, but a path still goes through no link at all (not
//! even one pointing back inside) and names a regular file with no other name: a hard link
//! could be another name for a private file, such as the node's keys.

use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone)]
pub struct UploadRoots {
    pub uploads: PathBuf,
    pub inbound: PathBuf,
}

impl UploadRoots {
    /// Under a node's or gateway's state dir.
    pub fn in_state_dir(state: &Path) -> UploadRoots {
        UploadRoots {
            uploads: state.join("browser").join("uploads"),
            inbound: state.join("media").join("inbound"),
        }
    }

    /// The message every refused path gets, as the real service words it.
    pub fn refusal(&self) -> String {
        format!(
            "Invalid path: must stay within inbound media directory ({})",
            self.inbound.display()
        )
    }

    /// The checked absolute path of the file `requested` names.
    pub fn resolve(&self, requested: &str) -> Result<PathBuf, String> {
        if let Some(rest) = requested.strip_prefix("media://") {
            let (place, name) = rest.split_once('/').unwrap_or((rest, ""));
            if place != "inbound" {
                return Err(format!("Unsupported media reference location: {place}"));
            }
            return self.inbound_child(name).ok_or_else(|| self.refusal());
        }
        let path = Path::new(requested);
        let (root, below) = if path.is_absolute() {
            if let Ok(below) = path.strip_prefix(&self.uploads) {
                (&self.uploads, below)
            } else {
                return path
                    .parent()
                    .filter(|parent| *parent == self.inbound)
                    .and_then(|_| path.file_name()?.to_str())
                    .and_then(|name| self.inbound_child(name))
                    .ok_or_else(|| self.refusal());
            }
        } else {
            (&self.uploads, path)
        };
        walk(root, below).ok_or_else(|| self.refusal())
    }

    fn inbound_child(&self, name: &str) -> Option<PathBuf> {
        walk(&self.inbound, Path::new(name)).filter(|p| p.parent() == Some(&self.inbound))
    }
}

/// `root` joined with `below`, when every step is a plain name, no step is a link and the
/// end is a regular file with one name.
fn walk(root: &Path, below: &Path) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    let mut steps = below.components().peekable();
    steps.peek()?;
    for step in steps {
        let Component::Normal(name) = step else {
            return None;
        };
        path.push(name);
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if meta.file_type().is_symlink() {
            return None;
        }
    }
    let meta = std::fs::symlink_metadata(&path).ok()?;
    (meta.is_file() && meta.nlink() == 1).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> (tempfile::TempDir, UploadRoots) {
        let state = tempfile::tempdir().unwrap();
        let roots = UploadRoots::in_state_dir(state.path());
        crate::private_dir(&roots.uploads.join("sub")).unwrap();
        crate::private_dir(&roots.inbound).unwrap();
        crate::write_atomically(&roots.uploads.join("a.txt"), b"a").unwrap();
        crate::write_atomically(&roots.uploads.join("sub/b.txt"), b"b").unwrap();
        crate::write_atomically(&roots.inbound.join("c.png"), b"c").unwrap();
        (state, roots)
    }

    #[test]
    fn files_in_the_upload_dir_and_inbound_media_pass() {
        let (_state, r) = roots();
        assert_eq!(r.resolve("a.txt").unwrap(), r.uploads.join("a.txt"));
        assert_eq!(r.resolve("sub/b.txt").unwrap(), r.uploads.join("sub/b.txt"));
        let abs = r.uploads.join("a.txt");
        assert_eq!(r.resolve(abs.to_str().unwrap()).unwrap(), abs);
        let inbound = r.inbound.join("c.png");
        assert_eq!(r.resolve(inbound.to_str().unwrap()).unwrap(), inbound);
        assert_eq!(r.resolve("media://inbound/c.png").unwrap(), inbound);
    }

    #[test]
    fn escapes_links_and_other_names_are_refused() {
        let (state, r) = roots();
        let secret = state.path().join("secret.key");
        crate::write_atomically(&secret, b"key").unwrap();
        std::os::unix::fs::symlink(&secret, r.uploads.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(state.path(), r.uploads.join("state")).unwrap();
        std::fs::hard_link(&secret, r.uploads.join("hard.txt")).unwrap();
        crate::private_dir(&r.inbound.join("deeper")).unwrap();
        crate::write_atomically(&r.inbound.join("deeper/d.txt"), b"d").unwrap();
        let outside = secret.to_str().unwrap().to_string();
        let deeper = r.inbound.join("deeper/d.txt");
        for bad in [
            "../../secret.key",
            "sub/../../../secret.key",
            "link.txt",
            "state/secret.key",
            "hard.txt",
            "missing.txt",
            "sub",
            "",
            outside.as_str(),
            deeper.to_str().unwrap(),
            "media://inbound/../secret.key",
            "media://inbound/deeper/d.txt",
        ] {
            assert_eq!(r.resolve(bad), Err(r.refusal()), "{bad:?} passed");
        }
        assert_eq!(
            r.resolve("media://outbound/x"),
            Err("Unsupported media reference location: outbound".into())
        );
    }
}
