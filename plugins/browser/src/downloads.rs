//! Downloads: `POST /download` (click a ref, keep what it downloads under a chosen name),
//! `POST /wait/download` (the tab's next download) and the downloads an `/act` starts. The
//! host keeps every file in the node's downloads dir; the answer carries it inline in `files`,
//! as the real node host sends them.

use openclaw_plugin_sdk::browser_downloads;
use openclaw_plugin_sdk::browser_downloads::Download;
use serde_json::{json, Value};

use crate::act::click_ref;
use crate::act::downloads::described;
use crate::act::normalize::timeout_ms;
use crate::files;
use crate::page::{host_error, Page};
use crate::route::{Answer, Request, RouteError};
use crate::target::{self, Target};

const OUTSIDE: &str = "Invalid path: must stay within downloads directory";

/// The real's `normalizeTimeoutMs(timeoutMs, 120000)`.
fn wait_ms(req: &Request) -> Result<u32, RouteError> {
    let body = req.body.as_object().cloned().unwrap_or_default();
    let ms = timeout_ms(&body).map_err(|e| RouteError::new(400, e))?;
    Ok(ms.unwrap_or(120_000).clamp(500, 120_000) as u32)
}

/// A file name for the downloads dir: one plain name, else the real's refusal. An absolute
/// path goes to the host, which takes it when it lies directly in the downloads dir.
fn file_name(path: &str) -> Result<String, RouteError> {
    let plain = path.starts_with('/')
        || (!path.is_empty() && path != "." && path != ".." && !path.contains(['/', '\\', '\0']));
    if plain {
        Ok(path.to_string())
    } else {
        Err(RouteError::new(400, OUTSIDE))
    }
}

/// What the route answers, with the file attached.
fn answered(tab: &Target, download: &Download) -> Value {
    files::attach_download(download);
    json!({"ok": true, "targetId": tab.target_id, "download": described(download)})
}

/// A host failure as the real's thrown error: a 500 with its words.
fn thrown(f: impl Into<openclaw_plugin_sdk::Failure>) -> RouteError {
    let f: openclaw_plugin_sdk::Failure = f.into();
    let e = host_error(f);
    let message = e.body["error"].as_str().unwrap_or_default();
    if message.starts_with("Error: ") || e.status != 400 {
        RouteError::new(500, message)
    } else {
        RouteError::new(500, format!("Error: {message}"))
    }
}

pub fn wait(req: &Request) -> Answer {
    let ms = wait_ms(req)?;
    let tab = target::resolve(req.body_str("targetId"))?;
    let name = req.body_str("path").map(file_name).transpose()?;
    let waiter =
        browser_downloads::arm_download(&tab.target_id, name.as_deref()).map_err(host_error)?;
    let download = browser_downloads::await_download(waiter, ms).map_err(thrown)?;
    Ok(answered(&tab, &download))
}

pub fn download(req: &Request) -> Answer {
    let body = req.body.as_object().cloned().unwrap_or_default();
    let ms = wait_ms(req)?;
    let current_document = body.get("currentDocument");
    if current_document.is_some_and(|v| !v.is_boolean()) {
        return Err(RouteError::new(400, "currentDocument must be a boolean"));
    }
    let current_document = current_document == Some(&json!(true));
    let expected_url = body.get("expectedUrl");
    if current_document && (body.contains_key("ref") || body.contains_key("path")) {
        return Err(RouteError::new(
            400,
            "currentDocument cannot be combined with ref or path",
        ));
    }
    let has_expected = expected_url
        .and_then(Value::as_str)
        .is_some_and(|u| !u.trim().is_empty());
    if current_document && !has_expected {
        return Err(RouteError::new(
            400,
            "expectedUrl is required for currentDocument",
        ));
    }
    if !current_document && expected_url.is_some() {
        return Err(RouteError::new(400, "expectedUrl requires currentDocument"));
    }
    if current_document {
        return Err(RouteError::new(
            501,
            "currentDocument downloads are not served by this node; download a link by its ref",
        ));
    }
    let reference = req
        .body_str("ref")
        .ok_or_else(|| RouteError::new(400, "ref is required"))?
        .to_string();
    let path = req
        .body_str("path")
        .ok_or_else(|| RouteError::new(400, "path is required"))?;
    let tab = target::resolve(req.body_str("targetId"))?;
    let name = file_name(path)?;
    let page = Page::new(&tab.target_id);
    page.send("Page.bringToFront", json!({}))?;
    let waiter =
        browser_downloads::arm_download(&tab.target_id, Some(&name)).map_err(host_error)?;
    if let Err(e) = click_ref(&page, reference, u64::from(ms)) {
        // The waiter would take the tab's next download.
        let _ = browser_downloads::await_download(waiter, 0);
        return Err(e);
    }
    let download = browser_downloads::await_download(waiter, ms).map_err(thrown)?;
    Ok(answered(&tab, &download))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_name_stays_in_the_downloads_dir() {
        assert_eq!(file_name("my-report.txt").unwrap(), "my-report.txt");
        assert_eq!(file_name("/abs/x.txt").unwrap(), "/abs/x.txt");
        for bad in ["../../etc/x.txt", "sub/waited.txt", "..", "a\\b"] {
            let e = file_name(bad).unwrap_err();
            assert_eq!((e.status, e.body["error"].as_str()), (400, Some(OUTSIDE)));
        }
    }
}
