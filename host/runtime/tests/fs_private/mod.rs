//! The node's private dirs and files against the `lister` fixture: a write that makes its
//! parents never makes one in a private place, and the secret files that live apart from the
//! state dir (the config and its `.bak`, the approvals, the grants, the service's env file)
//! are refused through every `fs` function, by their own path and by any other, while a file
//! beside them is served.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::fs_files::{ask, code, read, write};
use super::fs_roots::{lister_granted, lister_with};
use super::services;

/// The names in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn with_parents(path: &Path) -> serde_json::Value {
    json!({"path": path, "content": "x", "parents": true})
}

#[tokio::test]
async fn creating_parents_makes_nothing_inside_the_state_dir() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let state = home.join(".openclaw");
    std::fs::create_dir_all(state.join("identity")).unwrap();
    symlink(".openclaw", home.join("state-link")).unwrap();
    // A write root that holds the state dir, links followed: the check must hold by itself.
    let grant = format!(
        "{{ allowReadPaths = [\"{0}\"], allowWritePaths = [\"{0}\"], followSymlinks = true }}",
        home.display()
    );
    let host = lister_granted(&dir, &grant, Some(&state)).await;

    let planted: [PathBuf; 4] = [
        // A dir where the node looks for its grants would stop it at its next start.
        state.join("plugin-grants.toml/x"),
        state.join("identity/new/deeper/f"),
        state.join("new/f"),
        home.join("state-link/exec-approvals.json/x"),
    ];
    for path in &planted {
        let c = code(ask(&host, "write", with_parents(path)).await);
        assert_eq!(c, "REFUSED", "{path:?}");
    }
    assert_eq!(entries(&state), ["identity"]);
    assert!(entries(&state.join("identity")).is_empty());

    // Beside the state dir, the parents are made.
    let made = ask(&host, "write", with_parents(&home.join("other/deeper/f")))
        .await
        .unwrap();
    assert_eq!(made["size"], 1);
}

#[tokio::test]
async fn secret_files_are_never_read_looked_up_written_or_listed_and_a_file_beside_is() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let config_dir = home.join(".config/openclaw");
    let elsewhere = home.join("elsewhere");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(home.join("other")).unwrap();
    let config = config_dir.join("openclaw.json");
    let backup = config_dir.join("openclaw.json.bak");
    let approvals = elsewhere.join("exec-approvals.json");
    let env_file = elsewhere.join("node.systemd.env");
    // Not there yet: no plugin may be the one to make it, nor the dir it would be in.
    let grants = elsewhere.join("plugin-grants.toml");
    let unborn = home.join("not-yet/openclaw.json");
    for (path, text) in [
        (&config, "CONFIG TOKEN"),
        (&backup, "BACKUP TOKEN"),
        (&approvals, "APPROVALS"),
        (&env_file, "ENV TOKEN"),
    ] {
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(config_dir.join("control.txt"), "control").unwrap();
    // A config write caught half-way: its temp file holds the next token until the rename.
    let temp = config_dir.join(".openclaw.json.4242.0f0f.tmp");
    std::fs::write(&temp, "NEXT TOKEN").unwrap();
    std::fs::write(config_dir.join(".control.txt.4242.0f0f.tmp"), "draft").unwrap();
    // The same name elsewhere is no secret: identity decides, not the name.
    std::fs::write(home.join("other/openclaw.json"), "{}").unwrap();
    symlink(".config/openclaw", home.join("cfg")).unwrap();
    symlink(".config/openclaw/openclaw.json", home.join("token-link")).unwrap();
    let services = [&config, &backup, &approvals, &env_file, &grants, &unborn]
        .into_iter()
        .fold(services(&dir), |s, p| s.with_private_file(p.clone()));
    let secrets = [&config, &backup, &approvals, &env_file, &grants];
    let grant = format!(
        "{{ allowReadPaths = [\"{0}\"], allowWritePaths = [\"{0}\"], followSymlinks = true }}",
        home.display()
    );
    let host = lister_with(&dir, &grant, services).await;

    let aliases = [
        home.join("cfg/openclaw.json"),
        home.join("cfg/openclaw.json.bak"),
    ];
    let existing = [&config, &backup, &approvals, &env_file, &temp];
    for path in existing.iter().copied().chain(&aliases) {
        for command in ["canonical", "lstat", "read"] {
            let c = code(ask(&host, command, json!({"path": path})).await);
            assert_eq!(c, "REFUSED", "{command} {path:?}");
        }
    }
    for path in secrets.iter().copied().chain(&aliases) {
        for replace in [true, false] {
            let c = code(write(&host, path, "pwned", replace).await);
            assert_eq!(c, "REFUSED", "write {path:?}");
        }
    }
    let c = code(ask(&host, "canonical", json!({"path": home.join("token-link")})).await);
    assert_eq!(c, "REFUSED");
    for path in [grants.join("x"), unborn.clone(), unborn.join("x")] {
        let c = code(ask(&host, "write", with_parents(&path)).await);
        assert_eq!(c, "REFUSED", "{path:?}");
    }
    assert!(!grants.exists(), "a plugin made the grants file");
    assert!(
        !home.join("not-yet").exists(),
        "a plugin made the config's dir"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "CONFIG TOKEN");
    assert_eq!(std::fs::read_to_string(&env_file).unwrap(), "ENV TOKEN");

    // Their dirs still list, without them; a link to one is hidden like the file.
    let listed = |path: PathBuf| {
        let host = &host;
        async move {
            let listing = ask(host, "list", json!({"path": path})).await.unwrap();
            let names: Vec<String> = listing["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["name"].as_str().unwrap().to_string())
                .collect();
            names
        }
    };
    let beside = [".control.txt.4242.0f0f.tmp", "control.txt"];
    assert_eq!(listed(config_dir.clone()).await, beside);
    assert_eq!(listed(home.join("cfg")).await, beside);
    assert!(listed(elsewhere.clone()).await.is_empty());
    assert_eq!(
        listed(home.clone()).await,
        [".config", "cfg", "elsewhere", "other"]
    );

    // The file beside them, and one of the same name elsewhere, are served.
    let control = config_dir.join("control.txt");
    assert_eq!(read(&host, &control).await.unwrap()["content"], "control");
    write(&host, &control, "changed", true).await.unwrap();
    assert_eq!(std::fs::read_to_string(&control).unwrap(), "changed");
    let same_name = home.join("other/openclaw.json");
    assert_eq!(read(&host, &same_name).await.unwrap()["content"], "{}");
    write(&host, &same_name, "[]", true).await.unwrap();
}
