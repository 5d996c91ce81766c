//! Which addresses the canvas may load and where browser control requests may go.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use reqwest::Url;

use crate::BrowserError;

/// Where the canvas may read local files: under `root` only, and never a private path (the
/// node's state dir, which holds its keys, or a secret file kept apart from it) nor anything
/// under one, even when the root contains it.
#[derive(Debug, Clone)]
pub struct CanvasFiles {
    pub root: PathBuf,
    pub private: Vec<PathBuf>,
}

/// Turns what the operator gave (`https://…`, `file:///…`, `/abs/path.html`, `data:…`,
/// `about:blank`) into a URL the canvas may load. Local files must exist under the canvas
/// root; network addresses must pass [`network_allowed`].
pub fn canvas_url(target: &str, files: &CanvasFiles) -> Result<Url, BrowserError> {
    let target = target.trim();
    if target.is_empty() {
        return Err(BrowserError::invalid("url required"));
    }
    if target.starts_with('/') {
        return file_url(Path::new(target), files);
    }
    let url = Url::parse(target).map_err(|e| {
        BrowserError::invalid(format!(
            "invalid url {target:?}: {e}; give an http(s), file or data URL, or an absolute file path"
        ))
    })?;
    match url.scheme() {
        "http" | "https" => network_allowed(&url).map(|()| url),
        "data" => Ok(url),
        "about" if url.as_str() == "about:blank" => Ok(url),
        "file" if url.host().is_some() => Err(BrowserError::invalid(format!(
            "file url {target:?} names a host; the canvas reads local files only"
        ))),
        "file" => {
            let path = url
                .to_file_path()
                .map_err(|()| BrowserError::invalid(format!("invalid file url {target:?}")))?;
            file_url(&path, files)
        }
        other => Err(BrowserError::invalid(format!(
            "unsupported url scheme {other:?} in {target:?}; the canvas loads http(s), file, data and about:blank"
        ))),
    }
}

/// A file under the canvas root, checked after resolving symlinks and `..`.
fn file_url(path: &Path, files: &CanvasFiles) -> Result<Url, BrowserError> {
    let real = std::fs::canonicalize(path)
        .ok()
        .filter(|p| p.is_file())
        .ok_or_else(|| BrowserError::invalid(format!("file not found: {}", path.display())))?;
    let root = std::fs::canonicalize(&files.root).unwrap_or_else(|_| files.root.clone());
    let private = files
        .private
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .any(|p| !root.starts_with(&p) && real.starts_with(&p));
    if !real.starts_with(&root) || private {
        return Err(BrowserError::invalid(format!(
            "{} is outside the canvas root {}; the canvas reads local files only from there (set nodeHost.canvas.root to change it)",
            path.display(),
            root.display()
        )));
    }
    Url::from_file_path(&real)
        .map_err(|()| BrowserError::invalid(format!("not an absolute path: {}", path.display())))
}

/// Whether a page of the canvas browser may request `url`: a navigation, a redirect, a frame,
/// a `fetch`, a popup. Local files follow the canvas root rule, the network the
/// [`network_allowed`] rule, and the browser control endpoint `control` is never reachable.
/// Schemes the canvas has no use for are refused.
pub fn request_allowed(
    url: &str,
    files: &CanvasFiles,
    control: Option<&Url>,
) -> Result<(), String> {
    let url = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    match url.scheme() {
        "file" if url.host().is_some() => Err("a file URL with a host".into()),
        "file" => {
            let path = url
                .to_file_path()
                .map_err(|()| "not a file path".to_string())?;
            file_url(&path, files).map(drop).map_err(|e| e.to_string())
        }
        "http" | "https" | "ws" | "wss" => {
            network_allowed(&url).map_err(|e| e.to_string())?;
            if control.is_some_and(|control| same_endpoint(&url, control)) {
                return Err("the browser control endpoint is not for pages".into());
            }
            Ok(())
        }
        "data" | "blob" | "about" => Ok(()),
        other => Err(format!("the canvas does not load {other}: URLs")),
    }
}

/// Same port and same host, where every name for this machine (localhost, 127/8, ::1,
/// 0.0.0.0, `*.localhost`) counts as one host.
fn same_endpoint(url: &Url, endpoint: &Url) -> bool {
    if url.port_or_known_default() != endpoint.port_or_known_default() {
        return false;
    }
    match (this_machine(url), this_machine(endpoint)) {
        (true, true) => true,
        (false, false) => {
            url.host_str().map(str::to_ascii_lowercase)
                == endpoint.host_str().map(str::to_ascii_lowercase)
        }
        _ => false,
    }
}

/// Loopback or unspecified addresses, and the names Chromium resolves to loopback itself.
fn this_machine(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// The network refusals again, as Chromium's `--host-resolver-rules`: every connection the
/// browser makes resolves its host through them, WebSocket handshakes included, which
/// request interception does not see. A refused host resolves to nothing.
pub fn refused_host_rules(control: Option<&Url>) -> String {
    let mut hosts: Vec<String> = METADATA_HOSTS.iter().map(|h| h.to_string()).collect();
    hosts.extend(
        [
            "169.254.*",
            "100.100.100.200",
            "fd00:ec2::254",
            // fe80::/10, and 169.254/16 mapped into IPv6 (as Chromium writes it).
            "fe8?:*",
            "fe9?:*",
            "fea?:*",
            "feb?:*",
            "::ffff:a9fe:*",
        ]
        .map(String::from),
    );
    if let Some(port) = control.and_then(Url::port_or_known_default) {
        if control.is_some_and(this_machine) {
            let aliases = [
                "127.*",
                "localhost",
                "localhost.",
                "*.localhost",
                "0.0.0.0",
                "[::1]",
                "[::]",
                "[::ffff:7f*]",
            ];
            hosts.extend(aliases.map(|alias| format!("{alias}:{port}")));
        } else if let Some(host) = control.and_then(Url::host_str) {
            hosts.push(format!("{}:{port}", host.to_ascii_lowercase()));
        }
    }
    hosts
        .iter()
        .map(|host| format!("MAP {host} ~NOTFOUND"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Host names of cloud metadata services.
const METADATA_HOSTS: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
];

/// What the canvas may reach on the network: anything but link-local addresses (where cloud
/// metadata services live: 169.254.169.254, fd00:ec2::254, fe80::/10), other known metadata
/// addresses, and metadata host names. The decision needs no traffic.
pub fn network_allowed(url: &Url) -> Result<(), BrowserError> {
    let refused = match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            METADATA_HOSTS.contains(&name.as_str())
        }
        Some(url::Host::Ipv4(ip)) => metadata_v4(ip),
        Some(url::Host::Ipv6(ip)) => metadata_v6(ip),
        None => true,
    };
    if refused {
        return Err(BrowserError::invalid(format!(
            "the canvas does not load {url}: link-local and cloud metadata addresses are refused"
        )));
    }
    Ok(())
}

fn metadata_v4(ip: Ipv4Addr) -> bool {
    ip.is_link_local() || ip == Ipv4Addr::new(100, 100, 100, 200)
}

fn metadata_v6(ip: Ipv6Addr) -> bool {
    let link_local = ip.segments()[0] & 0xffc0 == 0xfe80;
    let aws = ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    link_local || aws || ip.to_ipv4_mapped().is_some_and(metadata_v4)
}

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A control base URL: http(s) on loopback.
pub fn control_base(base: &str) -> Result<Url, BrowserError> {
    let url = Url::parse(base).map_err(|e| {
        BrowserError::invalid(format!("browser control url {base:?} is not a URL: {e}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BrowserError::invalid(format!(
            "browser control url {base:?} must be http or https"
        )));
    }
    if !is_loopback(&url) {
        return Err(BrowserError::invalid(format!(
            "browser control url {base:?} is not on loopback; browser.proxy only forwards to 127.0.0.1, ::1 or localhost"
        )));
    }
    Ok(url)
}

/// A path on a browser control endpoint, with its leading `/`; URLs are refused.
pub fn control_path(path: &str) -> Result<String, BrowserError> {
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return Err(BrowserError::invalid("path required"));
    }
    if trimmed.contains("://") || trimmed.starts_with("//") || trimmed.contains('\\') {
        return Err(BrowserError::invalid(format!(
            "path {trimmed:?} must be a path on the browser control endpoint, not a URL; non-loopback targets are refused"
        )));
    }
    Ok(if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    })
}

/// `base` + `path`, refusing paths that would leave the base's host.
pub fn control_url(base: &Url, path: &str) -> Result<Url, BrowserError> {
    let path = control_path(path)?;
    let url = base
        .join(&path)
        .map_err(|e| BrowserError::invalid(format!("invalid path {path:?}: {e}")))?;
    if url.host() != base.host() || url.port_or_known_default() != base.port_or_known_default() {
        return Err(BrowserError::invalid(format!(
            "path {path:?} leaves the browser control endpoint; non-loopback targets are refused"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(root: &Path, private: &[&Path]) -> CanvasFiles {
        CanvasFiles {
            root: root.to_path_buf(),
            private: private.iter().map(|p| p.to_path_buf()).collect(),
        }
    }

    #[test]
    fn canvas_targets() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(dir.path(), &[]);
        let page = dir.path().join("page one.html");
        std::fs::write(&page, "<title>x</title>").unwrap();
        let from_path = canvas_url(page.to_str().unwrap(), &files).unwrap();
        assert_eq!(from_path.scheme(), "file");
        assert!(from_path.as_str().ends_with("page%20one.html"));
        assert_eq!(canvas_url(from_path.as_str(), &files).unwrap(), from_path);
        assert_eq!(
            canvas_url("https://example.com/a", &files)
                .unwrap()
                .as_str(),
            "https://example.com/a"
        );
        assert!(canvas_url("about:blank", &files).is_ok());
        assert!(canvas_url("data:text/html,<b>x</b>", &files).is_ok());

        let missing = canvas_url("/no/such/file.html", &files).unwrap_err();
        assert_eq!(
            missing.code,
            openclaw_protocol::errors::ErrorCode::InvalidRequest
        );
        assert_eq!(missing.message, "file not found: /no/such/file.html");
        assert!(canvas_url("file:///no/such.html", &files)
            .unwrap_err()
            .message
            .starts_with("file not found"));
        assert!(canvas_url("not a url", &files)
            .unwrap_err()
            .message
            .starts_with("invalid url \"not a url\""));
        assert!(canvas_url("javascript:alert(1)", &files)
            .unwrap_err()
            .message
            .starts_with("unsupported url scheme \"javascript\""));
        assert!(canvas_url("chrome://settings", &files).is_err());
        assert_eq!(canvas_url(" ", &files).unwrap_err().message, "url required");
    }

    #[test]
    fn local_files_come_only_from_the_canvas_root() {
        let home = tempfile::tempdir().unwrap();
        let state = home.path().join(".openclaw");
        let root = state.join("canvas");
        // A state dir as the node keeps it: private from the first byte.
        openclaw_files::private_dir(&root).unwrap();
        let key = state.join("identity/device.json");
        openclaw_files::write_atomically(&key, b"{\"privateKeyPem\": \"secret\"}").unwrap();
        openclaw_files::write_atomically(&home.path().join("passwd"), b"x").unwrap();
        openclaw_files::write_atomically(&root.join("ok.html"), b"ok").unwrap();
        std::os::unix::fs::symlink(&key, root.join("key.html")).unwrap();
        let canvas = files(&root, &[&state]);
        assert!(canvas_url(root.join("ok.html").to_str().unwrap(), &canvas).is_ok());
        let escapes = [
            key.display().to_string(),
            format!("file://{}", key.display()),
            root.join("key.html").display().to_string(),
            root.join("../identity/device.json").display().to_string(),
            format!("{}/../../passwd", root.display()),
            "/etc/passwd".to_string(),
        ];
        for escape in &escapes {
            let e = canvas_url(escape, &canvas).unwrap_err();
            assert!(
                e.message.contains("is outside the canvas root"),
                "{escape}: {e}"
            );
        }
        assert!(canvas_url("file://other-host/etc/passwd", &canvas).is_err());

        // A root that contains the state dir still does not reach into it.
        let wide = files(home.path(), &[&state]);
        assert!(canvas_url(home.path().join("passwd").to_str().unwrap(), &wide).is_ok());
        assert!(canvas_url(key.to_str().unwrap(), &wide)
            .unwrap_err()
            .message
            .contains("is outside the canvas root"));

        // A secret file that lives apart from the state dir (a config under ~/.config) is
        // private by itself: refused even through a link, while a file beside it is served.
        let config_dir = home.path().join(".config/openclaw");
        let config = config_dir.join("openclaw.json");
        openclaw_files::write_atomically(&config, b"{\"gateway\": {\"auth\": {\"token\": \"t\"}}}")
            .unwrap();
        openclaw_files::write_atomically(&config_dir.join("notes.html"), b"x").unwrap();
        std::os::unix::fs::symlink(&config, home.path().join("config.html")).unwrap();
        let wide = files(home.path(), &[&state, &config]);
        for secret in [&config, &home.path().join("config.html")] {
            let e = canvas_url(secret.to_str().unwrap(), &wide).unwrap_err();
            assert!(e.message.contains("is outside the canvas root"), "{e}");
        }
        assert!(canvas_url(config_dir.join("notes.html").to_str().unwrap(), &wide).is_ok());
    }

    #[test]
    fn link_local_and_metadata_addresses_are_refused_without_any_traffic() {
        let canvas = files(Path::new("/nonexistent"), &[]);
        for refused in [
            "http://169.254.169.254/latest/meta-data/",
            "http://169.254.170.2/v2/credentials",
            "http://100.100.100.200/latest/meta-data",
            "http://[fd00:ec2::254]/latest/meta-data",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.google.internal./x",
        ] {
            let e = canvas_url(refused, &canvas).unwrap_err();
            assert!(
                e.message.contains("cloud metadata addresses are refused"),
                "{refused}: {e}"
            );
        }
        for allowed in [
            "http://127.0.0.1:8080/",
            "https://example.com/",
            "http://10.0.0.5/",
        ] {
            assert!(canvas_url(allowed, &canvas).is_ok(), "{allowed}");
        }
    }

    #[test]
    fn what_pages_may_request() {
        let home = tempfile::tempdir().unwrap();
        let root = home.path().join("canvas");
        openclaw_files::private_dir(&root).unwrap();
        openclaw_files::write_atomically(&root.join("ok.html"), b"ok").unwrap();
        openclaw_files::write_atomically(&home.path().join("secret.txt"), b"x").unwrap();
        let canvas = files(&root, &[]);
        let control = Url::parse("http://127.0.0.1:9222").unwrap();
        let allowed = |url: &str| request_allowed(url, &canvas, Some(&control));
        let ok = Url::from_file_path(root.join("ok.html")).unwrap();
        for url in [
            ok.as_str(),
            "http://127.0.0.1:8080/",
            "https://example.com/a?b",
            "ws://127.0.0.1:9223/socket",
            "data:text/html,x",
            "blob:null/1234",
            "about:blank",
        ] {
            assert_eq!(allowed(url), Ok(()), "{url}");
        }
        let secret = Url::from_file_path(home.path().join("secret.txt")).unwrap();
        for url in [
            secret.as_str(),
            &format!("{ok}/../../secret.txt"),
            "file:///etc/passwd",
            "file://host/etc/passwd",
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:9222/json/list",
            "ws://127.0.0.1:9222/devtools/browser/x",
            "http://localhost:9222/json",
            "http://127.0.0.2:9222/json",
            "http://0.0.0.0:9222/json",
            "http://[::1]:9222/json",
            "http://[::ffff:127.0.0.1]:9222/json",
            "http://x.localhost:9222/json",
            "chrome://settings",
            "devtools://devtools/bundled/inspector.html",
            "filesystem:http://a/b",
            "not a url",
        ] {
            assert!(allowed(url).is_err(), "{url}");
        }
        let rules = refused_host_rules(Some(&control));
        for rule in [
            "MAP 169.254.* ~NOTFOUND",
            "MAP 127.*:9222 ~NOTFOUND",
            "MAP [::1]:9222 ~NOTFOUND",
        ] {
            assert!(rules.contains(rule), "{rules}");
        }
        let far = Url::parse("http://Browser.example:9333").unwrap();
        assert!(refused_host_rules(Some(&far)).ends_with("MAP browser.example:9333 ~NOTFOUND"));
        assert!(!refused_host_rules(None).contains(":9222"));
        // Without a configured endpoint its port is an ordinary one.
        assert_eq!(
            request_allowed("http://127.0.0.1:9222/", &canvas, None),
            Ok(())
        );
    }

    #[test]
    fn control_targets_stay_on_loopback() {
        assert!(control_base("http://127.0.0.1:9222").is_ok());
        assert!(control_base("http://localhost:9222").is_ok());
        assert!(control_base("http://[::1]:9222").is_ok());
        assert!(control_base("http://10.0.0.5:9222")
            .unwrap_err()
            .message
            .contains("not on loopback"));
        assert!(control_base("ftp://127.0.0.1/").is_err());

        let base = control_base("http://127.0.0.1:9222").unwrap();
        assert_eq!(
            control_url(&base, "/json/version").unwrap().as_str(),
            "http://127.0.0.1:9222/json/version"
        );
        assert_eq!(
            control_url(&base, "json/list").unwrap().as_str(),
            "http://127.0.0.1:9222/json/list"
        );
        for escape in [
            "http://10.0.0.5/json",
            "//10.0.0.5/json",
            "/\\10.0.0.5/json",
        ] {
            let err = control_url(&base, escape).unwrap_err();
            assert!(err.message.contains("non-loopback"), "{escape}: {err}");
        }
        assert_eq!(control_url(&base, "").unwrap_err().message, "path required");
    }
}
