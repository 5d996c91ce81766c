//! Which addresses the canvas may load and where browser control requests may go.

use std::net::IpAddr;
use std::path::Path;

use reqwest::Url;

use crate::BrowserError;

/// Turns what the operator gave (`https://…`, `file:///…`, `/abs/path.html`, `data:…`,
/// `about:blank`) into a URL the canvas may load. Local files must exist.
pub fn canvas_url(target: &str) -> Result<Url, BrowserError> {
    let target = target.trim();
    if target.is_empty() {
        return Err(BrowserError::invalid("url required"));
    }
    if target.starts_with('/') {
        return file_url(Path::new(target));
    }
    let url = Url::parse(target).map_err(|e| {
        BrowserError::invalid(format!(
            "invalid url {target:?}: {e}; give an http(s), file or data URL, or an absolute file path"
        ))
    })?;
    match url.scheme() {
        "http" | "https" | "data" => Ok(url),
        "about" if url.as_str() == "about:blank" => Ok(url),
        "file" => {
            let path = url
                .to_file_path()
                .map_err(|()| BrowserError::invalid(format!("invalid file url {target:?}")))?;
            file_url(&path)
        }
        other => Err(BrowserError::invalid(format!(
            "unsupported url scheme {other:?} in {target:?}; the canvas loads http(s), file, data and about:blank"
        ))),
    }
}

fn file_url(path: &Path) -> Result<Url, BrowserError> {
    if !path.is_file() {
        return Err(BrowserError::invalid(format!(
            "file not found: {}",
            path.display()
        )));
    }
    Url::from_file_path(path)
        .map_err(|()| BrowserError::invalid(format!("not an absolute path: {}", path.display())))
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

/// `base` + `path`, refusing paths that would leave the base's host.
pub fn control_url(base: &Url, path: &str) -> Result<Url, BrowserError> {
    let trimmed = path.trim();
    if trimmed.is_empty() {
        return Err(BrowserError::invalid("path required"));
    }
    if trimmed.contains("://") || trimmed.starts_with("//") || trimmed.contains('\\') {
        return Err(BrowserError::invalid(format!(
            "path {trimmed:?} must be a path on the browser control endpoint, not a URL; non-loopback targets are refused"
        )));
    }
    let path = if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    };
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

    #[test]
    fn canvas_targets() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page one.html");
        std::fs::write(&page, "<title>x</title>").unwrap();
        let from_path = canvas_url(page.to_str().unwrap()).unwrap();
        assert_eq!(from_path.scheme(), "file");
        assert!(from_path.as_str().ends_with("page%20one.html"));
        assert_eq!(canvas_url(from_path.as_str()).unwrap(), from_path);
        assert_eq!(
            canvas_url("https://example.com/a").unwrap().as_str(),
            "https://example.com/a"
        );
        assert!(canvas_url("about:blank").is_ok());
        assert!(canvas_url("data:text/html,<b>x</b>").is_ok());

        let missing = canvas_url("/no/such/file.html").unwrap_err();
        assert_eq!(missing.code, "INVALID_REQUEST");
        assert_eq!(missing.message, "file not found: /no/such/file.html");
        assert!(canvas_url("file:///no/such.html")
            .unwrap_err()
            .message
            .starts_with("file not found"));
        assert!(canvas_url("not a url")
            .unwrap_err()
            .message
            .starts_with("invalid url \"not a url\""));
        assert!(canvas_url("javascript:alert(1)")
            .unwrap_err()
            .message
            .starts_with("unsupported url scheme \"javascript\""));
        assert!(canvas_url("chrome://settings").is_err());
        assert_eq!(canvas_url(" ").unwrap_err().message, "url required");
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
