//! The node host as a systemd user service (`~/.config/systemd/user/openclaw-node.service`),
//! with the gateway token kept in `<state>/node.systemd.env`, never in the unit: install,
//! status, start, stop, restart and uninstall, each an [`Outcome`] worded as the real CLI
//! words it. systemd is reached only through [`systemd::Systemd`]; [`systemd::Host`] runs the
//! real `systemctl` and `loginctl`.

pub mod control;
pub mod env_file;
pub mod lifecycle;
pub mod outcome;
pub mod status;
pub mod systemd;
pub mod unit;

use std::path::{Path, PathBuf};

pub use lifecycle::Service;
pub use outcome::Outcome;
pub use unit::UnitSpec;

impl<'a> Service<'a> {
    /// The service of the account running this process, with its state in `state_dir`.
    pub fn for_this_user(systemd: &'a dyn systemd::Systemd, state_dir: &Path) -> Service<'a> {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/"));
        Service {
            systemd,
            home,
            state_dir: absolute(state_dir),
            user: account_name(),
            in_container: ["OPENCLAW_CONTAINER_HINT", "OPENCLAW_CONTAINER"]
                .iter()
                .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty())),
        }
    }
}

/// The fixed environment the service runs with: the account's home, a stable PATH (the
/// installing shell's may hold a session's temporary dirs), and where the state lives.
pub fn service_environment(home: &Path) -> Vec<(String, String)> {
    let home_text = home.to_string_lossy();
    let path = ["/usr/local/bin", "/usr/bin", "/bin"]
        .map(String::from)
        .into_iter()
        .chain([".local/bin", "bin"].map(|d| format!("{home_text}/{d}")))
        .collect::<Vec<_>>()
        .join(":");
    let mut environment = vec![
        ("HOME".to_string(), home_text.into_owned()),
        (
            "TMPDIR".into(),
            std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into()),
        ),
        ("PATH".into(), path),
    ];
    for key in ["OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH"] {
        if let Some(value) = std::env::var_os(key).filter(|v| !v.is_empty()) {
            let value = absolute(Path::new(&value));
            environment.push((key.into(), value.to_string_lossy().into_owned()));
        }
    }
    environment
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The account whose user manager runs the service: `$USER` (`$SUDO_USER` under sudo), else
/// the name of the effective uid.
fn account_name() -> String {
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let from_env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let named = if uid == 0 {
        from_env("SUDO_USER")
    } else {
        from_env("USER").or_else(|| from_env("LOGNAME"))
    };
    named.unwrap_or_else(|| passwd_name(uid).unwrap_or_else(|| uid.to_string()))
}

fn passwd_name(uid: libc::uid_t) -> Option<String> {
    let mut buffer = vec![0 as libc::c_char; 4096];
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: the buffers outlive the call, and `found` points into them only on success.
    let rc = unsafe {
        libc::getpwuid_r(
            uid,
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() {
        return None;
    }
    // SAFETY: on success pw_name is a NUL-terminated string inside `buffer`.
    let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests;
