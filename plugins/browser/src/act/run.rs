//! Carrying out one action on a tab with DevTools input events and page script, as a user
//! would: the pointer moves to the element's middle and presses it, keys go down and up, text
//! arrives as typed input.

use std::time::Duration;

use serde_json::{json, Value};

use super::element::{self, call, failure, point, Found};
use super::normalize::{Action, Button, Element, Field};
use super::wait;
use crate::keys::press_events;
use crate::page::Page;
use crate::route::RouteError;

/// What an action adds to the answer (`evaluate`'s `result`).
pub type Extra = Option<Value>;

fn sleep(ms: u64) {
    if ms > 0 {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

fn mouse(
    page: &Page,
    kind: &str,
    (x, y): (f64, f64),
    button: &str,
    clicks: u32,
    modifiers: i64,
) -> Result<(), RouteError> {
    page.send(
        "Input.dispatchMouseEvent",
        json!({"type": kind, "x": x, "y": y, "button": button, "clickCount": clicks, "modifiers": modifiers}),
    )
    .map(drop)
}

fn click_at(
    page: &Page,
    at: (f64, f64),
    button: Button,
    double: bool,
    modifiers: i64,
    delay_ms: u64,
) -> Result<(), RouteError> {
    mouse(page, "mouseMoved", at, "none", 0, modifiers)?;
    sleep(delay_ms);
    for clicks in 1..=(if double { 2 } else { 1 }) {
        mouse(page, "mousePressed", at, button.name(), clicks, modifiers)?;
        mouse(page, "mouseReleased", at, button.name(), clicks, modifiers)?;
    }
    Ok(())
}

fn modifier_bits(names: &[String]) -> i64 {
    names
        .iter()
        .map(|n| match n.as_str() {
            "Alt" => 1,
            "Control" | "ControlOrMeta" => 2,
            "Meta" => 4,
            "Shift" => 8,
            _ => 0,
        })
        .fold(0, |a, b| a | b)
}

pub fn press(page: &Page, key: &str, delay_ms: u64) -> Result<(), RouteError> {
    let events = press_events(key)
        .map_err(|e| RouteError::new(500, format!("Error: keyboard.press: {e}")))?;
    let downs = events.iter().filter(|e| e["type"] != "keyUp").count();
    for (i, event) in events.into_iter().enumerate() {
        if i == downs {
            sleep(delay_ms);
        }
        page.send("Input.dispatchKeyEvent", event)?;
    }
    Ok(())
}

/// Focuses a text control and selects what it holds, so typed text replaces it.
const FOCUS_FOR_FILL: &str = "function() {
  const el = this;
  if (el.tagName === 'INPUT') {
    const t = (el.type || '').toLowerCase();
    if (['checkbox','radio','file','submit','button','reset','image','range','color','hidden'].includes(t)) return 'input-type';
  } else if (el.tagName !== 'TEXTAREA' && !el.isContentEditable) return 'not-editable';
  if (el.disabled) return 'disabled';
  if (el.readOnly) return 'readonly';
  el.focus();
  if (el.isContentEditable) {
    const range = el.ownerDocument.createRange();
    range.selectNodeContents(el);
    const sel = el.ownerDocument.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  } else el.select();
  return 'ok';
}";

fn fill_text(page: &Page, found: &Found, text: &str) -> Result<(), RouteError> {
    let state = call(page, found, FOCUS_FOR_FILL, &[])?;
    let why = match state.as_str() {
        Some("ok") => None,
        Some("input-type") => Some("has an input type that cannot be filled. Use the interaction appropriate for this control."),
        Some("not-editable") => Some("is not editable: this control does not support text input. Use an editable input, textarea, or contenteditable element."),
        Some("disabled") => Some("is not enabled. Complete any prerequisites that enable the control."),
        _ => Some("is not editable (for example, read-only). Use an editable control."),
    };
    if let Some(why) = why {
        return Err(failure(&found.label, why));
    }
    if text.is_empty() {
        press(page, "Delete", 0)
    } else {
        page.send("Input.insertText", json!({"text": text}))
            .map(drop)
    }
}

fn type_slowly(page: &Page, found: &Found, text: &str) -> Result<(), RouteError> {
    let at = point(page, found)?;
    click_at(page, at, Button::Left, false, 0, 0)?;
    for c in text.chars() {
        let key = c.to_string();
        match press_events(&key) {
            Ok(_) if key != "+" => press(page, &key, 0)?,
            _ => page
                .send("Input.insertText", json!({"text": key}))
                .map(drop)?,
        }
        sleep(75);
    }
    Ok(())
}

const CHECKED: &str = "function() { return this.checked === true; }";

fn fill_field(page: &Page, field: &Field) -> Result<(), RouteError> {
    let found = element::find(page, &Element::Ref(field.reference.clone()))?;
    if field.kind == "checkbox" || field.kind == "radio" {
        let want = matches!(&field.value, Value::Bool(true))
            || field.value == json!(1)
            || field.value == json!("1")
            || field.value == json!("true");
        if call(page, &found, CHECKED, &[])? != json!(want) {
            let at = point(page, &found)?;
            click_at(page, at, Button::Left, false, 0, 0)?;
        }
        return Ok(());
    }
    let text = match &field.value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    fill_text(page, &found, &text)
}

const SELECT: &str = "function(values) {
  if (this.tagName !== 'SELECT') return { error: 'Element is not a <select> element' };
  const options = [...this.options];
  const picked = [];
  for (const v of values) {
    const o = options.find((o) => o.value === v) || options.find((o) => o.label === v || o.textContent.trim() === v);
    if (!o) return { error: `did not find some options` };
    picked.push(o);
  }
  if (!this.multiple && picked.length > 1) picked.length = 1;
  for (const o of options) o.selected = picked.includes(o);
  this.dispatchEvent(new Event('input', { bubbles: true }));
  this.dispatchEvent(new Event('change', { bubbles: true }));
  return { ok: true };
}";

const SCROLL: &str = "function() { this.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' }); }";

/// Whether the focused element takes text.
const EDITABLE_FOCUS: &str = "(() => { const a = document.activeElement; return !!a && (a.isContentEditable || ((a.tagName === 'INPUT' || a.tagName === 'TEXTAREA') && !a.readOnly && !a.disabled)); })()";

pub fn one(page: &Page, action: &Action, timeout_ms: u64) -> Result<Extra, RouteError> {
    match action {
        Action::Click {
            element: e,
            double,
            button,
            modifiers,
            delay_ms,
        } => {
            let found = element::find(page, e)?;
            let at = point(page, &found)?;
            click_at(
                page,
                at,
                *button,
                *double,
                modifier_bits(modifiers),
                *delay_ms,
            )?;
        }
        Action::ClickCoords {
            x,
            y,
            double,
            button,
            delay_ms,
        } => {
            click_at(page, (*x, *y), *button, *double, 0, *delay_ms)?;
        }
        Action::Type {
            element: e,
            text,
            submit,
            slowly,
        } => {
            let found = element::find(page, e)?;
            if *slowly {
                type_slowly(page, &found, text)?;
            } else {
                fill_text(page, &found, text)?;
            }
            if *submit {
                press(page, "Enter", 0)?;
            }
        }
        Action::InsertText(text) => {
            if page.evaluate(EDITABLE_FOCUS, 5_000)? != json!(true) {
                return Err(RouteError::new(
                    500,
                    "Unable to paste text into the browser. Focus an editable field and try again.",
                ));
            }
            page.send("Input.insertText", json!({"text": text}))?;
        }
        Action::Press { key, delay_ms } => press(page, key, *delay_ms)?,
        Action::Hover(e) => {
            let found = element::find(page, e)?;
            let at = point(page, &found)?;
            mouse(page, "mouseMoved", at, "none", 0, 0)?;
        }
        Action::ScrollIntoView(e) => {
            let found = element::find(page, e)?;
            call(page, &found, SCROLL, &[])?;
        }
        Action::Drag { start, end } => {
            let from = element::find(page, start)?;
            let to = element::find(page, end)?;
            let a = point(page, &from)?;
            let b = point(page, &to)?;
            mouse(page, "mouseMoved", a, "none", 0, 0)?;
            mouse(page, "mousePressed", a, "left", 1, 0)?;
            for step in 1..=5 {
                let t = f64::from(step) / 5.0;
                let at = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                page.send("Input.dispatchMouseEvent", json!({"type": "mouseMoved", "x": at.0, "y": at.1, "button": "left", "buttons": 1}))?;
            }
            mouse(page, "mouseReleased", b, "left", 1, 0)?;
        }
        Action::Select { element: e, values } => {
            let found = element::find(page, e)?;
            let done = call(page, &found, SELECT, &[json!(values)])?;
            if let Some(why) = done["error"].as_str() {
                return Err(RouteError::new(
                    500,
                    format!("Error: locator.selectOption: {why}"),
                ));
            }
        }
        Action::Fill(fields) => {
            for field in fields {
                fill_field(page, field)?;
            }
        }
        Action::Resize { width, height } => {
            page.send(
                "Emulation.setDeviceMetricsOverride",
                json!({"width": width, "height": height, "deviceScaleFactor": 0, "mobile": false}),
            )?;
        }
        Action::Wait(w) => wait::run(page, w, timeout_ms)?,
        Action::Evaluate {
            function,
            element: reference,
        } => {
            let found = match reference {
                Some(r) => Some(element::find(page, &Element::Ref(r.clone()))?),
                None => None,
            };
            return super::evaluate::run(page, function, found.as_ref(), timeout_ms);
        }
        Action::Close | Action::Batch { .. } => {
            // Closing and batches are the route's, which knows the tab and the answer.
            unreachable!("handled by the act route")
        }
    }
    Ok(None)
}

/// Actions after which a page may start navigating; the real service waits this long for one.
pub fn may_navigate(action: &Action) -> bool {
    matches!(
        action,
        Action::Click { .. }
            | Action::ClickCoords { .. }
            | Action::Press { .. }
            | Action::Type { submit: true, .. }
    )
}

pub const SETTLE_MS: u64 = 250;

pub fn settle() {
    sleep(SETTLE_MS);
}
