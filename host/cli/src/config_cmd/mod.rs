//! `openclaw config get|set|unset|file|schema|validate`: the config file (`openclaw.json`)
//! edited as the real CLI edits it. Values are read as JSON5, else taken as text; every write
//! is validated against schema.rs, keeps the previous file as `openclaw.json.bak`, and is
//! atomic and 0600. `agents.list` is written as the roster `agents.entries`. Messages are the
//! real CLI's.

mod check;
mod locate;
mod path;
mod report;
mod roster;
mod rules;
mod schema;
mod schema_json;
mod validate;

use std::path::Path;

use clap::Subcommand;
use serde_json::{Map, Value};

use self::path::{parse, show, Segment};

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Print the config file's path
    File {
        /// Print `{"path": ...}`
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON schema of openclaw.json that this CLI checks
    Schema {
        /// Output JSON (the schema is JSON either way)
        #[arg(long)]
        json: bool,
    },
    /// Check the config file against the schema
    Validate {
        /// Output the validation result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print a value: text bare, objects as JSON
    Get {
        path: String,
        /// Print the value as JSON, and failures as a JSON error
        #[arg(long)]
        json: bool,
    },
    /// Set a value, read as JSON5 (else taken as text)
    Set {
        path: String,
        value: String,
        /// Take the value only as strict JSON
        #[arg(long = "strict-json", alias = "json")]
        strict_json: bool,
    },
    /// Remove a value (an array element is spliced out)
    Unset { path: String },
}

/// Runs the command; a failure is printed as the real CLI prints it and exits with 1.
pub fn run(cmd: ConfigCmd) {
    let file = openclaw_config::config_path(&openclaw_config::state_dir());
    let json_errors = matches!(cmd, ConfigCmd::Get { json: true, .. });
    if let Err(message) = execute(cmd, &file) {
        if json_errors {
            let error = serde_json::json!({"ok": false, "error": {"type": "cli_error", "message": message}});
            println!(
                "{}",
                serde_json::to_string_pretty(&error).unwrap_or_default()
            );
        } else {
            eprintln!("{message}");
        }
        std::process::exit(1);
    }
}

fn execute(cmd: ConfigCmd, file: &Path) -> Result<(), String> {
    match cmd {
        ConfigCmd::File { json } => {
            if json {
                println!("{}", pretty(&serde_json::json!({"path": file})));
            } else {
                println!("{}", file.display());
            }
            Ok(())
        }
        ConfigCmd::Schema { .. } => {
            println!("{}", pretty(&schema_json::document()));
            Ok(())
        }
        ConfigCmd::Validate { json } => validate::run(file, json),
        ConfigCmd::Get { path, json } => {
            let segments = known(&path)?;
            let loaded = validate::load(file)?;
            if !loaded.issues.is_empty() {
                validate::refuse_read(&loaded, file, json);
            }
            let redacted = redacted(&loaded.root, &segments);
            let Some(value) = redacted.as_ref().or(lookup(&loaded.root, &segments)) else {
                return Err(format!("Config path is valid but unset: {path}. The runtime default applies until you set an authored value with openclaw config set {path} <value>."));
            };
            match value {
                Value::String(s) if !json => println!("{s}"),
                other => println!("{}", pretty(other)),
            }
            Ok(())
        }
        ConfigCmd::Set {
            path,
            value,
            strict_json,
        } => {
            let value = read_value(&value, strict_json)?;
            let loaded = validate::load(file)?;
            if !loaded.issues.is_empty() {
                validate::refuse_write(&loaded, file);
            }
            let (mut root, text) = (loaded.root, loaded.text);
            let (segments, value) = roster::rewrite(&root, parse(&path)?, value)?;
            if lookup(&root, &segments) == Some(&value) {
                println!("No change");
                return Ok(());
            }
            put(&mut root, &segments, value)?;
            if let Some(first) = check::check(&root).first() {
                return Err(report::write_refusal(first));
            }
            save(file, &root, text.as_deref())?;
            println!("Updated {path}. {}", when_applied(&segments));
            Ok(())
        }
        ConfigCmd::Unset { path } => {
            let segments = known(&path)?;
            let loaded = validate::load(file)?;
            if !loaded.issues.is_empty() {
                validate::refuse_write(&loaded, file);
            }
            let (mut root, text) = (loaded.root, loaded.text);
            if !remove(&mut root, &segments) {
                return Err(format!("Config path not found: {path}. Nothing was changed. Run openclaw config get <path> first if you are unsure of the path."));
            }
            save(file, &root, text.as_deref())?;
            println!("Removed {path}. {}", when_applied(&segments));
            Ok(())
        }
    }
}

/// When a change takes effect, as the real CLI says it: the exec settings are read at each
/// use, and the gateway re-reads its node command lists and trusted pairing networks when the
/// file changes; the rest is read when the gateway (or node) starts.
fn when_applied(path: &[Segment]) -> &'static str {
    let key = |i: usize| match path.get(i) {
        Some(Segment::Key(k)) => k.as_str(),
        _ => "",
    };
    let nodes = (key(0), key(1)) == ("gateway", "nodes");
    let hot = matches!(key(0), "tools" | "agents")
        || (nodes && key(2) == "commands")
        || (nodes && key(2) == "pairing" && key(3) == "autoApproveCidrs");
    if hot {
        "Change will apply without restarting the gateway."
    } else {
        "Restart the gateway to apply."
    }
}

/// What `get` shows when the value holds secrets (strings at sensitive paths, SecretRef
/// ids): the real's sentinel in their place.
fn redacted(root: &Value, path: &[Segment]) -> Option<Value> {
    let value = lookup(root, path)?;
    let mut copy = value.clone();
    mask(&mut copy, &report::dotted(path));
    (copy != *value).then_some(copy)
}

fn mask(value: &mut Value, at: &str) {
    const SENTINEL: &str = "__OPENCLAW_REDACTED__";
    match value {
        Value::String(s) if report::sensitive(at) => *s = SENTINEL.into(),
        // A SecretRef shows where the secret lives, but not its id.
        Value::Object(map)
            if report::sensitive(at) && check::is_secret_ref(&Value::Object(map.clone())) =>
        {
            map.insert("id".into(), SENTINEL.into());
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                mask(v, &format!("{at}.{k}"));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                mask(v, &format!("{at}.{i}"));
            }
        }
        _ => {}
    }
}

/// A path the schema has.
fn known(path: &str) -> Result<Vec<Segment>, String> {
    let segments = parse(path)?;
    if !schema::knows(&segments) {
        return Err(format!(
            "Unknown config path: {}. Run openclaw config schema to inspect valid paths.",
            show(&segments)
        ));
    }
    Ok(segments)
}

/// Writes the config as plain JSON, the previous file kept as `.bak`; both 0600, atomically.
fn save(file: &Path, root: &Value, previous: Option<&str>) -> Result<(), String> {
    if let Some(previous) = previous {
        let plain = serde_json::from_str::<Value>(previous).is_ok();
        if !plain && (previous.contains("//") || previous.contains("/*")) {
            eprintln!(
                "Config write will strip JSON5 comments from {}.",
                file.display()
            );
        }
        let backup = openclaw_config::backup_path(file);
        openclaw_files::write_atomically(&backup, previous.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", backup.display()))?;
    }
    if let Some(dir) = file.parent() {
        openclaw_files::private_dir(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = pretty(root) + "\n";
    openclaw_files::write_atomically(file, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

fn read_value(text: &str, strict: bool) -> Result<Value, String> {
    if strict {
        return serde_json::from_str(text).map_err(|e| {
            format!("Could not parse \"{text}\" as JSON for --strict-json. {e}. Use valid JSON.")
        });
    }
    Ok(json5::from_str(text).unwrap_or_else(|_| Value::String(text.to_string())))
}

fn lookup<'v>(root: &'v Value, path: &[Segment]) -> Option<&'v Value> {
    path.iter().try_fold(root, |v, segment| match segment {
        Segment::Key(k) => v.as_object()?.get(k),
        Segment::Index(i) => v.as_array()?.get(*i),
    })
}

/// Sets the value, making the objects and arrays on the way.
fn put(root: &mut Value, path: &[Segment], value: Value) -> Result<(), String> {
    let Some((last, above)) = path.split_last() else {
        return Err("Path is empty.".into());
    };
    let mut at = root;
    for (i, segment) in above.iter().enumerate() {
        let next_is_index = matches!(path[i + 1], Segment::Index(_));
        at = child(at, segment, next_is_index);
    }
    match last {
        Segment::Key(k) => {
            if !at.is_object() {
                *at = Value::Object(Map::new());
            }
            at.as_object_mut()
                .expect("made an object")
                .insert(k.clone(), value);
        }
        Segment::Index(i) => {
            // Past the end, as in JavaScript: the gap holds nulls.
            let items = array_of(at);
            if *i >= items.len() {
                items.resize(*i + 1, Value::Null);
            }
            items[*i] = value;
        }
    }
    Ok(())
}

fn child<'v>(at: &'v mut Value, segment: &Segment, next_is_index: bool) -> &'v mut Value {
    let empty = || {
        if next_is_index {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    };
    match segment {
        Segment::Key(k) => {
            if !at.is_object() {
                *at = Value::Object(Map::new());
            }
            let map = at.as_object_mut().expect("made an object");
            let slot = map.entry(k.clone()).or_insert_with(empty);
            if !(slot.is_object() || slot.is_array()) {
                *slot = empty();
            }
            slot
        }
        Segment::Index(i) => {
            let items = array_of(at);
            if *i >= items.len() {
                items.resize(*i + 1, Value::Null);
            }
            let slot = &mut items[*i];
            if !(slot.is_object() || slot.is_array()) {
                *slot = empty();
            }
            slot
        }
    }
}

fn array_of(at: &mut Value) -> &mut Vec<Value> {
    if !at.is_array() {
        *at = Value::Array(Vec::new());
    }
    at.as_array_mut().expect("made an array")
}

/// Removes the value; an array element is spliced out. False when nothing was there.
fn remove(root: &mut Value, path: &[Segment]) -> bool {
    let Some((last, above)) = path.split_last() else {
        return false;
    };
    let mut at = root;
    for segment in above {
        let next = match segment {
            Segment::Key(k) => at.as_object_mut().and_then(|m| m.get_mut(k)),
            Segment::Index(i) => at.as_array_mut().and_then(|a| a.get_mut(*i)),
        };
        match next {
            Some(next) => at = next,
            None => return false,
        }
    }
    match last {
        Segment::Key(k) => at.as_object_mut().and_then(|m| m.remove(k)).is_some(),
        Segment::Index(i) => match at.as_array_mut() {
            Some(items) if *i < items.len() => {
                items.remove(*i);
                true
            }
            _ => false,
        },
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
