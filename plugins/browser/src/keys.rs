//! Key presses as DevTools input events: a key name as the agent writes it (`Enter`,
//! `ArrowDown`, `a`, `Control+a`, `Shift+Tab`), in Playwright's naming, to the key-down and
//! key-up events Chromium needs to act as if a keyboard pressed it.

use serde_json::{json, Value};

/// A named key: its `key`, `code`, Windows key code, and the text it types.
struct Named {
    key: &'static str,
    code: &'static str,
    key_code: i64,
    text: Option<&'static str>,
}

const NAMED: &[Named] = &[
    named("Enter", "Enter", 13, Some("\r")),
    named("Tab", "Tab", 9, Some("\t")),
    named("Escape", "Escape", 27, None),
    named("Backspace", "Backspace", 8, None),
    named("Delete", "Delete", 46, None),
    named("Insert", "Insert", 45, None),
    named("ArrowUp", "ArrowUp", 38, None),
    named("ArrowDown", "ArrowDown", 40, None),
    named("ArrowLeft", "ArrowLeft", 37, None),
    named("ArrowRight", "ArrowRight", 39, None),
    named("Home", "Home", 36, None),
    named("End", "End", 35, None),
    named("PageUp", "PageUp", 33, None),
    named("PageDown", "PageDown", 34, None),
    named(" ", "Space", 32, Some(" ")),
    named("Shift", "ShiftLeft", 16, None),
    named("Control", "ControlLeft", 17, None),
    named("Alt", "AltLeft", 18, None),
    named("Meta", "MetaLeft", 91, None),
    named("F1", "F1", 112, None),
    named("F5", "F5", 116, None),
    named("F12", "F12", 123, None),
];

const fn named(
    key: &'static str,
    code: &'static str,
    key_code: i64,
    text: Option<&'static str>,
) -> Named {
    Named {
        key,
        code,
        key_code,
        text,
    }
}

/// The DevTools modifier bit of a modifier key's name.
fn modifier_bit(name: &str) -> Option<i64> {
    match name {
        "Alt" => Some(1),
        "Control" | "ControlOrMeta" => Some(2),
        "Meta" => Some(4),
        "Shift" => Some(8),
        _ => None,
    }
}

/// The `Input.dispatchKeyEvent` params for pressing `combo`, in order; an error names a key
/// this does not know.
pub fn press_events(combo: &str) -> Result<Vec<Value>, String> {
    if combo.is_empty() {
        return Err("key is required".into());
    }
    // `+` alone, or a combo ending in `+` (`Control++`), names the plus key.
    let (modifier_names, key) = match combo.rsplit_once('+') {
        Some((mods, "")) if !mods.is_empty() => (mods.strip_suffix('+').unwrap_or(mods), "+"),
        Some((mods, key)) if !mods.is_empty() => (mods, key),
        _ => ("", combo),
    };
    let mut modifiers = 0;
    let mut events = Vec::new();
    for name in modifier_names.split('+').filter(|n| !n.is_empty()) {
        let bit = modifier_bit(name).ok_or_else(|| format!("Unknown key: \"{name}\""))?;
        modifiers |= bit;
        let k = NAMED
            .iter()
            .find(|k| k.key == name.trim_end_matches("OrMeta"));
        let (k, code, key_code) = k.map_or((name, name, 0), |k| (k.key, k.code, k.key_code));
        events.push(json!({"type": "rawKeyDown", "key": k, "code": code,
            "windowsVirtualKeyCode": key_code, "modifiers": modifiers}));
    }
    let (down, up) = key_events(key, modifiers)?;
    events.push(down);
    events.push(up);
    for name in modifier_names.split('+').filter(|n| !n.is_empty()).rev() {
        modifiers &= !modifier_bit(name).unwrap_or(0);
        events.push(
            json!({"type": "keyUp", "key": name.trim_end_matches("OrMeta"),
            "modifiers": modifiers}),
        );
    }
    Ok(events)
}

fn key_events(key: &str, modifiers: i64) -> Result<(Value, Value), String> {
    let named = NAMED.iter().find(|k| k.key == key || k.code == key);
    let (key, code, key_code, text) = if let Some(k) = named {
        (
            k.key.to_string(),
            k.code.to_string(),
            k.key_code,
            k.text.map(String::from),
        )
    } else {
        let mut chars = key.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return Err(format!("Unknown key: \"{key}\""));
        };
        let upper = c.to_ascii_uppercase();
        let (code, key_code) = if c.is_ascii_alphabetic() {
            (format!("Key{upper}"), upper as i64)
        } else if c.is_ascii_digit() {
            (format!("Digit{c}"), c as i64)
        } else {
            (String::new(), 0)
        };
        (c.to_string(), code, key_code, Some(c.to_string()))
    };
    // With Control, Alt or Meta held a key types nothing; it is a shortcut.
    let text = text.filter(|_| modifiers & 0b111 == 0);
    let mut down = json!({"type": if text.is_some() { "keyDown" } else { "rawKeyDown" },
        "key": key, "code": code, "windowsVirtualKeyCode": key_code, "modifiers": modifiers});
    if let Some(text) = text {
        down["text"] = json!(text);
        down["unmodifiedText"] = json!(text);
    }
    let up = json!({"type": "keyUp", "key": key, "code": code,
        "windowsVirtualKeyCode": key_code, "modifiers": modifiers});
    Ok((down, up))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_types_a_return_and_shortcuts_type_nothing() {
        let enter = press_events("Enter").unwrap();
        assert_eq!(enter.len(), 2);
        assert_eq!(enter[0]["text"], "\r");
        assert_eq!(enter[0]["windowsVirtualKeyCode"], 13);
        let select_all = press_events("Control+a").unwrap();
        assert_eq!(select_all.len(), 4);
        assert_eq!(select_all[1]["key"], "a");
        assert_eq!(select_all[1]["modifiers"], 2);
        assert!(select_all[1].get("text").is_none());
        assert_eq!(select_all[3]["modifiers"], 0);
        assert_eq!(press_events("Shift+Tab").unwrap()[1]["modifiers"], 8);
        assert_eq!(press_events("Control++").unwrap()[1]["key"], "+");
        assert!(press_events("Hyper+a").is_err());
        assert!(press_events("NoSuchKey").is_err());
    }
}
