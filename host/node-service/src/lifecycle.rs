//! `node install` and `node uninstall`: write or remove the unit and its env file, and have the
//! user's systemd pick them up (daemon-reload, enable, restart; disable --now). A failed
//! activation puts back what was there before.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::env_file;
use super::outcome::{Hint, Outcome};
use super::systemd::{self, Systemd, Unavailable};
use super::unit::{self, UnitSpec, UNIT_NAME};

/// Where the service lives and who it is for.
pub struct Service<'a> {
    pub systemd: &'a dyn Systemd,
    pub home: PathBuf,
    pub state_dir: PathBuf,
    /// The account whose user manager runs the service (for the linger check).
    pub user: String,
    /// `OPENCLAW_CONTAINER[_HINT]` is set: leave out the container advice.
    pub in_container: bool,
}

impl Service<'_> {
    pub fn unit_path(&self) -> PathBuf {
        unit::unit_path(&self.home)
    }

    pub fn env_path(&self) -> PathBuf {
        env_file::env_file_path(&self.state_dir)
    }

    pub fn installed(&self) -> bool {
        self.unit_path().is_file()
    }

    /// Enabled in the user manager; no unit file means no.
    pub fn loaded(&self) -> Result<bool, String> {
        if !self.installed() {
            return Ok(false);
        }
        systemd::is_enabled(self.systemd, UNIT_NAME)
    }
}

const SYSTEMD_UNAVAILABLE: &str =
    "systemd user services are unavailable; install/enable systemd or run the gateway under your supervisor.";
const CONTAINER: &str =
    "If you're in a container, run the gateway in the foreground instead of `openclaw gateway`.";

/// The advice when the user manager cannot be reached.
pub fn unavailable_hints(service: &Service) -> Vec<Hint> {
    let mut hints = vec![Hint::new("systemd-unavailable", SYSTEMD_UNAVAILABLE)];
    if !service.in_container {
        hints.push(Hint::new("container-foreground", CONTAINER));
    }
    hints
}

/// What a failed install says to do instead: the node host, not the gateway, in the
/// foreground or under another supervisor. (The real CLI's words here speak of the gateway.)
const INSTALL_SYSTEMD_UNAVAILABLE: &str = "systemd user services are unavailable; install/enable \
     systemd, or run the node host in the foreground with `openclaw node run` under another \
     supervisor.";
const INSTALL_CONTAINER: &str = "If you're in a container, run the node host in the foreground \
     with `openclaw node run` instead of installing a service.";
const INSTALL_NO_SERVICE_MANAGER: &str = "No supported service manager detected: `openclaw node \
     install` needs systemd user services. Run the node host in the foreground with `openclaw \
     node run`, or under another supervisor (your container's init, runit, supervisord, ...).";

/// A failed install's advice: none beyond the error where systemd is not the init at all,
/// more for a headless session whose user manager is not running.
fn install_hints(service: &Service, why: &Unavailable) -> Vec<Hint> {
    if *why == Unavailable::NoServiceManager {
        return Vec::new();
    }
    let mut hints = vec![Hint::new(
        "systemd-unavailable",
        INSTALL_SYSTEMD_UNAVAILABLE,
    )];
    if !service.in_container {
        hints.push(Hint::new("container-foreground", INSTALL_CONTAINER));
    }
    if *why == Unavailable::UserBus {
        let headless = [
            "On a headless server (SSH/no desktop session): run `sudo loginctl enable-linger \
             $(whoami)` to persist your systemd user session across logins.",
            "Also ensure XDG_RUNTIME_DIR is set: `export XDG_RUNTIME_DIR=/run/user/$(id -u)`, \
             then retry.",
        ];
        for (at, text) in headless.into_iter().enumerate() {
            hints.insert(1 + at, Hint::new("systemd-headless", text));
        }
    }
    hints
}

/// Refuses to manage the service of another account: a HOME that is not ours (say, kept
/// through `sudo`) would get root-owned files and a unit no user manager of its owner runs.
fn check_home_is_ours(service: &Service, action: &str) -> Result<(), String> {
    let owner = std::fs::metadata(&service.home)
        .map_err(|e| format!("Error: cannot read HOME {}: {e}", service.home.display()))?
        .uid();
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if owner != me {
        return Err(format!(
            "Error: service management skipped: HOME {} belongs to another account (uid {owner}). \
             Rerun as that account, or with HOME set to your own home, to {action}.",
            service.home.display()
        ));
    }
    Ok(())
}

/// `managed`: the secrets for the env file, from the installing shell.
pub fn install(
    service: &Service,
    spec: &UnitSpec,
    managed: &[(String, String)],
    force: bool,
) -> Outcome {
    const ACTION: &str = "install";
    let fail = |error: String| Outcome::failed(ACTION, format!("Node install failed: {error}"));
    if let Err(why) = systemd::check_available(service.systemd) {
        let error = match why {
            Unavailable::NoServiceManager => INSTALL_NO_SERVICE_MANAGER.to_string(),
            _ => why.error_text(),
        };
        return fail(error).with_hints(install_hints(service, &why));
    }
    if let Err(e) = check_home_is_ours(service, "install the node service") {
        return fail(e);
    }
    let loaded = match service.loaded() {
        Ok(loaded) => loaded,
        Err(e) => return Outcome::failed(ACTION, format!("Node service check failed: {e}")),
    };
    if loaded && !force {
        let warnings = linger_warnings(service);
        let mut done = Outcome::done(ACTION, "already-installed", true);
        done.lines = warnings.clone();
        done.warnings = warnings;
        let mut done = done.with_message("Node service already enabled.");
        done.lines
            .push("Reinstall with: openclaw node install --force".into());
        return done;
    }
    let text = match unit::render(spec) {
        Ok(text) => text,
        Err(e) => return fail(format!("Error: {e}")),
    };
    let env_path = service.env_path();
    if !managed.is_empty() || env_path.exists() {
        if let Err(e) = env_file::install(&env_path, managed) {
            return fail(format!("Error: {e:#}"));
        }
    }
    let unit_path = service.unit_path();
    let previous = std::fs::read(&unit_path).ok();
    let backup = backup_path(&unit_path);
    let written = previous
        .as_ref()
        .map_or(Ok(()), |old| openclaw_files::write_atomically(&backup, old))
        .and_then(|()| openclaw_files::write_atomically(&unit_path, text.as_bytes()));
    if let Err(e) = written {
        return fail(format!("Error: cannot write {}: {e}", unit_path.display()));
    }
    if let Err(e) = activate(service.systemd) {
        restore(service, previous.as_deref());
        return fail(format!("Error: {e}"));
    }
    match systemd::is_enabled(service.systemd, UNIT_NAME) {
        Ok(true) => {}
        Ok(false) => {
            return Outcome::failed(
                ACTION,
                "Node install verification failed: service is not enabled.",
            )
        }
        Err(e) => return Outcome::failed(ACTION, format!("Node install verification failed: {e}")),
    }
    let warnings = linger_warnings(service);
    let mut done = Outcome::done(ACTION, "installed", true);
    done.lines = vec![
        String::new(),
        format!("Installed systemd service: {}", unit_path.display()),
    ];
    if previous.is_some() {
        done.lines
            .push(format!("Previous unit backed up to: {}", backup.display()));
    }
    done.lines.extend(warnings.iter().cloned());
    done.warnings = warnings;
    done
}

/// A user service stops at logout unless the account lingers.
fn linger_warnings(service: &Service) -> Vec<String> {
    let user = &service.user;
    if !systemd::linger_disabled(service.systemd, user) {
        return Vec::new();
    }
    vec![format!(
        "Systemd lingering is disabled for {user}. The node service will stop when you log out. \
         Run: sudo loginctl enable-linger {user}"
    )]
}

fn backup_path(unit_path: &Path) -> PathBuf {
    let mut name = unit_path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

fn missing_unit(detail: &str) -> bool {
    let detail = detail.to_lowercase();
    (detail.contains("unit file") && detail.contains("does not exist"))
        || detail.contains("not-found")
        || detail.contains("could not be found")
}

/// One `systemctl --user ACTION openclaw-node.service`, with one daemon-reload and retry when
/// the manager has not seen the unit yet.
fn unit_action(systemd: &dyn Systemd, action: &str) -> Result<(), String> {
    let mut run = systemd.systemctl(&["--user", action, UNIT_NAME]);
    if !run.ok() && missing_unit(&run.detail()) {
        systemd.systemctl(&["--user", "daemon-reload"]);
        run = systemd.systemctl(&["--user", action, UNIT_NAME]);
    }
    if run.ok() {
        return Ok(());
    }
    Err(format!("systemctl {action} failed: {}", run.detail()))
}

fn activate(systemd: &dyn Systemd) -> Result<(), String> {
    let reload = systemd.systemctl(&["--user", "daemon-reload"]);
    if !reload.ok() {
        return Err(format!(
            "systemctl daemon-reload failed: {}",
            reload.detail()
        ));
    }
    unit_action(systemd, "enable")?;
    unit_action(systemd, "restart")
}

/// Puts the unit back as it was: the previous one running again, or none at all.
fn restore(service: &Service, previous: Option<&[u8]>) {
    let unit_path = service.unit_path();
    let systemd = service.systemd;
    match previous {
        Some(old) => {
            openclaw_files::write_atomically(&unit_path, old).ok();
            systemd.systemctl(&["--user", "daemon-reload"]);
            systemd.systemctl(&["--user", "restart", UNIT_NAME]);
        }
        None => {
            std::fs::remove_file(&unit_path).ok();
            systemd.systemctl(&["--user", "daemon-reload"]);
            systemd.systemctl(&["--user", "disable", UNIT_NAME]);
            systemd.systemctl(&["--user", "stop", UNIT_NAME]);
        }
    }
}

/// What `disable --now` says about a unit that is already gone or stopped.
fn already_gone(detail: &str) -> bool {
    let detail = detail.to_lowercase();
    [
        "does not exist",
        "not loaded",
        "not-found",
        "could not be found",
        "inactive",
        "not active",
    ]
    .iter()
    .any(|m| detail.contains(m))
}

pub fn uninstall(service: &Service) -> Outcome {
    const ACTION: &str = "uninstall";
    let fail = |error: String| Outcome::failed(ACTION, format!("Node uninstall failed: {error}"));
    if let Err(why) = systemd::check_available(service.systemd) {
        return fail(why.error_text());
    }
    if let Err(e) = check_home_is_ours(service, "uninstall the node service") {
        return fail(e);
    }
    let disable = service
        .systemd
        .systemctl(&["--user", "disable", "--now", UNIT_NAME]);
    if !disable.ok() && !already_gone(&disable.detail()) {
        return fail(format!(
            "Error: systemctl disable failed: {}",
            disable.detail()
        ));
    }
    let unit_path = service.unit_path();
    let existed = unit_path.exists();
    for path in [unit_path.clone(), backup_path(&unit_path)] {
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return fail(format!("Error: cannot remove {}: {e}", path.display()));
            }
        }
    }
    if existed {
        // Without it the manager keeps the removed unit's definition until the next reload.
        service.systemd.systemctl(&["--user", "daemon-reload"]);
    }
    if let Err(e) = env_file::uninstall(&service.env_path()) {
        return fail(format!("Error: {e:#}"));
    }
    let mut done = Outcome::done(ACTION, "uninstalled", false);
    done.lines = vec![if existed {
        format!("Removed systemd service: {}", unit_path.display())
    } else {
        format!("Systemd service not found at {}", unit_path.display())
    }];
    done
}
