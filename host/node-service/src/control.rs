//! `node start|stop|restart` of an installed service.

use super::lifecycle::{unavailable_hints, Service};
use super::outcome::{Hint, Outcome};
use super::systemd;
use super::unit::UNIT_NAME;

fn start_hints() -> Vec<Hint> {
    vec![
        Hint::new("install", "openclaw node install"),
        Hint::new("generic", "openclaw node start"),
        Hint::new("generic", format!("systemctl --user start {UNIT_NAME}")),
    ]
}

/// No unit file: nothing to start.
fn not_installed(service: &Service, action: &'static str) -> Outcome {
    let mut hints = start_hints();
    if systemd::check_available(service.systemd).is_err() {
        hints.extend(unavailable_hints(service));
    }
    Outcome::failed(action, "Node service disabled.").with_hints(hints)
}

fn check_failed(action: &'static str, error: String) -> Outcome {
    Outcome::failed(action, format!("Node service check failed: {error}"))
}

pub fn start(service: &Service) -> Outcome {
    const ACTION: &str = "start";
    if !service.installed() {
        return not_installed(service, ACTION);
    }
    let loaded = match service.loaded() {
        Ok(loaded) => loaded,
        Err(e) => return check_failed(ACTION, e),
    };
    let state = match systemd::show(service.systemd, UNIT_NAME) {
        Ok(state) => state,
        Err(e) => return check_failed(ACTION, e),
    };
    if loaded && state.active_state == "active" {
        let message = match state.main_pid {
            Some(pid) => format!("Node service already running (pid {pid})."),
            None => "Node service already running.".into(),
        };
        return Outcome::done(ACTION, "already-running", true).with_message(message);
    }
    let fail = |e: String| {
        Outcome::failed(ACTION, format!("Node start failed: Error: {e}")).with_hints(start_hints())
    };
    service
        .systemd
        .systemctl(&["--user", "reset-failed", UNIT_NAME]);
    let run = service.systemd.systemctl(&["--user", "start", UNIT_NAME]);
    if !run.ok() {
        return fail(format!("systemctl start failed: {}", run.detail()));
    }
    if let Ok(after) = systemd::show(service.systemd, UNIT_NAME) {
        if after.active_state == "failed" {
            return fail(
                "Service failed to start (state failed). Check the service logs and retry.".into(),
            );
        }
    }
    let loaded = service.loaded().unwrap_or(loaded);
    let mut done = Outcome::done(ACTION, "started", loaded);
    done.lines = vec![format!("Started systemd service: {UNIT_NAME}")];
    done
}

pub fn stop(service: &Service) -> Outcome {
    const ACTION: &str = "stop";
    match service.loaded() {
        Ok(true) => {}
        Ok(false) => {
            return Outcome::done(ACTION, "not-loaded", false)
                .with_message("Node service disabled.")
        }
        Err(e) => return check_failed(ACTION, e),
    }
    let run = service.systemd.systemctl(&["--user", "stop", UNIT_NAME]);
    if !run.ok() {
        return Outcome::failed(
            ACTION,
            format!(
                "Node stop failed: Error: systemctl stop failed: {}",
                run.detail()
            ),
        );
    }
    let loaded = service.loaded().unwrap_or(true);
    let mut done = Outcome::done(ACTION, "stopped", loaded);
    done.lines = vec![format!("Stopped systemd service: {UNIT_NAME}")];
    done
}

pub fn restart(service: &Service) -> Outcome {
    const ACTION: &str = "restart";
    if !service.installed() {
        return not_installed(service, ACTION);
    }
    if let Err(why) = systemd::check_available(service.systemd) {
        return check_failed(ACTION, why.message());
    }
    service
        .systemd
        .systemctl(&["--user", "reset-failed", UNIT_NAME]);
    let run = service.systemd.systemctl(&["--user", "restart", UNIT_NAME]);
    if !run.ok() {
        return Outcome::failed(
            ACTION,
            format!(
                "Node restart failed: Error: systemctl restart failed: {}",
                run.detail()
            ),
        )
        .with_hints(start_hints());
    }
    let mut done = Outcome::done(ACTION, "restarted", true);
    done.lines = vec![format!("Restarted systemd service: {UNIT_NAME}")];
    done
}
