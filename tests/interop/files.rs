//! `fs.listDir` on both node hosts: the same tree, the same calls, and the one listing the
//! real node host gives for it, which ours must give too.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

use openclaw_test_support::real::text;

/// Directories (one hidden, names that sort differently by case), a file, a link to a
/// directory and a broken link.
pub fn make_tree(tree: &Path) {
    for d in ["b", "a", "B", ".hid", "a/inner"] {
        std::fs::create_dir_all(tree.join(d)).unwrap();
    }
    std::fs::write(tree.join("f.txt"), "x").unwrap();
    symlink("a", tree.join("link")).unwrap();
    symlink("missing", tree.join("broken")).unwrap();
}

/// The real node host's listing of `tree` for a node whose home is `home`.
fn listing(tree: &Path, home: &Path) -> Value {
    let p = |name: &str| tree.join(name).display().to_string();
    json!({
        "path": tree.display().to_string(),
        "parent": tree.parent().unwrap().display().to_string(),
        "home": home.display().to_string(),
        "entries": [
            {"name": "B", "path": p("B")},
            {"name": "a", "path": p("a")},
            {"name": "b", "path": p("b")},
            {"name": "link", "path": p("link")},
            {"name": ".hid", "path": p(".hid"), "hidden": true},
        ],
    })
}

/// Makes each call through `invoke` (params as JSON text, to a CLI's output) and checks the
/// answer: the listing of `tree` for a node whose home is `home`, or the error text.
pub fn check_calls(tree: &Path, home: &Path, invoke: impl Fn(&str) -> Output) {
    for (params, expected) in calls(tree) {
        let params = params.to_string();
        let out = invoke(&params);
        match expected {
            Ok(()) => {
                assert!(out.status.success(), "{params}: {}", text(&out));
                let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(reply["payload"], listing(tree, home), "{params}");
            }
            Err(message) => assert!(
                !out.status.success() && text(&out).contains(&message),
                "{params}: {}",
                text(&out)
            ),
        }
    }
}

/// The params of the calls, and what each must answer: the listing, or the error text.
fn calls(tree: &Path) -> Vec<(Value, Result<(), String>)> {
    let missing = tree.join("nope").display().to_string();
    vec![
        (json!({"path": format!("{}/", tree.display())}), Ok(())),
        (
            json!({"path": missing}),
            Err(format!(
                "Error: ENOENT: no such file or directory, scandir '{missing}'"
            )),
        ),
        (
            json!({"path": 7}),
            Err("Error: INVALID_REQUEST: path must be a string".into()),
        ),
        (
            json!({"path": "relative"}),
            Err("Error: fs.listDir path must be absolute".into()),
        ),
    ]
}
