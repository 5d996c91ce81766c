//! The `ai` snapshot taken in the node's isolated world of the tab (see `ai.js`).

use serde_json::{Map, Value};

use crate::page::{Page, COMMAND_MS};
use crate::route::RouteError;

const SCRIPT: &str = include_str!("ai.js");

pub struct Taken {
    pub snapshot: String,
    /// `{ref: {role, name?}}` in line order.
    pub refs: Map<String, Value>,
    /// Names the document the snapshot was taken of.
    pub document: String,
}

pub fn take(page: &Page) -> Result<Taken, RouteError> {
    let world = page.world()?;
    let value = page.evaluate_in(Some(world), SCRIPT, COMMAND_MS)?;
    let text = |key: &str| value[key].as_str().unwrap_or_default().to_string();
    Ok(Taken {
        snapshot: text("snapshot"),
        refs: value["refs"].as_object().cloned().unwrap_or_default(),
        document: text("document"),
    })
}
