//! `nodeHost.mcp.servers` as the node reads it at start: each entry becomes a [`ServerConfig`],
//! or is skipped with the real node host's warning. `openclaw config` checks the same keys
//! with the schema's messages; this reads leniently, as the real does, and never fails a start.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

/// The real's defaults: 30 s to connect, 60 s for a listing, 120 s for a tool call.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_millis(30_000);
pub const LIST_TIMEOUT: Duration = Duration::from_millis(60_000);

#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub name: String,
    pub transport: Transport,
    pub connection_timeout: Duration,
    /// `requestTimeoutMs`: bounds listings (else 60 s) and calls (else 120 s).
    pub request_timeout: Option<Duration>,
    /// `toolFilter`: `*` globs on a tool's trimmed name, include first, then exclude.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Transport {
    Stdio {
        command: String,
        args: Vec<String>,
        env: Vec<(String, String)>,
        cwd: Option<PathBuf>,
    },
    StreamableHttp {
        url: String,
        headers: Vec<(String, String)>,
    },
    /// The legacy HTTP+SSE transport, what a bare `url` means.
    Sse {
        url: String,
        headers: Vec<(String, String)>,
    },
}

/// The servers to run, sorted by name, and a warning for each one skipped.
#[derive(Debug, Default)]
pub struct Servers {
    pub servers: Vec<ServerConfig>,
    pub warnings: Vec<String>,
}

/// Reads `nodeHost.mcp.servers` (an object of named entries).
pub fn servers(value: Option<&Value>) -> Servers {
    let mut out = Servers::default();
    let Some(entries) = value.and_then(Value::as_object) else {
        return out;
    };
    for (name, entry) in entries {
        if name.is_empty() || name.trim() != name || name == "__proto__" {
            out.warnings.push(format!(
                "node host MCP server {name:?} skipped: invalid server name"
            ));
            continue;
        }
        let Some(entry) = entry.as_object() else {
            continue;
        };
        if entry.get("enabled") == Some(&Value::Bool(false)) {
            continue;
        }
        if entry.get("auth").and_then(Value::as_str) == Some("oauth") || entry.contains_key("oauth")
        {
            out.warnings.push(format!(
                "node host MCP server \"{name}\" skipped: OAuth is not supported"
            ));
            continue;
        }
        match server(name, entry, &mut out.warnings) {
            Ok(config) => out.servers.push(config),
            Err(warning) => out.warnings.push(warning),
        }
    }
    out.servers.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn server(
    name: &str,
    entry: &Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<ServerConfig, String> {
    let command = entry
        .get("command")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty());
    let transport = match (command, transport_name(entry)) {
        // A command makes a stdio server whatever else the entry says.
        (Some(command), _) => Transport::Stdio {
            command: command.to_string(),
            args: strings(entry.get("args")),
            env: env(name, entry.get("env"), warnings),
            cwd: entry
                .get("cwd")
                .or_else(|| entry.get("workingDirectory"))
                .and_then(Value::as_str)
                .map(PathBuf::from),
        },
        (None, Some("streamable-http")) => Transport::StreamableHttp {
            url: url(name, entry)?,
            headers: headers(entry.get("headers")),
        },
        (None, Some("sse")) => Transport::Sse {
            url: url(name, entry)?,
            headers: headers(entry.get("headers")),
        },
        (None, Some(other)) => {
            return Err(format!(
            "bundle-mcp: skipped server \"{name}\" because transport \"{other}\" is not supported."
        ))
        }
        (None, None) => {
            return Err(format!(
                "bundle-mcp: skipped server \"{name}\" because it has neither a command nor a url."
            ))
        }
    };
    Ok(ServerConfig {
        name: name.to_string(),
        transport,
        connection_timeout: millis(entry.get("connectionTimeoutMs")).unwrap_or(CONNECTION_TIMEOUT),
        request_timeout: millis(entry.get("requestTimeoutMs")),
        include: strings(entry.get("toolFilter").and_then(|f| f.get("include"))),
        exclude: strings(entry.get("toolFilter").and_then(|f| f.get("exclude"))),
    })
}

/// `transport`, else the legacy `type` (`http` is streamable HTTP); a bare `url` means `sse`.
fn transport_name(entry: &Map<String, Value>) -> Option<&str> {
    let named = entry
        .get("transport")
        .or_else(|| entry.get("type"))
        .and_then(Value::as_str)
        .map(|t| if t == "http" { "streamable-http" } else { t });
    named.or_else(|| entry.get("url").map(|_| "sse"))
}

fn url(name: &str, entry: &Map<String, Value>) -> Result<String, String> {
    let url = entry.get("url").and_then(Value::as_str).unwrap_or_default();
    match url.split_once("://") {
        Some(("http", _)) => Ok(url.to_string()),
        // Built without TLS: say so rather than retry a connection that cannot work.
        Some(("https", _)) => Err(format!(
            "bundle-mcp: skipped server \"{name}\" because this node host does not speak https to MCP servers yet."
        )),
        Some((scheme, _)) => Err(format!(
            "only http and https URLs are supported, got {scheme}:"
        )),
        None => Err(format!("invalid MCP server URL {url:?}")),
    }
}

fn millis(value: Option<&Value>) -> Option<Duration> {
    value
        .and_then(Value::as_f64)
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .map(|ms| Duration::from_millis(ms as u64))
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// String, number and boolean values, as text.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn headers(value: Option<&Value>) -> Vec<(String, String)> {
    let Some(map) = value.and_then(Value::as_object) else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| Some((k.clone(), scalar(v)?)))
        .collect()
}

/// Credentials a server is expected to be handed, though their names look like what the
/// exec policy keeps from a child.
const CREDENTIAL_KEYS: &[&str] = &[
    "AMQP_URL",
    "DATABASE_URL",
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "MONGODB_URI",
    "NODE_AUTH_TOKEN",
    "NPM_TOKEN",
    "REDIS_URL",
];

fn is_credential(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    CREDENTIAL_KEYS.contains(&upper.as_str())
        || upper.starts_with("AZURE_CLIENT_")
        || (upper.starts_with("AWS_") && (upper.contains("KEY") || upper.ends_with("TOKEN")))
}

/// The entry's `env`, less what could steer the server's runtime (loaders, startup hooks,
/// interpreter options): the exec policy's list, as the real node host filters it.
fn env(name: &str, value: Option<&Value>, warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let Some(map) = value.and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        let Some(value) = scalar(value) else { continue };
        if openclaw_exec::is_dangerous_env(key) && !is_credential(key) {
            warnings.push(format!("bundle-mcp: server \"{name}\": env \"{key}\" is blocked for stdio startup safety and was ignored."));
            continue;
        }
        out.push((key.clone(), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_become_servers_or_warnings_as_the_real_reads_them() {
        let config = json!({
            "b-http": {"type": "http", "url": "http://127.0.0.1:1/mcp", "headers": {"X-Key": 5},
                       "requestTimeoutMs": 1500, "toolFilter": {"include": ["get-*"], "exclude": ["get-env"]}},
            "a-stdio": {"command": "node", "args": ["server.js"], "url": "http://ignored",
                        "env": {"PORT": 1, "LD_PRELOAD": "/evil.so", "GITHUB_TOKEN": "t"}},
            "off": {"command": "x", "enabled": false},
            "oauth": {"url": "https://example.invalid/mcp", "auth": "oauth"},
            "legacy-sse": {"url": "http://127.0.0.1:1/sse"},
            "ftp": {"transport": "streamable-http", "url": "ftp://x"},
            "ws": {"transport": "websocket", "url": "http://127.0.0.1:1/"},
            " padded": {"command": "x"},
        });
        let read = servers(Some(&config));
        let names: Vec<_> = read.servers.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a-stdio", "b-http", "legacy-sse"]);
        assert_eq!(
            read.servers[2].transport,
            Transport::Sse {
                url: "http://127.0.0.1:1/sse".into(),
                headers: vec![]
            }
        );
        let Transport::Stdio { env, .. } = &read.servers[0].transport else {
            panic!("a command makes a stdio server")
        };
        assert_eq!(
            env,
            &[
                ("PORT".to_string(), "1".to_string()),
                ("GITHUB_TOKEN".to_string(), "t".to_string())
            ]
        );
        let http = &read.servers[1];
        assert_eq!(
            http.transport,
            Transport::StreamableHttp {
                url: "http://127.0.0.1:1/mcp".into(),
                headers: vec![("X-Key".into(), "5".into())]
            }
        );
        assert_eq!(http.request_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(http.connection_timeout, CONNECTION_TIMEOUT);
        assert_eq!((http.include.len(), http.exclude.len()), (1, 1));
        let warnings = read.warnings.join("\n");
        for expected in [
            "env \"LD_PRELOAD\" is blocked for stdio startup safety and was ignored.",
            "node host MCP server \"oauth\" skipped: OAuth is not supported",
            "only http and https URLs are supported, got ftp:",
            "bundle-mcp: skipped server \"ws\" because transport \"websocket\" is not supported.",
            "\" padded\" skipped",
        ] {
            assert!(warnings.contains(expected), "{expected} in {warnings}");
        }
    }
}
