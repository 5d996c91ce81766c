//! `fs.listDir` through our gateway and node host, over a real tree in the node user's home:
//! hidden directories, files, links inside and out of the home, a broken link, an unreadable
//! directory, and the node's state dir inside that home with a link to it: neither may show
//! or open.

use std::os::unix::fs::{symlink, PermissionsExt};

use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use openclaw_test_support::running_as_root;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fs_list_dir_lists_directories_under_home_and_never_the_state_dir() {
    let home = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let h = home.path();
    for d in ["b", "a", "B", ".hid", "a/inner", "locked"] {
        std::fs::create_dir_all(h.join(d)).unwrap();
    }
    std::fs::write(h.join("file.txt"), "x").unwrap();
    symlink("a", h.join("link")).unwrap();
    symlink("missing", h.join("broken")).unwrap();
    symlink(outside.path(), h.join("away")).unwrap();
    // The node's state dir, with its keys, inside the home; and a link to it.
    let state = h.join(".openclaw");
    symlink(".openclaw", h.join("keys")).unwrap();
    // The same, written as absolute paths: the one into the home lists, the other never.
    symlink(h.join("a"), h.join("abs")).unwrap();
    symlink(&state, h.join("keys-abs")).unwrap();

    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let home_env = h.display().to_string();
    let state_env = state.display().to_string();
    let env = [
        ("HOME", home_env.as_str()),
        ("OPENCLAW_STATE_DIR", state_env.as_str()),
    ];
    let (_node, id) = start_paired_in(&gw, &op, "files-node", json!({}), &env).await;
    assert!(
        state.join("identity").exists(),
        "the node keeps its keys in the home"
    );
    std::fs::set_permissions(h.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();

    let listing = call(&op, &id, "fs.listDir", json!({})).await;
    let p = |name: &str| h.join(name).display().to_string();
    assert_eq!(
        listing,
        json!({
            "path": home_env,
            "parent": h.parent().unwrap().display().to_string(),
            "home": home_env,
            "entries": [
                {"name": "B", "path": p("B")},
                {"name": "a", "path": p("a")},
                {"name": "abs", "path": p("abs")},
                {"name": "b", "path": p("b")},
                {"name": "link", "path": p("link")},
                {"name": "locked", "path": p("locked")},
                {"name": ".hid", "path": p(".hid"), "hidden": true},
            ],
        })
    );
    let inner = call(
        &op,
        &id,
        "fs.listDir",
        json!({"path": format!("{}/link/", p(""))}),
    )
    .await;
    assert_eq!(inner["path"], p("link"));
    assert_eq!(
        inner["entries"],
        json!([{"name": "inner", "path": format!("{}/inner", p("link"))}])
    );
    let through_abs = call(&op, &id, "fs.listDir", json!({"path": p("abs")})).await;
    assert_eq!(
        through_abs["entries"],
        json!([{"name": "inner", "path": format!("{}/inner", p("abs"))}])
    );

    let failed = |path: String| {
        let op = &op;
        let id = &id;
        async move { refused(op, id, "fs.listDir", json!({"path": path})).await }
    };
    let (code, text) = failed(p("nope")).await;
    assert_eq!(code, "INVALID_REQUEST");
    assert_eq!(
        text,
        format!(
            "Error: ENOENT: no such file or directory, scandir '{}'",
            p("nope")
        )
    );
    assert!(failed(p("file.txt"))
        .await
        .1
        .starts_with("Error: ENOTDIR: "));
    if !running_as_root() {
        assert!(failed(p("locked")).await.1.starts_with("Error: EACCES: "));
    }
    for escape in [
        p("keys"),
        p("keys-abs"),
        p("keys-abs/identity"),
        p(".openclaw"),
        p(".openclaw/identity"),
        p("away"),
        "/".into(),
    ] {
        let (code, text) = failed(escape.clone()).await;
        assert_eq!(code, "INVALID_REQUEST", "{escape}");
        assert!(text.starts_with("Error: "), "{escape}: {text}");
        assert!(!text.contains("device.json"), "{escape}: {text}");
    }
    assert_eq!(
        failed("relative".into()).await.1,
        "Error: fs.listDir path must be absolute"
    );
    assert_eq!(
        refused(&op, &id, "fs.listDir", json!({"path": 7})).await.1,
        "Error: INVALID_REQUEST: path must be a string"
    );
    std::fs::set_permissions(h.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
}
