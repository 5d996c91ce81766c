//! What a service action answers: the real CLI's JSON envelope `{action, ok, result|error,
//! message, service, hints, hintItems, warnings}`, or its text (lines on stdout; an error on
//! stderr followed by `Tip:` lines on stdout).

use serde_json::{json, Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub kind: &'static str,
    pub text: String,
}

impl Hint {
    pub fn new(kind: &'static str, text: impl Into<String>) -> Hint {
        Hint {
            kind,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub action: &'static str,
    pub ok: bool,
    pub result: Option<&'static str>,
    pub message: Option<String>,
    pub error: Option<String>,
    /// Whether the unit is enabled, when the action says.
    pub loaded: Option<bool>,
    pub hints: Vec<Hint>,
    pub warnings: Vec<String>,
    /// Text mode's stdout on success; JSON leaves them out.
    pub lines: Vec<String>,
}

impl Outcome {
    pub fn done(action: &'static str, result: &'static str, loaded: bool) -> Outcome {
        Outcome {
            action,
            ok: true,
            result: Some(result),
            message: None,
            error: None,
            loaded: Some(loaded),
            hints: Vec::new(),
            warnings: Vec::new(),
            lines: Vec::new(),
        }
    }

    pub fn failed(action: &'static str, error: impl Into<String>) -> Outcome {
        Outcome {
            action,
            ok: false,
            result: None,
            message: None,
            error: Some(error.into()),
            loaded: None,
            hints: Vec::new(),
            warnings: Vec::new(),
            lines: Vec::new(),
        }
    }

    pub fn with_hints(mut self, hints: Vec<Hint>) -> Outcome {
        self.hints = hints;
        self
    }

    /// A message that text mode prints as its one line.
    pub fn with_message(mut self, message: impl Into<String>) -> Outcome {
        let message = message.into();
        self.lines.push(message.clone());
        self.message = Some(message);
        self
    }

    pub fn json(&self) -> Value {
        let mut out = Map::new();
        out.insert("action".into(), json!(self.action));
        out.insert("ok".into(), json!(self.ok));
        if let Some(result) = self.result {
            out.insert("result".into(), json!(result));
        }
        if let Some(error) = &self.error {
            out.insert("error".into(), json!(error));
        }
        if let Some(message) = &self.message {
            out.insert("message".into(), json!(message));
        }
        if let Some(loaded) = self.loaded {
            out.insert("service".into(), service_json(loaded));
        }
        if !self.hints.is_empty() {
            let texts: Vec<&str> = self.hints.iter().map(|h| h.text.as_str()).collect();
            let items: Vec<Value> = self
                .hints
                .iter()
                .map(|h| json!({"kind": h.kind, "text": h.text}))
                .collect();
            out.insert("hints".into(), json!(texts));
            out.insert("hintItems".into(), json!(items));
        }
        if !self.warnings.is_empty() {
            out.insert("warnings".into(), json!(self.warnings));
        }
        Value::Object(out)
    }

    /// Prints the outcome and answers the exit code.
    pub fn print(&self, as_json: bool) -> u8 {
        if as_json {
            println!(
                "{}",
                serde_json::to_string_pretty(&self.json()).expect("JSON")
            );
        } else if self.ok {
            for line in &self.lines {
                println!("{line}");
            }
        } else {
            eprintln!("{}", self.error.as_deref().unwrap_or_default());
            for hint in &self.hints {
                println!("Tip: {}", hint.text);
            }
        }
        if self.ok {
            0
        } else {
            1
        }
    }
}

/// The `service` object every answer carries.
pub fn service_json(loaded: bool) -> Value {
    json!({"label": "systemd", "loaded": loaded, "loadedText": "enabled", "notLoadedText": "disabled"})
}
