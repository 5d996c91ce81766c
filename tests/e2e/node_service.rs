//! `openclaw node install|status|uninstall` as a user runs them, with stand-in `systemctl` and
//! `loginctl` on PATH (no systemd runs as PID 1 here) that log their argv. The unit written is
//! checked by the real `systemd-analyze verify`, and its ExecStart line, run with the unit's and
//! the env file's variables, must bring a node to the gateway.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use openclaw_test_support::gateway::{poll_until, GatewayProc, TOKEN};
use openclaw_test_support::node::WAIT;
use serde_json::Value;

const FAKE_SYSTEMCTL: &str = r#"#!/bin/sh
echo "systemctl $*" >> "$FAKE_SYSTEMD_LOG"
case "$*" in
  *is-enabled*)
    if [ -f "$HOME/.config/systemd/user/openclaw-node.service" ]; then echo enabled; exit 0; fi
    echo disabled; exit 1 ;;
  *" show "*)
    printf 'Id=openclaw-node.service\nLoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\n' ;;
esac
exit 0
"#;

const FAKE_LOGINCTL: &str = r#"#!/bin/sh
echo "loginctl $*" >> "$FAKE_SYSTEMD_LOG"
echo Linger=no
"#;

/// A user's machine: a private HOME, the stand-ins first on PATH, and the `openclaw` binary
/// installed under a path systemd must quote (a space) and escape (`%`).
struct Machine {
    root: tempfile::TempDir,
    exe: PathBuf,
}

impl Machine {
    fn new() -> Machine {
        let root = tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .unwrap();
        let fake = root.path().join("fakebin");
        std::fs::create_dir(root.path().join("home")).unwrap();
        std::fs::create_dir(&fake).unwrap();
        for (name, script) in [("systemctl", FAKE_SYSTEMCTL), ("loginctl", FAKE_LOGINCTL)] {
            std::fs::write(fake.join(name), script).unwrap();
            std::fs::set_permissions(fake.join(name), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
        let bin_dir = root.path().join("bin dir 100%");
        std::fs::create_dir(&bin_dir).unwrap();
        let exe = bin_dir.join("openclaw");
        if std::fs::hard_link(openclaw_test_support::bin(), &exe).is_err() {
            std::fs::copy(openclaw_test_support::bin(), &exe).unwrap();
        }
        Machine { root, exe }
    }

    fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    fn unit_path(&self) -> PathBuf {
        self.home()
            .join(".config/systemd/user/openclaw-node.service")
    }

    fn env_path(&self) -> PathBuf {
        self.home().join(".openclaw/node.systemd.env")
    }

    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.root.path().join("systemd.log"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }

    fn openclaw(&self, args: &[&str]) -> Output {
        let path = format!(
            "{}:/usr/bin:/bin",
            self.root.path().join("fakebin").display()
        );
        Command::new(&self.exe)
            .args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", path)
            .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
            .env("FAKE_SYSTEMD_LOG", self.root.path().join("systemd.log"))
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.openclaw(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: {e}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }
}

/// The account's name, as `id -un` gives it.
fn account() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `Environment=` lines as systemd reads our plain ones, and the env file's `KEY=value` lines.
fn service_environment(unit: &str, env_file: &str) -> Vec<(String, String)> {
    let inline = unit
        .lines()
        .filter_map(|l| l.strip_prefix("Environment="))
        .map(|v| v.trim_matches('"'));
    inline
        .chain(env_file.lines())
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn systemd_analyze_verify(machine: &Machine) -> Output {
    let runtime = machine.root.path().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    Command::new("systemd-analyze")
        .args(["verify", "--user"])
        .arg(machine.unit_path())
        .env("HOME", machine.home())
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .expect("systemd-analyze (Debian's systemd package) is needed to check the unit")
}

#[tokio::test]
async fn install_writes_a_unit_systemd_accepts_whose_command_brings_the_node() {
    let gw = GatewayProc::start();
    let machine = Machine::new();
    let port = gw.url.rsplit(':').next().unwrap().to_string();
    let name = "Build \"Node\" 100% $HOME";
    let installed = machine.json(&[
        "node",
        "install",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--display-name",
        name,
        "--json",
    ]);
    assert_eq!(installed["result"], "installed", "{installed}");
    assert_eq!(installed["service"]["loaded"], true);
    let user = account();
    assert_eq!(
        installed["warnings"][0],
        format!(
            "Systemd lingering is disabled for {user}. The node service will stop when you log \
             out. Run: sudo loginctl enable-linger {user}"
        )
    );
    assert_eq!(
        machine.log(),
        [
            "systemctl --user status",
            "systemctl --user daemon-reload",
            "systemctl --user enable openclaw-node.service",
            "systemctl --user restart openclaw-node.service",
            "systemctl --user is-enabled openclaw-node.service",
            &format!("loginctl show-user {user} -p Linger"),
        ]
    );

    // The token is in the env file only, and both files are the user's alone.
    let unit = std::fs::read_to_string(machine.unit_path()).unwrap();
    let env_file = std::fs::read_to_string(machine.env_path()).unwrap();
    assert!(!unit.contains(TOKEN));
    assert_eq!(env_file, format!("OPENCLAW_GATEWAY_TOKEN={TOKEN}\n"));
    for file in [machine.unit_path(), machine.env_path()] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    assert!(unit.contains(&format!(
        "EnvironmentFile=-{}\n",
        machine.env_path().display()
    )));

    // systemd itself finds nothing wrong, the quoted and escaped executable path included.
    let verify = systemd_analyze_verify(&machine);
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "systemd-analyze verify: {}\n{unit}",
        String::from_utf8_lossy(&verify.stderr)
    );

    // `status` reads the command back; run it as systemd would, and the node turns up.
    let status = machine.json(&["node", "status", "--json"]);
    assert_eq!(status["service"]["loaded"], true);
    assert_eq!(status["service"]["runtime"]["status"], "running");
    assert_eq!(status["service"]["runtime"]["pid"], 4242);
    assert_eq!(
        status["service"]["command"]["environmentValueSources"]["OPENCLAW_GATEWAY_TOKEN"],
        "file"
    );
    assert!(
        !status.to_string().contains(TOKEN),
        "status never shows the token"
    );
    let argv: Vec<String> = status["service"]["command"]["programArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(argv[0], machine.exe.to_str().unwrap());
    assert_eq!(
        argv[1..],
        [
            "node",
            "run",
            "--host=127.0.0.1",
            &format!("--port={port}"),
            "--no-tls",
            &format!("--display-name={name}"),
        ]
    );
    let mut node = Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .envs(service_environment(&unit, &env_file))
        .current_dir("/")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let op = gw.operator().await;
    let pending = poll_until(&op, "device.pair.list", WAIT, |r| {
        r["pending"]
            .as_array()?
            .iter()
            .find(|p| p["displayName"] == name)
            .cloned()
    })
    .await;
    assert_eq!(pending["role"], "node");
    node.kill().ok();
    node.wait().ok();

    // A second install leaves the running service alone; --force keeps the old unit as .bak.
    let again = machine.json(&["node", "install", "--json"]);
    assert_eq!(again["result"], "already-installed");
    assert_eq!(again["message"], "Node service already enabled.");
    let forced = machine.openclaw(&["node", "install", "--force"]);
    let text = String::from_utf8_lossy(&forced.stdout);
    assert!(text.contains(&format!(
        "Previous unit backed up to: {}.bak",
        machine.unit_path().display()
    )));
    assert_eq!(
        std::fs::read_to_string(format!("{}.bak", machine.unit_path().display())).unwrap(),
        unit
    );

    let removed = machine.openclaw(&["node", "uninstall"]);
    assert_eq!(
        String::from_utf8_lossy(&removed.stdout).trim(),
        format!("Removed systemd service: {}", machine.unit_path().display())
    );
    assert!(machine
        .log()
        .contains(&"systemctl --user disable --now openclaw-node.service".to_string()));
    assert!(!machine.unit_path().exists());
    assert!(!machine.env_path().exists(), "only the token was in it");
}

#[test]
fn a_line_break_in_a_flag_cannot_add_a_directive() {
    let machine = Machine::new();
    let out = machine.openclaw(&[
        "node",
        "install",
        "--display-name",
        "x\nExecStartPre=/bin/sh -c 'touch pwned'",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "Node install failed: Error: Service argument cannot contain CR or LF characters."
    );
    assert!(!machine.unit_path().exists());
    assert!(!machine.log().iter().any(|c| c.contains("daemon-reload")));
}

#[test]
fn no_tls_and_a_pin_do_not_go_together() {
    let machine = Machine::new();
    let pin = "ab".repeat(32);
    let out = machine.openclaw(&["node", "install", "--no-tls", "--tls-fingerprint", &pin]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "--no-tls cannot be combined with --tls-fingerprint"
    );
    assert!(machine.log().is_empty() && !Path::new(&machine.unit_path()).exists());
}

/// The unit's `RestartPreventExitStatus=78`: a config that cannot work is not retried forever.
#[test]
fn node_run_exits_78_on_a_config_that_cannot_work() {
    let machine = Machine::new();
    let state = machine.home().join(".openclaw");
    std::fs::create_dir(&state).unwrap();
    std::fs::write(state.join("openclaw.json"), "{gateway: ").unwrap();
    let out = machine.openclaw(&["node", "run", "--port", "9"]);
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not valid JSON5"));
    std::fs::write(state.join("openclaw.json"), "{}").unwrap();
    let out = machine.openclaw(&["node", "run", "--tls-fingerprint", "nope"]);
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-fingerprint nope"));
}

/// `install --commands` and `--context-path` go into the unit's command; a forced reinstall
/// with `--all-commands` takes `--commands` out and puts the reset in.
#[test]
fn install_writes_the_command_allowlist_and_a_forced_all_commands_resets_it() {
    let machine = Machine::new();
    let argv = || {
        let status = machine.json(&["node", "status", "--json"]);
        let argv = &status["service"]["command"]["programArguments"];
        argv.as_array().unwrap()[3..]
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let flags = [
        "--port",
        "9",
        "--context-path",
        "/gw",
        "--commands",
        "system.which",
    ];
    let installed = machine.json(&[&["node", "install", "--json"][..], &flags].concat());
    assert_eq!(installed["result"], "installed", "{installed}");
    assert_eq!(
        argv(),
        [
            "--host=127.0.0.1",
            "--port=9",
            "--no-tls",
            "--context-path=/gw",
            "--commands=system.which"
        ]
    );
    let forced = machine.json(&["node", "install", "--force", "--all-commands", "--json"]);
    assert_eq!(forced["result"], "installed", "{forced}");
    assert_eq!(
        argv(),
        [
            "--host=127.0.0.1",
            "--port=18789",
            "--no-tls",
            "--all-commands"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_service_pairs_first_then_installs_a_unit_without_the_code() {
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let params = serde_json::json!({"bootstrapProfile": "node", "publicUrl": gw.url});
    let minted = op.request("device.pair.setupCode", params).await.unwrap();
    let code = minted["setupCode"].as_str().unwrap();
    let token = openclaw_protocol::setup_code::decode(code, 0)
        .unwrap()
        .bootstrap_token;
    let machine = Machine::new();
    // No gateway secret on this machine: the code is all it has.
    let path = format!(
        "{}:/usr/bin:/bin",
        machine.root.path().join("fakebin").display()
    );
    let out = Command::new(&machine.exe)
        .args(["connect", code, "--service", "--display-name", "svc-node"])
        .env_clear()
        .env("HOME", machine.home())
        .env("PATH", path)
        .env("FAKE_SYSTEMD_LOG", machine.root.path().join("systemd.log"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Paired before the install: the device is approved and holds its token.
    let list = op
        .request("node.list", serde_json::json!({}))
        .await
        .unwrap();
    let node = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] == "svc-node");
    assert_eq!(node.unwrap()["approvalState"], "approved", "{list}");
    let saved = std::fs::read_to_string(machine.home().join(".openclaw/node.json")).unwrap();
    assert!(saved.contains("\"token\""));
    // The unit names the saved gateway and carries neither the code nor its token.
    let unit = std::fs::read_to_string(machine.unit_path()).unwrap();
    let port = gw.url.rsplit(':').next().unwrap();
    assert!(
        unit.contains(&format!("--port={port}")) || unit.contains(&format!("--port {port}")),
        "{unit}"
    );
    for file in [unit, saved] {
        assert!(!file.contains(&token) && !file.contains(code) && !file.contains("--pair"));
    }
    assert!(machine
        .log()
        .contains(&"systemctl --user restart openclaw-node.service".to_string()));
}
