//! `openclaw node install|status|start|stop|restart|uninstall`: the flags, and the `node run`
//! the unit starts; the service itself is the `openclaw-node-service` crate.

use clap::{Args, Subcommand};
use openclaw_config as config;
use openclaw_node::files::load_node_file;
use openclaw_node_service::{
    control, env_file, lifecycle, service_environment, status, systemd, Outcome, Service, UnitSpec,
};

use crate::node_run_args::RunArgs;

#[derive(Subcommand)]
pub enum ServiceCmd {
    /// Install the node host as a systemd user service, enabled and started
    Install(InstallArgs),
    /// Show the node host service's status
    Status(JsonArg),
    /// Start the installed node host service
    Start(JsonArg),
    /// Stop the node host service
    Stop(JsonArg),
    /// Restart the installed node host service
    Restart(JsonArg),
    /// Stop, disable and remove the node host service
    Uninstall(JsonArg),
}

#[derive(Args)]
pub struct JsonArg {
    /// Output JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct InstallArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Reinstall/overwrite if already installed
    #[arg(long)]
    force: bool,
    /// Output JSON
    #[arg(long)]
    json: bool,
}

/// `node install`, as `openclaw connect --service` runs it once the node has paired.
pub fn install(run: RunArgs, force: bool) -> u8 {
    self::run(ServiceCmd::Install(InstallArgs {
        run,
        force,
        json: false,
    }))
}

/// Runs one service command and answers the exit code.
pub fn run(cmd: ServiceCmd) -> u8 {
    let service = Service::for_this_user(&systemd::Host, &config::state_dir());
    let (outcome, json) = match cmd {
        ServiceCmd::Status(a) => return status::print(&service, a.json),
        ServiceCmd::Install(args) => {
            let (json, force) = (args.json, args.force);
            let outcome = match unit_spec(&service, args.run) {
                Ok(spec) => {
                    let managed = env_file::managed_from_environment();
                    lifecycle::install(&service, &spec, &managed, force)
                }
                Err(error) => Outcome::failed("install", error),
            };
            (outcome, json)
        }
        ServiceCmd::Start(a) => (control::start(&service), a.json),
        ServiceCmd::Stop(a) => (control::stop(&service), a.json),
        ServiceCmd::Restart(a) => (control::restart(&service), a.json),
        ServiceCmd::Uninstall(a) => (lifecycle::uninstall(&service), a.json),
    };
    outcome.print(json)
}

/// What the unit runs: this executable's `node run`, connecting where the flags say, else
/// where the node connected last. Bad flags get the real CLI's words.
fn unit_spec(service: &Service, args: RunArgs) -> Result<UnitSpec, String> {
    args.check()?;
    let saved = load_node_file(&service.state_dir)
        .map_err(|e| format!("Node install failed: Error: {e:#}"))?
        .and_then(|n| n.gateway);
    let endpoint = args.endpoint(saved.as_ref());
    let exe = std::env::current_exe()
        .map_err(|e| format!("Node install failed: Error: cannot find this executable: {e}"))?;
    let mut program = vec![
        exe.to_string_lossy().into_owned(),
        "node".into(),
        "run".into(),
        option("--host", &endpoint.host),
        option("--port", &endpoint.port.to_string()),
        if endpoint.tls { "--tls" } else { "--no-tls" }.into(),
    ];
    let named = [
        ("--tls-fingerprint", endpoint.tls_fingerprint),
        ("--context-path", endpoint.context_path),
        ("--node-id", args.node_id.clone()),
        ("--display-name", args.display_name.clone()),
        ("--commands", args.command_ids().map(|ids| ids.join(","))),
    ];
    for (flag, value) in named {
        if let Some(value) = value {
            program.push(option(flag, &value));
        }
    }
    // Each start then forgets the saved list, as the real's service does.
    if args.all_commands {
        program.push("--all-commands".into());
    }
    if let Some(dir) = args.plugins {
        let dir = std::fs::canonicalize(&dir)
            .ok()
            .filter(|d| d.is_dir())
            .ok_or_else(|| format!("--plugins {}: no such directory", dir.display()))?;
        program.push(option("--plugins", &dir.to_string_lossy()));
    }
    Ok(UnitSpec {
        program_arguments: program,
        environment: service_environment(&service.home),
        environment_file: service.env_path().to_string_lossy().into_owned(),
    })
}

/// One option of the unit's command as `--flag=VALUE`: as a word of its own, a value that
/// starts with a dash (`--display-name "-Build box"`) would be read by `node run` as flags.
fn option(flag: &str, value: &str) -> String {
    format!("{flag}={value}")
}

#[cfg(test)]
mod tests {
    use openclaw_node_service::unit;

    use super::*;

    /// A service in `home` that never reaches systemd: these tests only make its unit.
    fn service_in(home: &std::path::Path) -> Service<'static> {
        Service {
            systemd: &systemd::Host,
            home: home.to_path_buf(),
            state_dir: home.join(".openclaw"),
            user: "someone".into(),
            in_container: false,
        }
    }

    /// Every option value `install` writes comes back to `node run` as it went in, one that
    /// starts with a dash included: systemd splits ExecStart, then `node run`'s own flags parse it.
    #[test]
    fn option_values_that_start_with_a_dash_reach_node_run_as_given() {
        use crate::node_cmd::NodeCmd;
        use crate::{Cli, Command};
        use clap::Parser;

        let home = tempfile::tempdir().unwrap();
        let plugins = home.path().join("-plugins");
        std::fs::create_dir(&plugins).unwrap();
        let plugins = std::fs::canonicalize(plugins).unwrap();
        let pin = "ab".repeat(32);
        let install = [
            "openclaw".to_string(),
            "node".into(),
            "install".into(),
            "--host=-gw".into(),
            "--port=18790".into(),
            format!("--tls-fingerprint={pin}"),
            "--node-id=-n1".into(),
            "--display-name=-Build box".into(),
            format!("--plugins={}", plugins.display()),
        ];
        let Command::Node {
            command: NodeCmd::Service(super::ServiceCmd::Install(args)),
        } = Cli::try_parse_from(install).unwrap().command
        else {
            panic!("not node install");
        };
        let service = service_in(home.path());
        let spec = super::unit_spec(&service, args.run).unwrap();
        // What install writes, read back as systemd splits ExecStart.
        let unit = unit::render(&spec).unwrap();
        let argv = unit::parse(&unit).program_arguments;
        let parsed = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        let Command::Node {
            command: NodeCmd::Run(crate::node_cmd::NodeRunArgs { run, .. }),
        } = parsed.command
        else {
            panic!("{argv:?} is not node run");
        };
        assert_eq!(run.host.as_deref(), Some("-gw"));
        assert_eq!(run.port, Some(18790));
        assert!(run.tls && !run.no_tls);
        assert_eq!(run.tls_fingerprint.as_deref(), Some(pin.as_str()));
        assert_eq!(run.node_id.as_deref(), Some("-n1"));
        assert_eq!(run.display_name.as_deref(), Some("-Build box"));
        assert_eq!(run.plugins.as_deref(), Some(plugins.as_path()));
    }

    /// `--context-path` and the command allowlist reach the unit's `node run`, the saved context
    /// path included; `--all-commands` goes in instead of `--commands`, so each start forgets a
    /// saved list.
    #[test]
    fn install_carries_the_context_path_and_the_command_allowlist() {
        use crate::node_cmd::NodeCmd;
        use crate::{Cli, Command};
        use clap::Parser;

        let home = tempfile::tempdir().unwrap();
        let service = service_in(home.path());
        let argv = |flags: &[&str]| {
            let install = ["openclaw", "node", "install"].iter().chain(flags);
            let Command::Node {
                command: NodeCmd::Service(super::ServiceCmd::Install(args)),
            } = Cli::try_parse_from(install).unwrap().command
            else {
                panic!("not node install");
            };
            super::unit_spec(&service, args.run).map(|spec| spec.program_arguments[3..].to_vec())
        };
        let base = ["--host=127.0.0.1", "--port=18789", "--no-tls"];
        let flags = [
            "--context-path",
            "/gw",
            "--commands",
            "b.x,a.y",
            "--commands",
            "a.y",
        ];
        let expected = [&base[..], &["--context-path=/gw", "--commands=a.y,b.x"]].concat();
        assert_eq!(argv(&flags).unwrap(), expected);
        let expected = [&base[..], &["--all-commands"]].concat();
        assert_eq!(argv(&["--all-commands"]).unwrap(), expected);
        assert_eq!(
            argv(&["--all-commands", "--commands", "a"]).unwrap_err(),
            "--all-commands cannot be combined with --commands"
        );

        // A saved path stays for the same gateway, and not for another one.
        // Made as the node makes its state: private from the first byte.
        openclaw_files::private_dir(&service.state_dir).unwrap();
        let saved = r#"{"version":1,"nodeId":"n","gateway":{"host":"gw","port":1,"tls":false,"contextPath":"/oc"}}"#;
        openclaw_files::write_atomically(&service.state_dir.join("node.json"), saved.as_bytes())
            .unwrap();
        let same = argv(&[]).unwrap();
        assert_eq!(
            same,
            ["--host=gw", "--port=1", "--no-tls", "--context-path=/oc"]
        );
        let other = argv(&["--port", "2"]).unwrap();
        assert_eq!(other, ["--host=gw", "--port=2", "--no-tls"]);
        let cleared = argv(&["--context-path", " "]).unwrap();
        assert_eq!(cleared, ["--host=gw", "--port=1", "--no-tls"]);
    }
}
