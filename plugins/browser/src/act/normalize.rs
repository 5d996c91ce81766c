//! `POST /act` bodies checked and read as the real service reads them: the same kinds, the same
//! defaults and limits, and the same messages for what is wrong.

use serde_json::{Map, Value};

pub const KINDS: &[&str] = &[
    "batch",
    "click",
    "clickCoords",
    "close",
    "drag",
    "evaluate",
    "fill",
    "hover",
    "insertText",
    "scrollIntoView",
    "press",
    "resize",
    "select",
    "type",
    "wait",
];

/// The kinds that may name their element with a CSS `selector`.
pub const SELECTOR_KINDS: &[&str] = &[
    "batch",
    "click",
    "drag",
    "hover",
    "scrollIntoView",
    "select",
    "type",
    "wait",
];

const MAX_BATCH_DEPTH: usize = 5;
const MAX_BATCH_ACTIONS: usize = 100;

/// An element named by a snapshot ref or a CSS selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    Ref(String),
    Selector(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Button {
    Left,
    Right,
    Middle,
}

impl Button {
    pub fn name(self) -> &'static str {
        match self {
            Button::Left => "left",
            Button::Right => "right",
            Button::Middle => "middle",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub reference: String,
    pub kind: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Wait {
    pub time_ms: Option<u64>,
    pub text: Option<String>,
    pub text_gone: Option<String>,
    pub selector: Option<String>,
    pub url: Option<String>,
    pub load_state: Option<String>,
    pub function: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Click {
        element: Element,
        double: bool,
        button: Button,
        modifiers: Vec<String>,
        delay_ms: u64,
    },
    ClickCoords {
        x: f64,
        y: f64,
        double: bool,
        button: Button,
        delay_ms: u64,
    },
    Type {
        element: Element,
        text: String,
        submit: bool,
        slowly: bool,
    },
    InsertText(String),
    Press {
        key: String,
        delay_ms: u64,
    },
    Hover(Element),
    ScrollIntoView(Element),
    Drag {
        start: Element,
        end: Element,
    },
    Select {
        element: Element,
        values: Vec<String>,
    },
    Fill(Vec<Field>),
    Resize {
        width: u64,
        height: u64,
    },
    Wait(Wait),
    Evaluate {
        function: String,
        element: Option<String>,
    },
    Close,
    Batch {
        actions: Vec<Action>,
        stop_on_error: bool,
    },
}

/// One action with its own `timeoutMs` and `targetId`, as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub action: Action,
    pub timeout_ms: Option<u64>,
    pub target_id: Option<String>,
}

/// Text as the real reads it: strings trimmed, numbers and booleans as text, else empty.
fn text(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn optional_text(body: &Map<String, Value>, key: &str) -> Option<String> {
    Some(text(body, key)).filter(|s| !s.is_empty())
}

/// `true`/`false`, `"true"`/`"1"`/`"yes"`, `"false"`/`"0"`/`"no"`, 1/0.
pub fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn flag(body: &Map<String, Value>, key: &str) -> bool {
    boolean(body.get(key)).unwrap_or(false)
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-negative integer, or the real's message naming `key`.
fn non_negative(body: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        value => match number(value) {
            Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
            _ => Err(format!("{key} must be a non-negative integer.")),
        },
    }
}

pub fn timeout_ms(body: &Map<String, Value>) -> Result<Option<u64>, String> {
    match body.get("timeoutMs") {
        None | Some(Value::Null) => Ok(None),
        value => match number(value) {
            Some(n) if n > 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
            _ => Err("timeoutMs must be a positive integer.".into()),
        },
    }
}

fn element(body: &Map<String, Value>, kind: &str) -> Result<Element, String> {
    element_at(body, "ref", "selector").ok_or_else(|| format!("{kind} requires ref or selector"))
}

fn element_at(body: &Map<String, Value>, reference: &str, selector: &str) -> Option<Element> {
    optional_text(body, reference)
        .map(Element::Ref)
        .or_else(|| optional_text(body, selector).map(Element::Selector))
}

fn button(body: &Map<String, Value>, kind: &str) -> Result<Button, String> {
    match text(body, "button").as_str() {
        "" | "left" => Ok(Button::Left),
        "right" => Ok(Button::Right),
        "middle" => Ok(Button::Middle),
        _ => Err(format!("{kind} button must be left|right|middle")),
    }
}

fn click_delay(body: &Map<String, Value>, kind: &str) -> Result<u64, String> {
    let delay = non_negative(body, "delayMs")?.unwrap_or(0);
    if delay > 5000 {
        return Err(format!("{kind} delayMs exceeds maximum of 5000ms"));
    }
    Ok(delay)
}

fn modifiers(body: &Map<String, Value>) -> Result<Vec<String>, String> {
    let Some(Value::Array(list)) = body.get("modifiers") else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = list
        .iter()
        .filter_map(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let known = ["Alt", "Control", "ControlOrMeta", "Meta", "Shift"];
    if names.iter().any(|n| !known.contains(&n.as_str())) {
        return Err("modifiers must be Alt|Control|ControlOrMeta|Meta|Shift".into());
    }
    Ok(names)
}

/// Key names as the agent may write them, in Playwright's spelling.
fn key_alias(key: &str) -> String {
    if key == " " {
        return "Space".into();
    }
    key.split('+')
        .map(|part| match part.to_ascii_lowercase().as_str() {
            "esc" => "Escape".to_string(),
            "return" => "Enter".to_string(),
            "del" => "Delete".to_string(),
            "ctrl" => "Control".to_string(),
            "cmd" => "Meta".to_string(),
            "space" => "Space".to_string(),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("+")
}

fn fields(body: &Map<String, Value>) -> Result<Vec<Field>, String> {
    let Some(Value::Array(list)) = body
        .get("fields")
        .filter(|f| f.as_array().is_some_and(|a| !a.is_empty()))
    else {
        return Err("fill requires fields".into());
    };
    list.iter()
        .enumerate()
        .map(|(i, entry)| {
            let Value::Object(entry) = entry else {
                return Err(format!("fields[{i}] must be an object"));
            };
            if let Some(key) = entry.keys().find(|k| !["ref", "type", "value"].contains(&k.as_str())) {
                return Err(format!(
                    "fields[{i}] unsupported field key \"{key}\"; supported keys are ref, type, value"
                ));
            }
            let reference = optional_text(entry, "ref")
                .ok_or_else(|| format!("fields[{i}] must include ref"))?;
            let value = entry.get("value").cloned().unwrap_or(Value::Null);
            if matches!(value, Value::Array(_) | Value::Object(_)) {
                return Err(format!(
                    "fields[{i}] value must be a string, number, boolean, or null"
                ));
            }
            Ok(Field {
                reference,
                kind: optional_text(entry, "type").unwrap_or_else(|| "text".into()),
                value,
            })
        })
        .collect()
}

fn wait(body: &Map<String, Value>) -> Result<Wait, String> {
    let time_ms = non_negative(body, "timeMs")?;
    if time_ms.is_some_and(|t| t > 30_000) {
        return Err("wait timeMs exceeds maximum of 30000ms".into());
    }
    let load_state = optional_text(body, "loadState")
        .filter(|s| ["load", "domcontentloaded", "networkidle"].contains(&s.as_str()));
    let wait = Wait {
        time_ms,
        text: optional_text(body, "text"),
        text_gone: optional_text(body, "textGone"),
        selector: optional_text(body, "selector"),
        url: optional_text(body, "url"),
        load_state,
        function: optional_text(body, "fn"),
    };
    if wait == Wait::default() {
        return Err(
            "wait requires at least one of: timeMs, text, textGone, selector, url, loadState, fn"
                .into(),
        );
    }
    Ok(wait)
}

fn count(action: &Action) -> usize {
    match action {
        Action::Batch { actions, .. } => actions.iter().map(count).sum::<usize>() + 1,
        _ => 1,
    }
}

fn action(body: &Map<String, Value>, kind: &str, depth: usize) -> Result<Action, String> {
    Ok(match kind {
        "click" => Action::Click {
            element: element(body, kind)?,
            double: flag(body, "doubleClick"),
            button: button(body, kind)?,
            modifiers: modifiers(body)?,
            delay_ms: click_delay(body, kind)?,
        },
        "clickCoords" => {
            let (x, y) = (number(body.get("x")), number(body.get("y")));
            let (Some(x), Some(y)) = (x, y) else {
                return Err("clickCoords requires non-negative x and y".into());
            };
            if !(x.is_finite() && y.is_finite() && x >= 0.0 && y >= 0.0) {
                return Err("clickCoords requires non-negative x and y".into());
            }
            Action::ClickCoords {
                x,
                y,
                double: flag(body, "doubleClick"),
                button: button(body, kind)?,
                delay_ms: click_delay(body, kind)?,
            }
        }
        "type" => {
            let element = element(body, kind)?;
            let Some(Value::String(text)) = body.get("text") else {
                return Err("type requires text".into());
            };
            Action::Type {
                element,
                text: text.clone(),
                submit: flag(body, "submit"),
                slowly: flag(body, "slowly"),
            }
        }
        "insertText" => match body.get("text") {
            Some(Value::String(text)) => Action::InsertText(text.clone()),
            _ => return Err("insertText requires text".into()),
        },
        "press" => {
            let key = match body.get("key") {
                Some(Value::String(k)) if k == " " => " ".to_string(),
                _ => text(body, "key"),
            };
            if key.is_empty() {
                return Err("press requires key".into());
            }
            Action::Press {
                key: key_alias(&key),
                delay_ms: non_negative(body, "delayMs")?.unwrap_or(0),
            }
        }
        "hover" => Action::Hover(element(body, kind)?),
        "scrollIntoView" => Action::ScrollIntoView(element(body, kind)?),
        "drag" => Action::Drag {
            start: element_at(body, "startRef", "startSelector")
                .ok_or("drag requires startRef or startSelector")?,
            end: element_at(body, "endRef", "endSelector")
                .ok_or("drag requires endRef or endSelector")?,
        },
        "select" => {
            let values: Vec<String> = match body.get("values") {
                Some(Value::Array(v)) => v
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                _ => Vec::new(),
            };
            let element = element_at(body, "ref", "selector");
            match (element, values.is_empty()) {
                (Some(element), false) => Action::Select { element, values },
                _ => return Err("select requires ref/selector and values".into()),
            }
        }
        "fill" => Action::Fill(fields(body)?),
        "resize" => {
            let (w, h) = (number(body.get("width")), number(body.get("height")));
            let (Some(w), Some(h)) = (w, h) else {
                return Err("resize requires positive width and height".into());
            };
            if !(w >= 1.0 && h >= 1.0 && w.fract() == 0.0 && h.fract() == 0.0) {
                return Err("resize requires positive width and height".into());
            }
            if w > 8192.0 || h > 8192.0 {
                return Err("resize width and height must not exceed 8192".into());
            }
            Action::Resize {
                width: w as u64,
                height: h as u64,
            }
        }
        "wait" => Action::Wait(wait(body)?),
        "evaluate" => Action::Evaluate {
            function: optional_text(body, "fn").ok_or("evaluate requires fn")?,
            element: optional_text(body, "ref"),
        },
        "close" => Action::Close,
        "batch" => {
            if depth >= MAX_BATCH_DEPTH {
                return Err(format!(
                    "batch nesting exceeds maximum depth of {MAX_BATCH_DEPTH}"
                ));
            }
            let list = match body.get("actions") {
                Some(Value::Array(list)) if !list.is_empty() => list,
                _ if depth == 0 => return Err("actions are required".into()),
                _ => return Err("batch requires actions".into()),
            };
            let mut actions = Vec::new();
            for entry in list {
                let Value::Object(entry) = entry else {
                    return Err("batch actions must be objects".into());
                };
                let kind = text(entry, "kind");
                if !KINDS.contains(&kind.as_str()) {
                    return Err("kind is required".into());
                }
                actions.push(action(entry, &kind, depth + 1)?);
            }
            let batch = Action::Batch {
                actions,
                stop_on_error: boolean(body.get("stopOnError")).unwrap_or(true),
            };
            if count(&batch) - 1 > MAX_BATCH_ACTIONS {
                return Err(format!(
                    "batch exceeds maximum of {MAX_BATCH_ACTIONS} actions"
                ));
            }
            batch
        }
        _ => return Err("kind is required".into()),
    })
}

/// The body as one action; `Err` carries the real's message for `ACT_INVALID_REQUEST`.
pub fn normalize(body: &Map<String, Value>, kind: &str) -> Result<Request, String> {
    let action = action(body, kind, 0)?;
    Ok(Request {
        action,
        timeout_ms: timeout_ms(body)?,
        target_id: optional_text(body, "targetId"),
    })
}

/// The trimmed kind, when it is one the service knows.
pub fn kind(body: &Map<String, Value>) -> Option<String> {
    let kind = text(body, "kind");
    KINDS.contains(&kind.as_str()).then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value) -> Result<Request, String> {
        let body = body.as_object().unwrap().clone();
        let kind = kind(&body).ok_or("kind is required")?;
        normalize(&body, &kind)
    }

    #[test]
    fn the_real_messages_for_what_is_wrong() {
        let cases = [
            (json!({"kind": "click"}), "click requires ref or selector"),
            (json!({"kind": "click", "ref": "e1", "button": "up"}), "click button must be left|right|middle"),
            (json!({"kind": "click", "ref": "e1", "modifiers": ["Hyper"]}), "modifiers must be Alt|Control|ControlOrMeta|Meta|Shift"),
            (json!({"kind": "click", "ref": "e1", "delayMs": 6000}), "click delayMs exceeds maximum of 5000ms"),
            (json!({"kind": "clickCoords", "x": -1, "y": 2}), "clickCoords requires non-negative x and y"),
            (json!({"kind": "type", "ref": "e1"}), "type requires text"),
            (json!({"kind": "insertText"}), "insertText requires text"),
            (json!({"kind": "press"}), "press requires key"),
            (json!({"kind": "drag", "startRef": "e1"}), "drag requires endRef or endSelector"),
            (json!({"kind": "select", "ref": "e1", "values": []}), "select requires ref/selector and values"),
            (json!({"kind": "fill", "fields": []}), "fill requires fields"),
            (json!({"kind": "fill", "fields": [{"ref": "e1", "x": 1}]}), "fields[0] unsupported field key \"x\"; supported keys are ref, type, value"),
            (json!({"kind": "resize", "width": 0, "height": 5}), "resize requires positive width and height"),
            (json!({"kind": "resize", "width": 9000, "height": 5}), "resize width and height must not exceed 8192"),
            (json!({"kind": "wait"}), "wait requires at least one of: timeMs, text, textGone, selector, url, loadState, fn"),
            (json!({"kind": "wait", "timeMs": 40000}), "wait timeMs exceeds maximum of 30000ms"),
            (json!({"kind": "wait", "timeMs": -1}), "timeMs must be a non-negative integer."),
            (json!({"kind": "evaluate"}), "evaluate requires fn"),
            (json!({"kind": "batch", "actions": []}), "actions are required"),
            (json!({"kind": "batch", "actions": [1]}), "batch actions must be objects"),
            (json!({"kind": "batch", "actions": [{"kind": "nope"}]}), "kind is required"),
            (json!({"kind": "batch", "actions": [{"kind": "batch"}]}), "batch requires actions"),
            (json!({"kind": "press", "key": "a", "timeoutMs": 0}), "timeoutMs must be a positive integer."),
            (json!({"kind": " KIND "}), "kind is required"),
        ];
        for (body, message) in cases {
            assert_eq!(check(body.clone()).unwrap_err(), message, "{body}");
        }
    }

    #[test]
    fn kinds_are_trimmed_keys_aliased_and_booleans_read_loosely() {
        let r = check(json!({"kind": " press ", "key": "ctrl+return"})).unwrap();
        assert_eq!(
            r.action,
            Action::Press {
                key: "Control+Enter".into(),
                delay_ms: 0
            }
        );
        let r = check(json!({"kind": "type", "ref": "e2", "text": "", "submit": "yes"})).unwrap();
        assert!(matches!(r.action, Action::Type { submit: true, .. }));
        let r = check(json!({"kind": "batch", "actions": [{"kind": "close"}], "stopOnError": 0}))
            .unwrap();
        assert!(matches!(
            r.action,
            Action::Batch {
                stop_on_error: false,
                ..
            }
        ));
    }
}
