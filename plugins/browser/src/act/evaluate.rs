//! `evaluate`: the agent's JavaScript, run in the page as the page's own script, read the way
//! the real service reads it. A function is called (with the element when a ref is given); an
//! expression is evaluated (and called when it is a function); anything else runs as the body
//! of an async function. The value comes back as JSON; a DOM node as `"ref: <Node>"`.

use serde_json::{json, Value};

use super::element::{in_main_world, Found};
use crate::page::Page;
use crate::route::RouteError;

/// How long the agent's code may run: the action's time less half a second, 1 s to 120 s.
fn budget(timeout_ms: u64) -> u64 {
    let outer = timeout_ms.clamp(500, 120_000);
    outer.saturating_sub(500).clamp(1_000, 120_000)
}

fn parses_as_expression(page: &Page, source: &str) -> Result<bool, RouteError> {
    let reply = page.send(
        "Runtime.compileScript",
        json!({"expression": format!("({source}\n)"), "sourceURL": "", "persistScript": false}),
    )?;
    Ok(reply.get("exceptionDetails").is_none())
}

fn body(source: &str, expression: bool) -> String {
    if expression {
        format!("const __value = ({source}\n);\nreturn typeof __value === 'function' ? __value(el) : __value;")
    } else {
        format!("return (async () => {{\n{source}\n}})();")
    }
}

/// The whole function sent to the page: the agent's code raced against its time.
fn wrapper(source: &str, expression: bool, ms: u64) -> String {
    format!(
        "async function(el) {{
  const run = async () => {{ {} }};
  const late = new Promise((_, reject) => setTimeout(() => reject(new Error('evaluate timed out after {ms}ms')), {ms}));
  const value = await Promise.race([run(), late]);
  return value instanceof Node ? 'ref: <Node>' : value;
}}",
        body(source, expression)
    )
}

/// The value, or `None` for `undefined`.
pub fn run(
    page: &Page,
    source: &str,
    element: Option<&Found>,
    timeout_ms: u64,
) -> Result<Option<Value>, RouteError> {
    let expression = parses_as_expression(page, source)?;
    if !expression && !parses_as_expression(page, &format!("async () => {{\n{source}\n}}"))? {
        let reply = page.send(
            "Runtime.compileScript",
            json!({"expression": format!("(async () => {{\n{source}\n}})"), "sourceURL": "", "persistScript": false}),
        )?;
        let why = reply["exceptionDetails"]["exception"]["description"]
            .as_str()
            .and_then(|d| d.lines().next())
            .unwrap_or("SyntaxError");
        let why = why.strip_prefix("SyntaxError: ").unwrap_or(why);
        return Err(RouteError::new(
            500,
            format!("Error: page.evaluate: Error: Invalid evaluate function: {why}"),
        ));
    }
    let ms = budget(timeout_ms);
    let function = wrapper(source, expression, ms);
    let target = match element {
        Some(found) => in_main_world(page, found)?,
        // Without an element, the function is called on the page's global object.
        None => page.send("Runtime.evaluate", json!({"expression": "globalThis"}))?["result"]
            ["objectId"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    };
    let args = if element.is_some() {
        json!([{"objectId": target}])
    } else {
        json!([])
    };
    let reply = page.send_within(
        "Runtime.callFunctionOn",
        json!({
            "objectId": target,
            "functionDeclaration": function,
            "arguments": args,
            "returnByValue": true,
            "awaitPromise": true,
        }),
        (ms + 2_000) as u32,
    );
    page.send("Runtime.releaseObject", json!({"objectId": target}))
        .ok();
    let reply = reply?;
    if let Some(details) = reply.get("exceptionDetails") {
        let description = details["exception"]["description"]
            .as_str()
            .or(details["exception"]["value"].as_str())
            .or(details["text"].as_str())
            .unwrap_or("Error");
        let first = description.lines().next().unwrap_or_default();
        let message = first.split_once(": ").map_or(first, |(_, m)| m);
        return Err(RouteError::new(
            500,
            format!("Error: page.evaluate: Error: Invalid evaluate function: {message}"),
        ));
    }
    Ok(reply["result"].get("value").cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agents_time_leaves_half_a_second() {
        assert_eq!(budget(20_000), 19_500);
        assert_eq!(budget(100), 1_000);
        assert_eq!(budget(500_000), 119_500);
    }
}
