//! The user's systemd, behind a trait: the real one runs `systemctl` and `loginctl`, tests
//! record the calls. Failures are classified the way the messages and hints need them.

use std::process::Command;

/// What one `systemctl`/`loginctl` run answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    /// None when the program could not be started.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// stderr then stdout, trimmed, as the messages quote it.
    pub fn detail(&self) -> String {
        format!("{} {}", self.stderr.trim(), self.stdout.trim())
            .trim()
            .to_string()
    }
}

pub trait Systemd {
    /// `systemctl ARGS` (the args carry `--user` or `--system`).
    fn systemctl(&self, args: &[&str]) -> Run;
    /// `loginctl ARGS`.
    fn loginctl(&self, args: &[&str]) -> Run;
}

/// The machine's own systemd.
pub struct Host;

impl Systemd for Host {
    fn systemctl(&self, args: &[&str]) -> Run {
        run("systemctl", args)
    }

    fn loginctl(&self, args: &[&str]) -> Run {
        run("loginctl", args)
    }
}

fn run(program: &str, args: &[&str]) -> Run {
    match Command::new(program)
        .args(args)
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .output()
    {
        Ok(out) => Run {
            code: Some(out.status.code().unwrap_or(-1)),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        },
        Err(e) => Run {
            code: None,
            stdout: String::new(),
            stderr: e.to_string(),
        },
    }
}

/// Why the user's systemd cannot manage the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// No `systemctl` on PATH.
    MissingSystemctl,
    /// systemd is not this machine's init (a container, WSL without systemd, ...).
    NoServiceManager,
    /// systemd runs, but this session cannot reach the user manager.
    UserBus,
    /// Something else, quoted.
    Other(String),
}

impl Unavailable {
    pub fn message(&self) -> String {
        match self {
            Unavailable::MissingSystemctl => {
                "systemctl not available; systemd user services are required on Linux.".into()
            }
            Unavailable::NoServiceManager => "No supported service manager detected. Restart \
                 the Gateway you launched manually after the update."
                .into(),
            Unavailable::UserBus => "The systemd user session bus is unavailable. Check \
                 XDG_RUNTIME_DIR for the service account. Log in once or enable the user \
                 manager with sudo loginctl enable-linger <user>, then verify systemctl --user \
                 status. On Debian/Ubuntu, install dbus-user-session and run systemctl --user \
                 start dbus.socket if the runtime bus is missing."
                .into(),
            Unavailable::Other(detail) => format!("systemctl --user unavailable: {detail}"),
        }
    }

    /// The JSON `inspectionReason`, where the real names one.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Unavailable::NoServiceManager => Some("service-manager-unavailable"),
            Unavailable::UserBus => Some("systemd-user-bus-unavailable"),
            _ => None,
        }
    }

    /// The error as the install and uninstall failures print it (a JavaScript error's name
    /// first, as the real does).
    pub fn error_text(&self) -> String {
        match self {
            Unavailable::NoServiceManager | Unavailable::UserBus => {
                format!("ServiceInspectionError: {}", self.message())
            }
            _ => format!("Error: {}", self.message()),
        }
    }
}

const BUS_FAILURES: [&str; 6] = [
    "failed to connect to bus",
    "no medium found",
    "xdg_runtime_dir",
    "dbus_session_bus_address",
    "not been booted with systemd",
    "failed to get d-bus connection",
];

fn is_bus_failure(detail: &str) -> bool {
    let detail = detail.to_lowercase();
    BUS_FAILURES.iter().any(|m| detail.contains(m))
}

/// `systemctl --user status` as a probe: a running manager answers, even degraded.
pub fn check_available(systemd: &dyn Systemd) -> Result<(), Unavailable> {
    let probe = systemd.systemctl(&["--user", "status"]);
    if probe.code.is_none() {
        return Err(Unavailable::MissingSystemctl);
    }
    let detail = probe.detail();
    if probe.ok() || (!detail.is_empty() && !is_bus_failure(&detail)) {
        return Ok(());
    }
    if !is_bus_failure(&detail) {
        return Err(Unavailable::Other(detail));
    }
    let system = systemd.systemctl(&["--system", "is-system-running"]);
    let offline = system.stdout.trim() == "offline"
        || system
            .stderr
            .contains("System has not been booted with systemd");
    if offline {
        Err(Unavailable::NoServiceManager)
    } else {
        Err(Unavailable::UserBus)
    }
}

/// Whether the unit is enabled; a unit file that `is-enabled` calls disabled, static-less or
/// unknown is not.
pub fn is_enabled(systemd: &dyn Systemd, unit: &str) -> Result<bool, String> {
    let run = systemd.systemctl(&["--user", "is-enabled", unit]);
    if run.ok() {
        return Ok(true);
    }
    let detail = run.detail();
    let lower = detail.to_lowercase();
    let not_enabled = [
        "disabled",
        "static",
        "indirect",
        "masked",
        "not-found",
        "could not be found",
        "failed to get unit file state",
    ];
    if run.code.is_some()
        && !is_bus_failure(&detail)
        && not_enabled.iter().any(|m| lower.contains(m))
    {
        return Ok(false);
    }
    Err(match check_available(systemd) {
        Err(unavailable) => unavailable.message(),
        Ok(()) => format!("systemctl is-enabled unavailable: {detail}"),
    })
}

/// `systemctl --user show`'s view of the unit, as `status` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitState {
    pub load_state: String,
    pub active_state: String,
    pub sub_state: String,
    pub result: String,
    pub main_pid: Option<u64>,
    pub exec_main_status: Option<i64>,
    pub exec_main_code: Option<String>,
    pub kill_mode: Option<String>,
    pub tasks_current: Option<u64>,
    pub memory_current: Option<u64>,
    pub n_restarts: Option<u64>,
    pub start_limit_burst: Option<u64>,
    pub id: Option<String>,
}

pub const SHOW_PROPERTIES: &str = "Id,LoadState,ActiveState,SubState,Result,NRestarts,\
                                   StartLimitBurst,MainPID,ExecMainStatus,ExecMainCode,KillMode,\
                                   TasksCurrent,MemoryCurrent";

pub fn show(systemd: &dyn Systemd, unit: &str) -> Result<UnitState, String> {
    let run = systemd.systemctl(&[
        "--user",
        "show",
        unit,
        "--no-page",
        "--property",
        SHOW_PROPERTIES,
    ]);
    if !run.ok() {
        let text = if run.stderr.trim().is_empty() {
            &run.stdout
        } else {
            &run.stderr
        };
        return Err(text.trim().to_string());
    }
    Ok(parse_show(&run.stdout))
}

fn parse_show(text: &str) -> UnitState {
    let mut state = UnitState::default();
    let number = |v: &str| v.parse::<u64>().ok();
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_lowercase().as_str() {
            "id" => state.id = Some(value.into()),
            "loadstate" => state.load_state = value.into(),
            "activestate" => state.active_state = value.into(),
            "substate" => state.sub_state = value.into(),
            "result" => state.result = value.into(),
            "mainpid" => state.main_pid = number(value).filter(|pid| *pid > 0),
            "execmainstatus" => state.exec_main_status = value.parse().ok(),
            "execmaincode" => {
                state.exec_main_code = Some(value.to_string()).filter(|v| !v.is_empty())
            }
            "killmode" => state.kill_mode = Some(value.to_string()).filter(|v| !v.is_empty()),
            "taskscurrent" => state.tasks_current = number(value),
            "memorycurrent" => state.memory_current = number(value),
            "nrestarts" => state.n_restarts = number(value),
            "startlimitburst" => state.start_limit_burst = number(value),
            _ => {}
        }
    }
    state
}

/// `Linger=no` for this user: the service stops when they log out.
pub fn linger_disabled(systemd: &dyn Systemd, user: &str) -> bool {
    let run = systemd.loginctl(&["show-user", user, "-p", "Linger"]);
    run.ok()
        && run
            .stdout
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Linger="))
            .any(|v| v.trim().eq_ignore_ascii_case("no"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_output_is_read_as_systemd_prints_it() {
        let state = parse_show(
            "Id=openclaw-node.service\nLoadState=loaded\nActiveState=active\nSubState=running\n\
             Result=success\nNRestarts=2\nStartLimitBurst=10\nMainPID=4242\nExecMainStatus=0\n\
             ExecMainCode=0\nKillMode=mixed\nTasksCurrent=[not set]\nMemoryCurrent=52428800\n",
        );
        assert_eq!(state.main_pid, Some(4242));
        assert_eq!(state.tasks_current, None);
        assert_eq!(state.memory_current, Some(52_428_800));
        assert_eq!(state.n_restarts, Some(2));
        assert_eq!(parse_show("MainPID=0\n").main_pid, None);
    }
}
