//! A node on a real (if small) network: our gateway in a network namespace of the test's own,
//! reached over a veth pair at a private address (RFC 1918, or IPv6 ULA), and our node host in
//! the root namespace connecting to it by that address with plaintext `ws://` and no opt-in.
//! Nothing goes anywhere but to loopback or to that namespace. Needs root (`ip netns add`): the
//! test fails, rather than skips, where it cannot make the namespace.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::json;

/// A network namespace holding one end of a veth pair; the other end stays in the root
/// namespace. Both go when this is dropped (also when the test panics).
pub(crate) struct Netns {
    name: String,
    root_end: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run `ip`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Netns {
    /// `root_addr` and `ns_addr` with their prefix (`10.231.0.1/24`).
    pub(crate) fn new(tag: &str, root_addr: &str, ns_addr: &str) -> Netns {
        let id = std::process::id() % 100_000;
        let name = format!("oc-lan-{tag}-{id}");
        if let Err(e) = ip(&["netns", "add", &name]) {
            panic!(
                "this test needs to make a network namespace (it runs as root in CI): {e}. \
                 Run the e2e suite as root, or with CAP_NET_ADMIN and CAP_SYS_ADMIN"
            );
        }
        let ns = Netns {
            name: name.clone(),
            root_end: format!("oc{tag}{id}a"),
        };
        let ns_end = format!("oc{tag}{id}b");
        let v6 = root_addr.contains(':');
        let family = if v6 { "-6" } else { "-4" };
        let steps: Vec<Vec<&str>> = vec![
            vec![
                "link",
                "add",
                &ns.root_end,
                "type",
                "veth",
                "peer",
                "name",
                &ns_end,
                "netns",
                &name,
            ],
            vec![
                family,
                "addr",
                "add",
                root_addr,
                "dev",
                &ns.root_end,
                "nodad",
            ],
            vec!["link", "set", &ns.root_end, "up"],
            vec![
                "-n", &name, family, "addr", "add", ns_addr, "dev", &ns_end, "nodad",
            ],
            vec!["-n", &name, "link", "set", &ns_end, "up"],
            vec!["-n", &name, "link", "set", "lo", "up"],
        ];
        for step in steps {
            // `nodad` is IPv6 only.
            let step: Vec<&str> = step.into_iter().filter(|a| v6 || *a != "nodad").collect();
            ip(&step).unwrap_or_else(|e| panic!("cannot set up the test network: {e}"));
        }
        ns
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Deleting one end deletes the pair.
        let _ = ip(&["link", "del", &self.root_end]);
        let _ = ip(&["netns", "del", &self.name]);
    }
}

/// Our gateway, run inside the namespace and bound to its address there.
pub(crate) struct NsGateway {
    child: Child,
    pub(crate) url: String,
    _dir: tempfile::TempDir,
}

impl NsGateway {
    fn start(ns: &Netns, bind: &str) -> NsGateway {
        Self::start_with(ns, bind, default_config())
    }

    /// With `config` as its `openclaw.json`.
    pub(crate) fn start_with(ns: &Netns, bind: &str, config: serde_json::Value) -> NsGateway {
        let dir = tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dir.path().join("openclaw.json"))
            .unwrap()
            .write_all(config.to_string().as_bytes())
            .unwrap();
        // `ip netns exec` execs the gateway, so the child is the gateway itself.
        let mut child = Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .arg(bin())
            .args([
                "gateway", "run", "--port", "0", "--token", TOKEN, "--bind", bind,
            ])
            .env("OPENCLAW_STATE_DIR", dir.path())
            .env_remove("OPENCLAW_GATEWAY_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn the gateway in the namespace");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("gateway printed nothing").unwrap();
        let url = first
            .strip_prefix("gateway listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_string();
        std::thread::spawn(move || for _ in lines.by_ref() {});
        NsGateway {
            child,
            url,
            _dir: dir,
        }
    }

    /// Its state dir, which holds its `openclaw.json`.
    pub(crate) fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    fn port(&self) -> &str {
        self.url.rsplit(':').next().unwrap()
    }
}

impl Drop for NsGateway {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// `openclaw node run --host <host>` in the root namespace, without the plaintext opt-in; its
/// stderr is collected.
struct LanNode {
    child: Child,
    stderr: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl LanNode {
    fn start(host: &str, port: &str, name: &str) -> LanNode {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        let state = dir.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        openclaw_files::private_dir(&plugins).unwrap();
        let mut child = Command::new(bin())
            .args([
                "node",
                "run",
                "--host",
                host,
                "--port",
                port,
                "--display-name",
                name,
            ])
            .arg("--plugins")
            .arg(&plugins)
            .env("OPENCLAW_STATE_DIR", &state)
            .env("OPENCLAW_GATEWAY_TOKEN", TOKEN)
            .env_remove("OPENCLAW_ALLOW_INSECURE_PRIVATE_WS")
            .env_remove("DISPLAY")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let lines = BufReader::new(child.stderr.take().unwrap()).lines();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        LanNode {
            child,
            stderr,
            _dir: dir,
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for LanNode {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The remote ends of `pid`'s TCP sockets, read from `/proc` (root namespace).
fn tcp_peers(pid: u32) -> Vec<String> {
    let mut inodes = Vec::new();
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
    {
        if let Ok(link) = std::fs::read_link(fd.path()) {
            let link = link.to_string_lossy().into_owned();
            if let Some(inode) = link
                .strip_prefix("socket:[")
                .and_then(|l| l.strip_suffix(']'))
            {
                inodes.push(inode.to_string());
            }
        }
    }
    let mut peers = Vec::new();
    for table in ["tcp", "tcp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).unwrap();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() > 9 && inodes.contains(&cols[9].to_string()) && cols[3] != "0A" {
                peers.push(decode_addr(cols[2]));
            }
        }
    }
    peers
}

/// `/proc/net/tcp*`'s hex `ADDR:PORT` as an IP address (the port dropped).
fn decode_addr(hex: &str) -> String {
    let addr = hex.split(':').next().unwrap();
    let bytes: Vec<u8> = (0..addr.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&addr[i..i + 2], 16).unwrap())
        .collect();
    if bytes.len() == 4 {
        std::net::Ipv4Addr::from(u32::from_le_bytes(bytes.try_into().unwrap())).to_string()
    } else {
        let mut octets = [0u8; 16];
        for (i, chunk) in bytes.chunks(4).enumerate() {
            let word = u32::from_le_bytes(chunk.try_into().unwrap()).to_be_bytes();
            octets[i * 4..i * 4 + 4].copy_from_slice(&word);
        }
        let v6 = std::net::Ipv6Addr::from(octets);
        v6.to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_else(|| v6.to_string())
    }
}

async fn node_answers_over_the_lan(tag: &str, root_addr: &str, ns_addr: &str) {
    let ns = Netns::new(tag, root_addr, ns_addr);
    let ns_ip = ns_addr.split('/').next().unwrap();
    let gw = NsGateway::start(&ns, ns_ip);
    let mut node = LanNode::start(ns_ip, gw.port(), &format!("lan-{tag}"));
    let op = operator_with(&gw.url, &["operator.admin"]).await;
    let node_id = pair(&op, &format!("lan-{tag}")).await;
    let which = invoke(&op, &node_id, "system.which", json!({"bins": ["sh"]}))
        .await
        .unwrap();
    assert!(
        which["payload"]["bins"]["sh"]
            .as_str()
            .unwrap()
            .ends_with("/sh"),
        "{which}"
    );

    // Where the node's sockets go: the namespace's address, or loopback.
    let peers = tcp_peers(node.child.id());
    assert!(!peers.is_empty(), "the node has no connection");
    for peer in &peers {
        let ip: std::net::IpAddr = peer.parse().unwrap();
        assert!(
            peer == ns_ip || ip.is_loopback(),
            "the node talks to {peer}, neither {ns_ip} nor loopback"
        );
    }
    // Still running, and it said once per connection that the link is plaintext.
    assert!(node.child.try_wait().unwrap().is_none(), "the node stopped");
    let stderr = node.stderr();
    assert!(
        stderr.contains("plaintext ws:// to a non-loopback host"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECURITY ERROR"), "{stderr}");
    let url_shown = if ns_ip.contains(':') {
        format!("ws://[{ns_ip}]:{}", gw.port())
    } else {
        format!("ws://{ns_ip}:{}", gw.port())
    };
    assert!(stderr.contains(&url_shown), "{stderr}");
    drop(op);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_pairs_with_a_gateway_at_a_private_ipv4_address() {
    node_answers_over_the_lan("v4", "10.231.0.1/24", "10.231.0.2/24").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_pairs_with_a_gateway_at_an_ipv6_ula_address() {
    node_answers_over_the_lan("v6", "fd00:231::1/64", "fd00:231::2/64").await;
}
