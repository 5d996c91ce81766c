//! `openclaw node install|status|start|stop|restart|uninstall`: the node host as a systemd user
//! service (`~/.config/systemd/user/openclaw-node.service`), with the gateway token kept in
//! `<state>/node.systemd.env`, never in the unit.

mod control;
mod env_file;
mod lifecycle;
mod outcome;
mod status;
mod systemd;
mod unit;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use openclaw_node::files::load_node_file;

use crate::node_run_args::RunArgs;
use lifecycle::Service;
use openclaw_config as config;
use outcome::Outcome;

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
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"));
    let state_dir = absolute(&config::state_dir());
    let service = Service {
        systemd: &systemd::Host,
        home,
        state_dir,
        user: account_name(),
        in_container: ["OPENCLAW_CONTAINER_HINT", "OPENCLAW_CONTAINER"]
            .iter()
            .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty())),
    };
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
fn unit_spec(service: &Service, args: RunArgs) -> Result<unit::UnitSpec, String> {
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
    Ok(unit::UnitSpec {
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

/// The fixed environment the service runs with: the account's home, a stable PATH (the
/// installing shell's may hold a session's temporary dirs), and where the state lives.
fn service_environment(home: &Path) -> Vec<(String, String)> {
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
