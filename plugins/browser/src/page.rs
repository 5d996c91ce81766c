//! One tab of the automation browser as the routes drive it: DevTools commands through the
//! host, page script, and waiting for a page to load.

use openclaw_plugin_sdk::browser_page;
use serde_json::{json, Value};

use crate::route::RouteError;

/// How long one DevTools command may take unless a route says otherwise.
pub const COMMAND_MS: u32 = 20_000;

/// A host failure as a route error: the caller's mistake is a 400, anything else a 500.
pub fn host_error(f: impl Into<openclaw_plugin_sdk::Failure>) -> RouteError {
    let f: openclaw_plugin_sdk::Failure = f.into();
    let status = if f.code == "INVALID_REQUEST" {
        400
    } else {
        500
    };
    let message = f
        .message
        .strip_prefix(&format!("{}: ", f.code))
        .unwrap_or(&f.message)
        .to_string();
    RouteError::new(status, message)
}

pub struct Page {
    pub target_id: String,
}

impl Page {
    pub fn new(target_id: &str) -> Page {
        Page {
            target_id: target_id.to_string(),
        }
    }

    pub fn send(&self, method: &str, params: Value) -> Result<Value, RouteError> {
        self.send_within(method, params, COMMAND_MS)
    }

    pub fn send_within(&self, method: &str, params: Value, ms: u32) -> Result<Value, RouteError> {
        let reply = browser_page::send(&self.target_id, method, &params.to_string(), ms)
            .map_err(host_error)?;
        serde_json::from_str(&reply).map_err(|e| RouteError::new(500, e.to_string()))
    }

    /// Runs `expression` in the page and answers its value; a thrown error is the page's.
    pub fn evaluate(&self, expression: &str, ms: u32) -> Result<Value, RouteError> {
        self.evaluate_in(None, expression, ms)
    }

    /// Runs `expression` in the execution context `context` (the page's own by default).
    pub fn evaluate_in(
        &self,
        context: Option<i64>,
        expression: &str,
        ms: u32,
    ) -> Result<Value, RouteError> {
        let mut params = json!({
            "expression": expression,
            "returnByValue": true,
            "awaitPromise": true,
            "timeout": ms,
        });
        if let Some(context) = context {
            params["contextId"] = json!(context);
        }
        let reply = self.send_within("Runtime.evaluate", params, ms.saturating_add(1_000))?;
        if let Some(details) = reply.get("exceptionDetails") {
            return Err(RouteError::new(500, thrown(details)));
        }
        Ok(reply["result"]["value"].clone())
    }

    /// The node's isolated world in the tab's main frame: the page's DOM, but none of its
    /// scripts, so what the node keeps there (snapshot refs) is out of the page's reach. The
    /// same world comes back on every call until the document changes.
    pub fn world(&self) -> Result<i64, RouteError> {
        let reply = self.send(
            "Page.createIsolatedWorld",
            json!({"frameId": self.target_id, "worldName": "openclaw"}),
        )?;
        reply["executionContextId"]
            .as_i64()
            .ok_or_else(|| RouteError::new(500, "the browser made no isolated world"))
    }

    /// The page object of an element, for calls on it.
    pub fn resolve(&self, backend_node_id: i64) -> Result<String, RouteError> {
        let reply = self.send("DOM.resolveNode", json!({"backendNodeId": backend_node_id}))?;
        reply["object"]["objectId"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| RouteError::new(500, "the element has no page object"))
    }

    pub fn url(&self) -> Result<String, RouteError> {
        Ok(self
            .evaluate("location.href", COMMAND_MS)?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Waits until the document has loaded, or `ms` passed.
    pub fn wait_for_load(&self, ms: u32) -> Result<(), RouteError> {
        let script = format!(
            "new Promise(done => {{
                if (document.readyState === 'complete') return done(true);
                const timer = setTimeout(() => done(false), {ms});
                addEventListener('load', () => {{ clearTimeout(timer); done(true); }}, {{ once: true }});
            }})"
        );
        self.evaluate(&script, ms).map(drop)
    }
}

/// What the page threw, as a message.
fn thrown(details: &Value) -> String {
    let description = details["exception"]["description"].as_str();
    let text = details["text"].as_str().unwrap_or("the page threw");
    description
        .and_then(|d| d.lines().next())
        .unwrap_or(text)
        .to_string()
}
