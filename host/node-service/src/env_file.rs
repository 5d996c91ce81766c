//! `<state>/node.systemd.env`: the secrets the service needs, outside the unit file, read by
//! systemd through `EnvironmentFile=`. Written 0600 from its first byte.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The keys an install takes from the installing shell (the node reads the gateway token, and the
/// plaintext `ws://` opt-in, from there); everything else in the file is the user's and is kept.
pub const MANAGED_KEYS: &[&str] = &[
    "OPENCLAW_GATEWAY_TOKEN",
    "OPENCLAW_GATEWAY_PASSWORD",
    "OPENCLAW_ALLOW_INSECURE_PRIVATE_WS",
];

pub fn env_file_path(state_dir: &Path) -> PathBuf {
    openclaw_config::service_env_path(state_dir)
}

/// The managed values the installing shell has, in `MANAGED_KEYS` order.
pub fn managed_from_environment() -> Vec<(String, String)> {
    MANAGED_KEYS
        .iter()
        .filter_map(|key| {
            let value = std::env::var(key).ok().filter(|v| !v.trim().is_empty())?;
            Some((key.to_string(), value))
        })
        .collect()
}

/// Writes `managed` over the file's managed keys, keeping the user's own lines as they were.
pub fn install(path: &Path, managed: &[(String, String)]) -> Result<()> {
    for (key, value) in managed {
        if value.contains(['\r', '\n', '\0']) {
            anyhow::bail!("{key} cannot contain CR or LF characters.");
        }
    }
    let mut text = users_lines(path)?;
    for (key, value) in managed {
        text += &format!("{key}={}\n", quote(value));
    }
    write_private(path, &text)
}

/// Drops the managed keys; the file goes when nothing of the user's is left.
pub fn uninstall(path: &Path) -> Result<()> {
    let text = users_lines(path)?;
    if text.lines().all(|l| l.trim().is_empty()) {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("cannot remove {}", path.display()))
            }
            _ => Ok(()),
        };
    }
    write_private(path, &text)
}

fn users_lines(path: &Path) -> Result<String> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    Ok(existing
        .lines()
        .filter(|line| !key_of(line).is_some_and(|k| MANAGED_KEYS.contains(&k)))
        .map(|line| format!("{line}\n"))
        .collect())
}

fn key_of(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").unwrap_or(line);
    line.split_once('=').map(|(k, _)| k.trim())
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    openclaw_files::write_atomically(path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A value as systemd's env-file parser reads it back: double-quoted, with `"`, `\`, `` ` ``
/// and `$` escaped, when it holds anything but plain characters.
fn quote(value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@+,=".contains(c));
    if plain && !value.is_empty() {
        return value.to_string();
    }
    let mut quoted = String::from("\"");
    for c in value.chars() {
        if "\"\\`$".contains(c) {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Reads `KEY=value` lines as systemd does: comments and blank lines skipped, quotes removed,
/// backslash escapes inside double quotes applied.
pub fn parse(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                return None;
            }
            let (key, raw) = line.split_once('=')?;
            let key = key.trim().strip_prefix("export ").unwrap_or(key.trim());
            Some((key.trim().to_string(), unquote(raw.trim())))
        })
        .collect()
}

fn unquote(raw: &str) -> String {
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return inner.to_string();
    }
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return raw.to_string();
    };
    let mut value = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if "\"\\`$".contains(e) => value.push(e),
                Some(e) => {
                    value.push('\\');
                    value.push(e);
                }
                None => value.push('\\'),
            },
            c => value.push(c),
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_keeps_the_users_keys_and_replaces_the_managed_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = env_file_path(dir.path());
        let mine = "# mine\nHTTPS_PROXY=http://proxy:3128\nOPENCLAW_GATEWAY_TOKEN=old\n";
        openclaw_files::write_atomically(&path, mine.as_bytes()).unwrap();
        let token = "t$k \"e\" `n` \\ x".to_string();
        install(&path, &[("OPENCLAW_GATEWAY_TOKEN".into(), token.clone())]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            parse(&text),
            [
                ("HTTPS_PROXY".to_string(), "http://proxy:3128".to_string()),
                ("OPENCLAW_GATEWAY_TOKEN".into(), token)
            ]
        );
        assert!(text.starts_with("# mine\n"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        uninstall(&path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# mine\nHTTPS_PROXY=http://proxy:3128\n"
        );
    }

    #[test]
    fn the_plaintext_opt_in_is_managed_like_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = env_file_path(dir.path());
        let managed = [
            ("OPENCLAW_GATEWAY_TOKEN".to_string(), "abc".to_string()),
            ("OPENCLAW_ALLOW_INSECURE_PRIVATE_WS".into(), "1".into()),
        ];
        install(&path, &managed).unwrap();
        assert_eq!(parse(&std::fs::read_to_string(&path).unwrap()), managed);
        install(&path, &managed[..1]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "OPENCLAW_GATEWAY_TOKEN=abc\n"
        );
        uninstall(&path).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn uninstall_removes_a_file_left_with_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = env_file_path(dir.path());
        install(&path, &[("OPENCLAW_GATEWAY_TOKEN".into(), "abc".into())]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "OPENCLAW_GATEWAY_TOKEN=abc\n"
        );
        uninstall(&path).unwrap();
        assert!(!path.exists());
        uninstall(&path).unwrap();
    }

    #[test]
    fn a_line_break_cannot_add_a_variable() {
        let dir = tempfile::tempdir().unwrap();
        let path = env_file_path(dir.path());
        let err = install(
            &path,
            &[("OPENCLAW_GATEWAY_TOKEN".into(), "a\nLD_PRELOAD=/x".into())],
        )
        .unwrap_err();
        assert!(err.to_string().contains("cannot contain CR or LF"));
        assert!(!path.exists());
    }
}
