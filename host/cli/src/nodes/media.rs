//! What the media commands fetch, kept and shown as the real CLI does: files written
//! atomically (0600) into a private temp dir, `<tmp>/openclaw` (0700; `<tmp>/openclaw-<uid>`
//! when that one is not this user's own private dir), named `openclaw-<kind>-<uuid>.<ext>`,
//! and printed as bare paths with the home shown as `~`.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use base64::Engine;
use serde_json::Value;

/// Writes the payload's media to a new file `openclaw-<kind>-<uuid>.<ext>` in the media dir.
pub fn save(payload: &Value, kind: &str, ext: &str) -> Result<PathBuf> {
    let path = media_dir()?.join(format!("openclaw-{kind}-{}.{ext}", uuid::Uuid::new_v4()));
    save_to(payload, &path)?;
    Ok(path)
}

/// Writes the payload's media to `path` exactly (`--out`).
pub fn save_to(payload: &Value, path: &Path) -> Result<()> {
    let data = base64::engine::general_purpose::STANDARD
        .decode(payload["base64"].as_str().unwrap_or_default())
        .context("the node sent media that is not base64")?;
    openclaw_files::write_atomically(path, &data)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// `path` with the home (`OPENCLAW_HOME`, else `HOME`) shown as `~`.
pub fn shown(path: &Path) -> String {
    let home = std::env::var_os("OPENCLAW_HOME")
        .or_else(|| std::env::var_os("HOME"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    match home.as_deref().and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".into(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

fn media_dir() -> Result<PathBuf> {
    media_dir_in(&std::env::temp_dir())
}

fn media_dir_in(tmp: &Path) -> Result<PathBuf> {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    for dir in [tmp.join("openclaw"), tmp.join(format!("openclaw-{uid}"))] {
        openclaw_files::private_dir(&dir).ok();
        // Another user may have made it first, or left a link in its place.
        let private = std::fs::symlink_metadata(&dir)
            .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0);
        if private {
            return Ok(dir);
        }
    }
    bail!(
        "no private dir for media under {}: {}/openclaw is not this user's own",
        tmp.display(),
        tmp.display()
    )
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn uid() -> u32 {
        // SAFETY: getuid has no preconditions.
        unsafe { libc::getuid() }
    }

    #[test]
    fn the_media_dir_is_made_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = media_dir_in(tmp.path()).unwrap();
        assert_eq!(dir, tmp.path().join("openclaw"));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn a_planted_link_or_an_open_dir_is_passed_over() {
        // Another user's link in the shared temp dir, to a dir they read.
        let tmp = tempfile::tempdir().unwrap();
        let theirs = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(theirs.path(), tmp.path().join("openclaw")).unwrap();
        let dir = media_dir_in(tmp.path()).unwrap();
        assert_eq!(dir, tmp.path().join(format!("openclaw-{}", uid())));

        // A dir others may write into.
        let tmp = tempfile::tempdir().unwrap();
        let open = tmp.path().join("openclaw");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_ne!(media_dir_in(tmp.path()).unwrap(), open);

        // Both names taken: no dir, rather than an unsafe one.
        let other = tmp.path().join(format!("openclaw-{}", uid()));
        std::fs::remove_dir(&other).unwrap();
        std::os::unix::fs::symlink(theirs.path(), &other).unwrap();
        assert!(media_dir_in(tmp.path()).is_err());
    }
}
