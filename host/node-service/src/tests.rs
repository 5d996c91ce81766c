//! The service commands against a recording systemd: the order of calls, what is written and
//! what is put back when systemd refuses.

use std::cell::RefCell;
use std::os::unix::fs::PermissionsExt;

use super::lifecycle::{self, Service};
use super::systemd::{Run, Systemd};
use super::unit::UnitSpec;
use super::{control, status};

/// Answers each call from `answer` and remembers it.
struct Recorder {
    calls: RefCell<Vec<String>>,
    answer: Box<dyn Fn(&str) -> Run>,
}

fn ok(stdout: &str) -> Run {
    Run {
        code: Some(0),
        stdout: stdout.into(),
        stderr: String::new(),
    }
}

fn err(code: i32, stderr: &str) -> Run {
    Run {
        code: Some(code),
        stdout: String::new(),
        stderr: stderr.into(),
    }
}

impl Recorder {
    /// A working user manager where the unit is enabled once installed and is running.
    fn working() -> Recorder {
        Recorder::with(|call| match call {
            c if c.starts_with("systemctl --user show") => {
                ok("LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\n")
            }
            c if c.starts_with("loginctl") => ok("Linger=no\n"),
            _ => ok(""),
        })
    }

    fn with(answer: impl Fn(&str) -> Run + 'static) -> Recorder {
        Recorder {
            calls: RefCell::new(Vec::new()),
            answer: Box::new(answer),
        }
    }

    fn record(&self, call: String) -> Run {
        let run = (self.answer)(&call);
        self.calls.borrow_mut().push(call);
        run
    }

    fn take(&self) -> Vec<String> {
        self.calls.take()
    }
}

impl Systemd for Recorder {
    fn systemctl(&self, args: &[&str]) -> Run {
        self.record(format!("systemctl {}", args.join(" ")))
    }

    fn loginctl(&self, args: &[&str]) -> Run {
        self.record(format!("loginctl {}", args.join(" ")))
    }
}

fn service_in<'a>(systemd: &'a Recorder, home: &std::path::Path) -> Service<'a> {
    Service {
        systemd,
        home: home.to_path_buf(),
        state_dir: home.join(".openclaw"),
        user: "alice".into(),
        in_container: false,
    }
}

fn spec(service: &Service) -> UnitSpec {
    UnitSpec {
        program_arguments: vec!["/usr/bin/openclaw".into(), "node".into(), "run".into()],
        environment: vec![("HOME".into(), service.home.to_string_lossy().into())],
        environment_file: service.env_path().to_string_lossy().into(),
    }
}

fn token() -> Vec<(String, String)> {
    vec![("OPENCLAW_GATEWAY_TOKEN".into(), "s3cret-token".into())]
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

const UNIT: &str = "openclaw-node.service";

#[test]
fn install_writes_then_reloads_enables_and_restarts() {
    let home = tempfile::tempdir().unwrap();
    let systemd = Recorder::working();
    let service = service_in(&systemd, home.path());
    let done = lifecycle::install(&service, &spec(&service), &token(), false);
    assert!(done.ok, "{done:?}");
    assert_eq!(done.result, Some("installed"));
    assert_eq!(
        systemd.take(),
        [
            "systemctl --user status".to_string(),
            "systemctl --user daemon-reload".into(),
            format!("systemctl --user enable {UNIT}"),
            format!("systemctl --user restart {UNIT}"),
            format!("systemctl --user is-enabled {UNIT}"),
            "loginctl show-user alice -p Linger".into(),
        ]
    );
    let unit = std::fs::read_to_string(service.unit_path()).unwrap();
    assert!(!unit.contains("s3cret"), "the token stays out of the unit");
    assert_eq!(mode(&service.unit_path()), 0o600);
    let env = std::fs::read_to_string(service.env_path()).unwrap();
    assert_eq!(env, "OPENCLAW_GATEWAY_TOKEN=s3cret-token\n");
    assert_eq!(mode(&service.env_path()), 0o600);
    assert_eq!(
        done.warnings,
        ["Systemd lingering is disabled for alice. The node service will stop when you log out. \
          Run: sudo loginctl enable-linger alice"]
    );

    // Enabled already: left alone unless forced.
    let again = lifecycle::install(&service, &spec(&service), &token(), false);
    assert_eq!(again.result, Some("already-installed"));
    assert_eq!(
        again.message.as_deref(),
        Some("Node service already enabled.")
    );
    assert!(!systemd.take().iter().any(|c| c.contains("restart")));
    let forced = lifecycle::install(&service, &spec(&service), &token(), true);
    assert_eq!(forced.result, Some("installed"));
    let backup = format!("{}.bak", service.unit_path().display());
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), unit);
    assert!(forced
        .lines
        .iter()
        .any(|l| l.starts_with("Previous unit backed up to: ")));
}

#[test]
fn a_unit_the_manager_has_not_seen_gets_one_more_reload() {
    let home = tempfile::tempdir().unwrap();
    let enabled_once = std::cell::Cell::new(false);
    let systemd = Recorder::with(move |call| {
        if call.contains(" enable ") && !enabled_once.replace(true) {
            return err(
                1,
                "Failed to enable unit: Unit file openclaw-node.service does not exist.",
            );
        }
        ok("")
    });
    let service = service_in(&systemd, home.path());
    assert!(lifecycle::install(&service, &spec(&service), &[], false).ok);
    let calls = systemd.take();
    assert_eq!(
        calls[1..5],
        [
            "systemctl --user daemon-reload".to_string(),
            format!("systemctl --user enable {UNIT}"),
            "systemctl --user daemon-reload".into(),
            format!("systemctl --user enable {UNIT}"),
        ]
    );
    assert!(!service.env_path().exists(), "no secrets, no env file");
}

#[test]
fn a_failed_restart_puts_back_what_was_there() {
    let home = tempfile::tempdir().unwrap();
    let fail_restart = std::rc::Rc::new(std::cell::Cell::new(true));
    let failing = fail_restart.clone();
    let systemd = Recorder::with(move |call| {
        if call.contains(" restart ") && failing.get() {
            return err(1, "Job for openclaw-node.service failed because the control process exited with error code.");
        }
        ok("")
    });
    let service = service_in(&systemd, home.path());
    // A fresh install that cannot start leaves no unit behind, disabled and stopped.
    let failed = lifecycle::install(&service, &spec(&service), &token(), false);
    assert_eq!(
        failed.error.as_deref(),
        Some(
            "Node install failed: Error: systemctl restart failed: Job for openclaw-node.service \
              failed because the control process exited with error code."
        )
    );
    assert!(!service.unit_path().exists());
    let calls = systemd.take();
    assert_eq!(
        calls[calls.len() - 3..],
        [
            "systemctl --user daemon-reload".to_string(),
            format!("systemctl --user disable {UNIT}"),
            format!("systemctl --user stop {UNIT}"),
        ]
    );

    // Over a working unit: the old unit comes back and runs again.
    fail_restart.set(false);
    assert!(lifecycle::install(&service, &spec(&service), &token(), false).ok);
    let working = std::fs::read_to_string(service.unit_path()).unwrap();
    fail_restart.set(true);
    systemd.take();
    let mut changed = spec(&service);
    changed.program_arguments.push("--display-name=new".into());
    assert!(!lifecycle::install(&service, &changed, &token(), true).ok);
    assert_eq!(
        std::fs::read_to_string(service.unit_path()).unwrap(),
        working
    );
    let calls = systemd.take();
    assert_eq!(
        calls[calls.len() - 2..],
        [
            "systemctl --user daemon-reload".to_string(),
            format!("systemctl --user restart {UNIT}"),
        ]
    );
}

#[test]
fn without_a_user_manager_nothing_is_written() {
    let home = tempfile::tempdir().unwrap();
    let bus_down = Recorder::with(|call| match call {
        "systemctl --user status" => err(1, "Failed to connect to bus: No medium found"),
        _ => ok("running\n"),
    });
    let service = service_in(&bus_down, home.path());
    let failed = lifecycle::install(&service, &spec(&service), &token(), false);
    assert!(failed.error.unwrap().starts_with(
        "Node install failed: ServiceInspectionError: The systemd user session bus is unavailable."
    ));
    let kinds: Vec<&str> = failed.hints.iter().map(|h| h.kind).collect();
    assert_eq!(
        kinds,
        [
            "systemd-unavailable",
            "systemd-headless",
            "systemd-headless",
            "container-foreground"
        ]
    );
    assert!(!service.unit_path().exists() && !service.env_path().exists());

    let no_systemctl = Recorder::with(|_| Run {
        code: None,
        stdout: String::new(),
        stderr: "No such file or directory (os error 2)".into(),
    });
    let service = service_in(&no_systemctl, home.path());
    let failed = lifecycle::install(&service, &spec(&service), &token(), false);
    assert_eq!(
        failed.error.as_deref(),
        Some("Node install failed: Error: systemctl not available; systemd user services are required on Linux.")
    );
    assert_eq!(failed.hints.len(), 2);
    for hint in &failed.hints {
        assert!(
            hint.text.contains("openclaw node run") && !hint.text.contains("gateway"),
            "{}",
            hint.text
        );
    }

    // systemd is not this machine's init: say what to do instead, not the real's words about
    // restarting a gateway after an update.
    let no_init = Recorder::with(|call| match call {
        "systemctl --user status" => err(1, "Failed to connect to bus: No medium found"),
        _ => err(
            1,
            "System has not been booted with systemd as init system (PID 1). Can't operate.",
        ),
    });
    let service = service_in(&no_init, home.path());
    let failed = lifecycle::install(&service, &spec(&service), &token(), false);
    let error = failed.error.unwrap();
    assert!(
        error.starts_with("Node install failed: No supported service manager detected")
            && error.contains("in the foreground with `openclaw node run`")
            && error.contains("another supervisor")
            && !error.contains("Restart the Gateway"),
        "{error}"
    );
    assert!(!service.unit_path().exists() && !service.env_path().exists());
}

#[test]
fn someone_elses_home_is_not_touched() {
    let home = tempfile::tempdir().unwrap();
    let systemd = Recorder::working();
    // Root owns "/"; as root, hand a fresh dir to nobody instead.
    let foreign = if unsafe { libc::geteuid() } == 0 {
        let dir = home.path().join("nobody");
        std::fs::create_dir(&dir).unwrap();
        std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
        dir
    } else {
        std::path::PathBuf::from("/")
    };
    let service = service_in(&systemd, &foreign);
    let failed = lifecycle::install(&service, &spec(&service), &token(), false);
    assert!(failed.error.unwrap().contains("belongs to another account"));
    assert!(!service.unit_path().exists() && !service.env_path().exists());
    assert!(!lifecycle::uninstall(&service).ok);
    assert!(!systemd.take().iter().any(|c| c.contains("disable")));
}

#[test]
fn uninstall_disables_removes_and_keeps_the_users_env() {
    let home = tempfile::tempdir().unwrap();
    let systemd = Recorder::working();
    let service = service_in(&systemd, home.path());
    assert!(lifecycle::install(&service, &spec(&service), &token(), false).ok);
    let env = service.env_path();
    let mut text = std::fs::read_to_string(&env).unwrap();
    text.push_str("HTTPS_PROXY=http://proxy:3128\n");
    openclaw_files::write_atomically(&env, text.as_bytes()).unwrap();
    systemd.take();
    let done = lifecycle::uninstall(&service);
    assert_eq!(done.result, Some("uninstalled"));
    assert_eq!(
        systemd.take(),
        [
            "systemctl --user status".to_string(),
            format!("systemctl --user disable --now {UNIT}"),
            "systemctl --user daemon-reload".into(),
        ]
    );
    assert!(!service.unit_path().exists());
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        "HTTPS_PROXY=http://proxy:3128\n"
    );
    let again = lifecycle::uninstall(&service);
    assert_eq!(
        again.lines,
        [format!(
            "Systemd service not found at {}",
            service.unit_path().display()
        )]
    );
}

#[test]
fn start_stop_and_restart_follow_the_units_state() {
    let home = tempfile::tempdir().unwrap();
    let running = std::rc::Rc::new(std::cell::Cell::new(false));
    let state = running.clone();
    let systemd = Recorder::with(move |call| match call {
        c if c.starts_with("systemctl --user show") => ok(if state.get() {
            "LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\n"
        } else {
            "LoadState=loaded\nActiveState=inactive\nSubState=dead\nMainPID=0\n"
        }),
        c if c.contains(" start ") => {
            state.set(true);
            ok("")
        }
        _ => ok(""),
    });
    let service = service_in(&systemd, home.path());
    let missing = control::start(&service);
    assert_eq!(missing.error.as_deref(), Some("Node service disabled."));
    assert_eq!(
        missing.hints.len(),
        3,
        "the manager works: only the install hints"
    );
    assert!(lifecycle::install(&service, &spec(&service), &[], false).ok);
    systemd.take();

    let started = control::start(&service);
    assert_eq!(started.result, Some("started"));
    let calls = systemd.take();
    assert!(calls.ends_with(&[
        format!("systemctl --user reset-failed {UNIT}"),
        format!("systemctl --user start {UNIT}"),
        format!(
            "systemctl --user show {UNIT} --no-page --property {}",
            super::systemd::SHOW_PROPERTIES
        ),
        format!("systemctl --user is-enabled {UNIT}"),
    ]));
    let already = control::start(&service);
    assert_eq!(
        already.message.as_deref(),
        Some("Node service already running (pid 4242).")
    );
    assert!(!systemd.take().iter().any(|c| c.contains(" start ")));

    assert_eq!(control::stop(&service).result, Some("stopped"));
    assert!(systemd
        .take()
        .contains(&format!("systemctl --user stop {UNIT}")));
    assert_eq!(control::restart(&service).result, Some("restarted"));
    assert!(systemd.take().ends_with(&[
        format!("systemctl --user reset-failed {UNIT}"),
        format!("systemctl --user restart {UNIT}"),
    ]));
    assert_eq!(status::print(&service, true), 0);
}
