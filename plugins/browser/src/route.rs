//! One browser control request as the routes see it, and what a route answers: a JSON body, or
//! an HTTP-style error (`{status, body: {error, ...}}`), as the real service's routes do.

use serde_json::{json, Map, Value};

pub struct Request {
    /// GET, POST or DELETE.
    pub method: String,
    /// Normalised: one leading `/`, no trailing `/`.
    pub path: String,
    /// Values as text, as the real node passes them on.
    pub query: Map<String, Value>,
    pub body: Value,
}

impl Request {
    pub fn query_str(&self, key: &str) -> Option<&str> {
        self.query.get(key).and_then(Value::as_str)
    }

    pub fn body_str(&self, key: &str) -> Option<&str> {
        self.body
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

#[derive(Debug)]
pub struct RouteError {
    pub status: u16,
    pub body: Value,
}

impl RouteError {
    pub fn new(status: u16, error: impl Into<String>) -> RouteError {
        RouteError {
            status,
            body: json!({"error": error.into()}),
        }
    }

    pub fn not_found() -> RouteError {
        RouteError::new(404, "Not Found")
    }

    /// The request policy refused a page.
    pub fn navigation_blocked() -> RouteError {
        RouteError {
            status: 400,
            body: json!({"error": "browser navigation blocked by policy", "reason": "navigation_blocked"}),
        }
    }

    /// An `ACT_*` error.
    pub fn act(status: u16, code: &str, error: impl Into<String>) -> RouteError {
        RouteError {
            status,
            body: json!({"error": error.into(), "code": code}),
        }
    }
}

pub type Answer = Result<Value, RouteError>;
