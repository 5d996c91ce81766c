//! `node status`: whether the unit is enabled, what it runs (read back from the unit file) and
//! what systemd says about it now.

use serde_json::{json, Map, Value};

use super::env_file;
use super::lifecycle::Service;
use super::outcome::service_json;
use super::systemd::{self, UnitState};
use super::unit::{self, UNIT_NAME};

/// The keys `status --json` shows the values of; the others (secrets among them) only by name.
const SHOWN_ENVIRONMENT: [&str; 6] = [
    "OPENCLAW_PROFILE",
    "OPENCLAW_STATE_DIR",
    "OPENCLAW_CONFIG_PATH",
    "OPENCLAW_GATEWAY_PORT",
    "OPENCLAW_CONFIG_READONLY",
    "OPENCLAW_NIX_MODE",
];

/// What systemd says about the unit now.
#[derive(Debug, Default)]
struct Runtime {
    status: &'static str,
    state: Option<UnitState>,
    missing_unit: Option<bool>,
    detail: Option<String>,
    inspection_reason: Option<&'static str>,
}

fn runtime(service: &Service) -> Runtime {
    if let Err(why) = systemd::check_available(service.systemd) {
        return Runtime {
            status: "unknown",
            detail: Some(why.message()),
            inspection_reason: why.reason(),
            ..Runtime::default()
        };
    }
    if !service.installed() {
        return Runtime {
            status: "stopped",
            missing_unit: Some(true),
            ..Runtime::default()
        };
    }
    let state = match systemd::show(service.systemd, UNIT_NAME) {
        Ok(state) => state,
        Err(detail) => {
            return Runtime {
                status: "unknown",
                missing_unit: Some(false),
                detail: Some(detail),
                ..Runtime::default()
            }
        }
    };
    if state.load_state != "loaded" {
        let detail = if state.load_state == "not-found" {
            format!("Unit {UNIT_NAME} is not visible in the user systemd manager.")
        } else {
            format!("Unit {UNIT_NAME} has an unverified systemd load state.")
        };
        return Runtime {
            status: "unknown",
            missing_unit: Some(false),
            detail: Some(detail),
            ..Runtime::default()
        };
    }
    let status = match state.active_state.as_str() {
        "active" => "running",
        "inactive" | "failed" => "stopped",
        _ => "unknown",
    };
    Runtime {
        status,
        state: Some(state),
        ..Runtime::default()
    }
}

fn signal_name(status: i64) -> Option<&'static str> {
    Some(match status {
        129 => "SIGHUP",
        130 => "SIGINT",
        131 => "SIGQUIT",
        134 => "SIGABRT",
        137 => "SIGKILL",
        143 => "SIGTERM",
        _ => return None,
    })
}

/// `running (pid 4242, state active, sub running, last exit 0, reason 0)`.
fn runtime_text(runtime: &Runtime) -> String {
    let mut details = Vec::new();
    if let Some(state) = &runtime.state {
        if let Some(pid) = state.main_pid {
            details.push(format!("pid {pid}"));
        }
        if !state.active_state.eq_ignore_ascii_case(runtime.status) {
            details.push(format!("state {}", state.active_state));
        }
        if !state.sub_state.is_empty() {
            details.push(format!("sub {}", state.sub_state));
        }
        if let Some(code) = state.exec_main_status {
            match signal_name(code) {
                Some(signal) => details.push(format!("last exit {code} ({signal})")),
                None => details.push(format!("last exit {code}")),
            }
        }
        if let Some(reason) = &state.exec_main_code {
            details.push(format!("reason {reason}"));
        }
    }
    if let Some(detail) = &runtime.detail {
        details.push(detail.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if details.is_empty() {
        runtime.status.to_string()
    } else {
        format!("{} ({})", runtime.status, details.join(", "))
    }
}

fn runtime_json(runtime: &Runtime) -> Value {
    let mut out = Map::new();
    out.insert("status".into(), json!(runtime.status));
    if let Some(s) = &runtime.state {
        out.insert("state".into(), json!(s.active_state));
        out.insert("subState".into(), json!(s.sub_state));
        if let Some(pid) = s.main_pid {
            out.insert("pid".into(), json!(pid));
        }
        if let Some(code) = s.exec_main_status {
            out.insert("lastExitStatus".into(), json!(code));
        }
        if let Some(reason) = &s.exec_main_code {
            out.insert("lastExitReason".into(), json!(reason));
        }
    }
    if let Some(missing) = runtime.missing_unit {
        out.insert("missingUnit".into(), json!(missing));
    }
    if let Some(detail) = &runtime.detail {
        out.insert("detail".into(), json!(detail));
    }
    if let Some(reason) = runtime.inspection_reason {
        out.insert("inspectionReason".into(), json!(reason));
    }
    if let Some(s) = &runtime.state {
        let mut systemd = json!({"scope": "user", "unit": s.id.as_deref().unwrap_or(UNIT_NAME)});
        let numbers = [
            ("tasksCurrent", s.tasks_current),
            ("memoryCurrent", s.memory_current),
            ("nRestarts", s.n_restarts),
            ("startLimitBurst", s.start_limit_burst),
        ];
        if let Some(kill_mode) = &s.kill_mode {
            systemd["killMode"] = json!(kill_mode);
        }
        for (key, value) in numbers {
            if let Some(value) = value {
                systemd[key] = json!(value);
            }
        }
        if !s.result.is_empty() {
            systemd["result"] = json!(s.result);
        }
        out.insert("systemd".into(), systemd);
    }
    Value::Object(out)
}

/// The installed unit as `status --json` shows it: the command, the non-secret environment,
/// and where each variable comes from.
fn command_json(service: &Service) -> Value {
    let Ok(text) = std::fs::read_to_string(service.unit_path()) else {
        return Value::Null;
    };
    let unit = unit::parse(&text);
    if unit.program_arguments.is_empty() {
        return Value::Null;
    }
    let mut sources: Map<String, Value> = Map::new();
    let mut environment: Map<String, Value> = Map::new();
    for (key, value) in &unit.environment {
        sources.insert(key.clone(), json!("inline"));
        environment.insert(key.clone(), json!(value));
    }
    for path in &unit.environment_files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for (key, value) in env_file::parse(&text) {
            let source = match sources.get(&key).and_then(Value::as_str) {
                Some("inline") | Some("inline-and-file") => "inline-and-file",
                _ => "file",
            };
            sources.insert(key.clone(), json!(source));
            environment.insert(key, json!(value));
        }
    }
    environment.retain(|key, _| SHOWN_ENVIRONMENT.contains(&key.as_str()));
    let mut command = json!({"programArguments": unit.program_arguments});
    if let Some(dir) = &unit.working_directory {
        command["workingDirectory"] = json!(dir);
    }
    if !environment.is_empty() {
        command["environment"] = Value::Object(environment);
    }
    if !sources.is_empty() {
        command["environmentValueSources"] = Value::Object(sources);
    }
    command["sourcePath"] = json!(service.unit_path());
    command
}

/// Prints the status and answers the exit code.
pub fn print(service: &Service, as_json: bool) -> u8 {
    let loaded = match service.loaded() {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("Node service check failed: {e}");
            return 1;
        }
    };
    let command = command_json(service);
    let runtime = runtime(service);
    if as_json {
        let mut out = service_json(loaded);
        out["command"] = command;
        out["runtime"] = runtime_json(&runtime);
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"service": out})).expect("JSON")
        );
        return 0;
    }
    println!(
        "Service: systemd ({})",
        if loaded { "enabled" } else { "disabled" }
    );
    if let Some(args) = command["programArguments"].as_array() {
        let args: Vec<&str> = args.iter().filter_map(Value::as_str).collect();
        println!("Command: {}", args.join(" "));
        println!("Service file: {}", service.unit_path().display());
    }
    if let Some(dir) = command["workingDirectory"].as_str() {
        println!("Working dir: {dir}");
    }
    println!("Runtime: {}", runtime_text(&runtime));
    if !loaded {
        println!();
        for how in [
            "openclaw node install".to_string(),
            "openclaw node start".into(),
            format!("systemctl --user start {UNIT_NAME}"),
        ] {
            println!("Start with: {how}");
        }
    } else if runtime.missing_unit == Some(true) || runtime.status == "stopped" {
        if runtime.missing_unit == Some(true) {
            eprintln!("Service unit not found.");
        } else {
            eprintln!("Service is loaded but not running.");
        }
        println!("Logs: journalctl --user -u {UNIT_NAME} -n 200 --no-pager");
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_reads_as_the_real_prints_it() {
        let runtime = Runtime {
            status: "stopped",
            state: Some(UnitState {
                active_state: "failed".into(),
                sub_state: "dead".into(),
                exec_main_status: Some(143),
                exec_main_code: Some("2".into()),
                ..UnitState::default()
            }),
            ..Runtime::default()
        };
        assert_eq!(
            runtime_text(&runtime),
            "stopped (state failed, sub dead, last exit 143 (SIGTERM), reason 2)"
        );
        let unknown = Runtime {
            status: "unknown",
            detail: Some("No supported\n service manager".into()),
            ..Runtime::default()
        };
        assert_eq!(
            runtime_text(&unknown),
            "unknown (No supported service manager)"
        );
    }
}
