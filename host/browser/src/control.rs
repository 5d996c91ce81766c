//! `browser.proxy`: one request to the browser control endpoint: the node's own Chromium
//! (answered over DevTools, see `json_routes`), or one HTTP request to the loopback
//! `browser.cdpUrl`, with the answer size capped.

use std::time::Duration;

use serde_json::json;

use crate::browser::NodeBrowser;
use crate::json_routes;
use crate::target::{control_base, control_path, control_url, is_loopback};
use crate::BrowserError;

/// Largest response body `browser.proxy` passes on.
pub const MAX_CONTROL_BODY_BYTES: usize = 24 * 1024 * 1024;

pub struct ControlRequest {
    /// GET, POST or DELETE.
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// JSON text sent as the request body.
    pub body: Option<String>,
    pub timeout: Duration,
}

pub struct ControlResponse {
    pub status: u16,
    /// The body is JSON (else it is text).
    pub json: bool,
    pub body: String,
    /// `{status, driver, url}`: where the request went.
    pub route: serde_json::Value,
}

impl NodeBrowser {
    pub async fn control(&self, request: ControlRequest) -> Result<ControlResponse, BrowserError> {
        let method = match request.method.trim().to_ascii_uppercase().as_str() {
            "GET" => reqwest::Method::GET,
            "POST" => reqwest::Method::POST,
            "DELETE" => reqwest::Method::DELETE,
            _ => return Err(BrowserError::invalid("method must be GET, POST, or DELETE")),
        };
        let Some(configured) = &self.options.control_url else {
            return self.control_own(&method, request).await;
        };
        let base = control_base(configured)?;
        let mut url = control_url(&base, &request.path)?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        if !is_loopback(&url) {
            return Err(BrowserError::invalid(format!(
                "{url} is not on loopback; non-loopback targets are refused"
            )));
        }
        let mut outgoing = self.http.request(method.clone(), url.clone());
        if let Some(body) = request.body {
            outgoing = outgoing
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let timeout_ms = request.timeout.as_millis();
        let exchange = async {
            let response = outgoing
                .send()
                .await
                .map_err(|e| BrowserError::unavailable(format!("{method} {url} failed: {e}")))?;
            let status = response.status().as_u16();
            let json = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("json"));
            if response
                .content_length()
                .is_some_and(|n| n as usize > MAX_CONTROL_BODY_BYTES)
            {
                return Err(too_large());
            }
            let mut body = Vec::new();
            let mut response = response;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| BrowserError::unavailable(format!("reading {url} failed: {e}")))?
            {
                if body.len() + chunk.len() > MAX_CONTROL_BODY_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok((status, json, body))
        };
        let (status, json, body) = tokio::time::timeout(request.timeout, exchange)
            .await
            .map_err(|_| {
                BrowserError::timeout(format!(
                    "browser proxy request {method} {} timed out after {timeout_ms} ms",
                    url.path()
                ))
            })??;
        let body = String::from_utf8_lossy(&body).into_owned();
        if status >= 400 {
            let detail = body.trim();
            return Err(BrowserError::unavailable(if detail.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("{status}: {}", detail.chars().take(500).collect::<String>())
            }));
        }
        // Only JSON that parses is passed on as JSON.
        let json = json && serde_json::from_str::<serde::de::IgnoredAny>(&body).is_ok();
        Ok(ControlResponse {
            status,
            json,
            body,
            route: json!({"status": "resolved", "driver": "cdp-url", "url": url.as_str()}),
        })
    }

    /// A control request for the node's own Chromium.
    async fn control_own(
        &self,
        method: &reqwest::Method,
        request: ControlRequest,
    ) -> Result<ControlResponse, BrowserError> {
        let path = control_path(&request.path)?;
        let timeout_ms = request.timeout.as_millis();
        let browser = self.browser().await?;
        let answer = json_routes::answer(&browser, method.as_str(), &path);
        let result = tokio::time::timeout(request.timeout, answer)
            .await
            .map_err(|_| {
                BrowserError::timeout(format!(
                    "browser proxy request {method} {path} timed out after {timeout_ms} ms"
                ))
            })??;
        Ok(ControlResponse {
            status: 200,
            json: true,
            body: result.to_string(),
            route: json!({"status": "resolved", "driver": "chromium"}),
        })
    }
}

fn too_large() -> BrowserError {
    BrowserError::too_large(format!(
        "the browser's response is over the {MAX_CONTROL_BODY_BYTES}-byte limit of browser.proxy"
    ))
}
