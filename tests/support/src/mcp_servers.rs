//! The MCP servers the MCP tests configure, as `nodeHost.mcp.servers` entries: the reference
//! server from npm and a small server on the official Python SDK (`tests/setup.sh` installs
//! both under `target/mcp-servers`), and hostile ones with no SDK (`tests/mcp/hostile.py`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn installed(path: PathBuf) -> String {
    assert!(
        path.exists(),
        "{} is missing: run tests/setup.sh, which installs the MCP test servers",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// The venv's Python, which has the official `mcp` package.
pub fn python() -> String {
    installed(repo().join("target/mcp-servers/python/bin/python"))
}

fn script(name: &str) -> String {
    installed(repo().join("tests/mcp").join(name))
}

/// `tests/mcp/server.py` over stdio; `env` for the server (`MCP_TEST_MARKS`).
pub fn python_stdio(env: Value) -> Value {
    json!({"command": python(), "args": [script("server.py")], "env": env})
}

/// `@modelcontextprotocol/server-everything` over stdio.
pub fn everything_stdio() -> Value {
    let index = repo().join(
        "target/mcp-servers/everything/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    );
    json!({"command": "node", "args": [installed(index), "stdio"]})
}

/// `tests/mcp/hostile.py MODE` over stdio.
pub fn hostile(mode: &str) -> Value {
    json!({"command": python(), "args": [script("hostile.py"), mode]})
}

/// `tests/mcp/server.py` over HTTP on a loopback port; killed when dropped.
pub struct HttpServer {
    child: Child,
    pub url: String,
    streamable: bool,
}

impl HttpServer {
    /// Over streamable HTTP.
    pub fn start() -> HttpServer {
        HttpServer::serve("--http", "/mcp")
    }

    /// Over the legacy HTTP+SSE transport.
    pub fn start_sse() -> HttpServer {
        HttpServer::serve("--sse", "/sse")
    }

    fn serve(flag: &str, path: &str) -> HttpServer {
        let port = crate::real::free_port();
        let child = Command::new(python())
            .args([script("server.py"), flag.into(), port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the MCP HTTP server did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        HttpServer {
            child,
            url: format!("http://127.0.0.1:{port}{path}"),
            streamable: flag == "--http",
        }
    }

    /// Its `nodeHost.mcp.servers` entry: a bare `url` means SSE, as on the real node host.
    pub fn entry(&self) -> Value {
        match self.streamable {
            true => json!({"transport": "streamable-http", "url": self.url}),
            false => json!({"url": self.url}),
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
