//! The real device services the device tests run against: gpsd fed by gpsfake, an Xvfb X
//! server, and a private session D-Bus with a notification service on it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::zvariant::OwnedValue;

/// A child in its own process group, killed with the group on drop.
pub struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        unsafe { libc::killpg(self.0.id() as libc::pid_t, libc::SIGKILL) };
        self.0.wait().ok();
    }
}

fn spawn(command: &mut Command) -> Proc {
    use std::os::unix::process::CommandExt;
    let child = command
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e} (tests/setup.sh installs it)"));
    Proc(child)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// gpsd, started by gpsfake, replaying `log` (NMEA) in a loop; answers `host:port`.
pub fn gpsfake(log: &Path) -> (Proc, String) {
    let port = free_port();
    let proc = spawn(
        Command::new("gpsfake")
            .args(["-q", "-n", "-c", "0.2", "-P", &port.to_string()])
            .arg(log)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let address = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(&address).is_err() {
        assert!(Instant::now() < deadline, "gpsd did not open {address}");
        std::thread::sleep(Duration::from_millis(50));
    }
    (proc, address)
}

/// An Xvfb server with one `width`x`height` screen; answers its display (`:N`).
pub fn xvfb(width: u32, height: u32) -> (Proc, String) {
    let mut proc = spawn(
        Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let mut line = String::new();
    BufReader::new(proc.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let number: u32 = line.trim().parse().expect("Xvfb prints its display number");
    (proc, format!(":{number}"))
}

/// One notification as the service received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub app: String,
    pub title: String,
    pub body: String,
    pub urgency: Option<u8>,
    pub sound: Option<String>,
}

/// A private session bus; answers its address.
pub fn session_bus(dir: &Path) -> (Proc, String) {
    let socket = dir.join("bus");
    let mut proc = spawn(
        Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let mut address = String::new();
    BufReader::new(proc.0.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    (proc, address.trim().to_string())
}

struct Listener {
    received: Arc<Mutex<Vec<Received>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Listener {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints.get("urgency").and_then(|v| u8::try_from(v).ok());
        let sound = hints
            .get("sound-name")
            .and_then(|v| String::try_from(v.try_clone().ok()?).ok());
        let mut received = self.received.lock().unwrap();
        received.push(Received {
            app: app_name,
            title: summary,
            body,
            urgency,
            sound,
        });
        received.len() as u32
    }
}

/// A notification service on the bus at `address`; what it receives lands in the vector.
pub async fn notification_service(address: &str) -> (zbus::Connection, Arc<Mutex<Vec<Received>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let listener = Listener {
        received: received.clone(),
    };
    let connection = zbus::connection::Builder::address(address)
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", listener)
        .unwrap()
        .build()
        .await
        .unwrap();
    (connection, received)
}
