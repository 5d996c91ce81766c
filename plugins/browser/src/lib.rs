//! `browser.proxy`: OpenClaw's browser control API on this node, as the real node host serves
//! it, over the host's automation browser (its own Chromium and profile, never the canvas's).
//! The params are checked in the real order; routes answer JSON or an HTTP-style error, which
//! goes back in the `browser-v1` envelope when the caller asks for it, else as a failure
//! `Error: <status>: <error>`. A route this plugin does not serve answers 404, never a fake
//! success.

mod act;
mod basic;
mod browser_state;
mod capture;
mod debug;
mod downloads;
mod files;
mod graphics;
mod hooks;
mod keys;
mod navigate;
mod page;
mod profile;
mod route;
mod snapshot;
mod tabs;
mod target;
mod upload;

use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use route::{Answer, Request, RouteError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProxyParams {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    query: Option<Map<String, Value>>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    error_envelope: Option<String>,
    #[serde(default)]
    upload: Option<Value>,
}

/// The real node's failure for a bad request: `Error: INVALID_REQUEST: <why>`.
fn refused(why: &str) -> Failure {
    Failure::new("INVALID_REQUEST", format!("Error: INVALID_REQUEST: {why}"))
}

fn normalize_path(path: &str) -> String {
    let trimmed = path.trim().trim_end_matches('/');
    if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    }
}

fn is_profile_mutation(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("POST", "/reset-profile") | ("POST", "/profiles/create") | ("POST", "/profiles/import")
    ) || (method == "DELETE" && path.starts_with("/profiles/"))
}

fn is_host_local(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("GET", "/system-profiles")
            | ("GET", "/system-profile-import/status")
            | ("POST", "/system-profile-import/dismiss")
            | ("POST", "/profiles/import")
    )
}

/// Query values as the routes see them: text, with nulls dropped.
fn stringify(query: Map<String, Value>) -> Map<String, Value> {
    query
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(_) => (k, v),
            other => (k, Value::String(other.to_string())),
        })
        .collect()
}

fn dispatch(req: &Request) -> Answer {
    let path = req.path.as_str();
    match (req.method.as_str(), path) {
        ("GET", "/") => basic::status(req),
        ("POST", "/start") => basic::start(req),
        ("POST", "/stop") => basic::stop(req),
        ("GET", "/profiles") => basic::profiles(req),
        ("GET", "/tabs") => tabs::list(req),
        ("POST", "/tabs/open") => tabs::open(req),
        ("POST", "/tabs/focus") => tabs::focus(req),
        ("POST", "/tabs/action") => tabs::action(req),
        ("GET", "/snapshot") => snapshot::snapshot(req),
        ("POST", "/act") => act::act(req),
        ("POST", "/navigate") => navigate::navigate(req),
        ("POST", "/screenshot") => capture::screenshot(req),
        ("POST", "/pdf") => capture::pdf(req),
        ("GET", "/console") => debug::console(req),
        ("GET", "/errors") => debug::errors(req),
        ("GET", "/requests") => debug::requests(req),
        ("GET", "/dialogs") => debug::dialogs(req),
        ("GET", "/text") => debug::text(req),
        ("POST", "/hooks/dialog") => hooks::dialog(req),
        ("POST", "/hooks/file-chooser") => hooks::file_chooser(req),
        ("POST", "/download") => downloads::download(req),
        ("POST", "/wait/download") => downloads::wait(req),
        ("DELETE", _) if path.starts_with("/tabs/") && path.matches('/').count() == 2 => {
            let raw = &path["/tabs/".len()..];
            let reference = percent_decode(raw)
                .ok_or_else(|| RouteError::new(400, "invalid path parameter encoding: targetId"))?;
            tabs::close(req, &reference)
        }
        _ => Err(RouteError::not_found()),
    }
}

/// `%XX` escapes decoded as UTF-8; `None` for a broken escape.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn proxy(_call: &Call, p: ProxyParams) -> Result<Value, Failure> {
    if p.upload.is_some() {
        return Err(refused("browser.proxy does not accept upload envelopes"));
    }
    serve(p)
}

/// JavaScript's falsy values, which the real reads as no envelope.
fn falsy(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn proxy_upload(_call: &Call, p: ProxyParams) -> Result<Value, Failure> {
    if p.upload.as_ref().is_none_or(falsy) {
        return Err(refused(
            "browser.proxy.upload.v1 requires an upload envelope",
        ));
    }
    serve(p)
}

/// One browser control request, with the files of an upload envelope staged first.
fn serve(p: ProxyParams) -> Result<Value, Failure> {
    let path = p.path.as_deref().map(str::trim).unwrap_or_default();
    if path.is_empty() {
        return Err(refused("path required"));
    }
    let method = p
        .method
        .as_deref()
        .unwrap_or("GET")
        .trim()
        .to_ascii_uppercase();
    if !matches!(method.as_str(), "GET" | "POST" | "DELETE") {
        return Err(refused("method must be GET, POST, or DELETE"));
    }
    let path = normalize_path(path);
    if is_profile_mutation(&method, &path) {
        return Err(refused(
            "browser.proxy cannot mutate persistent browser profiles",
        ));
    }
    if is_host_local(&method, &path) {
        return Err(refused(
            "browser.proxy cannot run host-local browser routes",
        ));
    }
    let query = stringify(p.query.unwrap_or_default());
    let body = p.body.unwrap_or(Value::Null);
    let requested = [
        query.get("profile").and_then(Value::as_str),
        body.get("profile").and_then(Value::as_str),
        p.profile.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|s| !s.is_empty())
    .map(String::from);
    let profile = if path == "/profiles" {
        String::new()
    } else {
        requested.unwrap_or_else(|| profile::PROFILE.into())
    };
    let known = profile.is_empty() || profile == profile::PROFILE;
    let route = if known && !profile.is_empty() {
        json!({"status": "resolved", "profile": profile, "driver": "openclaw"})
    } else {
        json!({"status": "unavailable"})
    };
    let answer = if known {
        let mut req = Request {
            method,
            path,
            query,
            body,
        };
        let staged = match &p.upload {
            Some(upload) => upload::stage(upload, &mut req)?,
            None => Vec::new(),
        };
        let answer = dispatch(&req);
        if answer.is_err() {
            upload::discard(&staged);
        }
        answer
    } else {
        Err(RouteError::new(
            404,
            format!(
                "Profile \"{profile}\" not found. Available profiles: {}",
                profile::PROFILE
            ),
        ))
    };
    let enveloped = p.error_envelope.as_deref() == Some("browser-v1");
    if let Some(why) = files::over_limit() {
        return Err(Failure::new("INVALID_REQUEST", format!("Error: {why}")));
    }
    let attached = files::take();
    match answer {
        Ok(result) => {
            let mut out = Map::new();
            out.insert("result".into(), result);
            if !attached.is_empty() {
                out.insert("files".into(), Value::Array(attached));
            }
            if enveloped {
                out.insert("route".into(), route);
            }
            Ok(Value::Object(out))
        }
        Err(e) if enveloped => {
            Ok(json!({"error": {"status": e.status, "body": e.body}, "route": route}))
        }
        Err(e) => {
            let message = e.body["error"].as_str().unwrap_or_default();
            Err(Failure::new(
                "INVALID_REQUEST",
                format!("Error: {}: {message}", e.status),
            ))
        }
    }
}

plugin! {
    caps: ["browser"],
    commands: {
        "browser.proxy" => proxy: "OpenClaw's browser control API on this node's own automation browser",
        "browser.proxy.upload.v1" => proxy_upload: "browser.proxy's file chooser hook with the files carried in the request",
    }
}
