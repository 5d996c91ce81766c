//! `openclaw config validate [--json]`, and the refusals of `get`/`set`/`unset` on a file that
//! is already invalid, in the real CLI's words and shapes. Problems go to stderr, exit 1.

use std::path::Path;

use serde_json::{json, Value};

use super::check::{check, Issue};
use super::path::Segment;
use super::report::{json_issues, lines, short};

/// The config file as read: its value, its text, and what is wrong with it.
pub struct Loaded {
    pub root: Value,
    pub text: Option<String>,
    pub issues: Vec<Issue>,
}

/// Reads and checks the file; no file is an empty config. Only a read failure is an error.
pub fn load(file: &Path) -> Result<Loaded, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Loaded {
                root: json!({}),
                text: None,
                issues: Vec::new(),
            })
        }
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    let (root, issues) = match json5::from_str::<Value>(&text) {
        Ok(root) => {
            let issues = check(&root);
            (root, issues)
        }
        Err(e) => (
            json!({}),
            vec![Issue {
                path: Vec::<Segment>::new(),
                message: format!("JSON5 parse failed: {e}"),
                allowed: Vec::new(),
            }],
        ),
    };
    Ok(Loaded {
        root,
        text: Some(text),
        issues,
    })
}

fn issue_lines(loaded: &Loaded, file: &Path, marker: &str) -> Vec<String> {
    let raw = loaded.text.as_deref().unwrap_or_default();
    lines(&loaded.issues, raw, &loaded.root, file, marker)
}

fn print_json(value: &Value, pretty: bool) {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    println!("{}", text.unwrap_or_default());
}

/// `config validate`: exits 1 when the file is missing or invalid.
pub fn run(file: &Path, json: bool) -> Result<(), String> {
    let loaded = load(file)?;
    let at = short(file);
    let path = file.display().to_string();
    if loaded.text.is_none() {
        if json {
            let failure = json!({"ok": false, "error": {"type": "cli_error", "message": "file not found"}, "valid": false, "path": path});
            print_json(&failure, false);
        } else {
            eprintln!("Config file not found: {at}");
            eprintln!("Create one with openclaw onboard or run openclaw doctor --fix.");
        }
        std::process::exit(1);
    }
    if !loaded.issues.is_empty() {
        let message = format!("OpenClaw config is invalid: {at}");
        if json {
            let failure = json!({
                "ok": false,
                "error": {"type": "cli_error", "message": message},
                "valid": false,
                "path": path,
                "issues": json_issues(&loaded.issues),
            });
            print_json(&failure, true);
        } else {
            eprintln!("{message}");
            for line in issue_lines(&loaded, file, "×") {
                eprintln!("  {line}");
            }
            eprintln!();
            eprintln!("Run `openclaw doctor --fix` to repair, or fix the keys above manually.");
            eprintln!("Inspect with openclaw config validate.");
        }
        std::process::exit(1);
    }
    if json {
        print_json(&json!({"valid": true, "path": path, "warnings": []}), false);
    } else {
        println!("Config valid: {at}");
    }
    Ok(())
}

/// `config get` on an invalid file.
pub fn refuse_read(loaded: &Loaded, file: &Path, json: bool) -> ! {
    let message = format!("OpenClaw config is invalid: {}", short(file));
    if json {
        let failure = json!({
            "ok": false,
            "error": {"type": "cli_error", "message": message},
            "issues": json_issues(&loaded.issues),
        });
        print_json(&failure, true);
    } else {
        eprintln!("{message}");
        for line in issue_lines(loaded, file, "-") {
            eprintln!("{line}");
        }
        eprintln!("Run `openclaw doctor --fix` to repair, then retry.");
    }
    std::process::exit(1)
}

/// `config set`/`unset` on an invalid file: nothing is written.
pub fn refuse_write(loaded: &Loaded, file: &Path) -> ! {
    eprintln!("OpenClaw config is invalid");
    eprintln!("File: {}", short(file));
    eprintln!("Problem:");
    for line in issue_lines(loaded, file, "-") {
        eprintln!("  {line}");
    }
    eprintln!();
    eprintln!("Inspect: openclaw config validate");
    eprintln!(
        "Audit, status, health, logs, tasks list/audit, and doctor commands still run with invalid config."
    );
    eprintln!("Run \"openclaw doctor --fix\" to repair the config, then retry.");
    std::process::exit(1)
}
