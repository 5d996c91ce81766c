//! Attacks on the `fs` capability with the `lister` fixture: links out of a root (relative,
//! absolute, swapped mid-call), `..`, paths beside the root, and the node's state dir placed
//! inside a root.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use openclaw_runtime::{Failure, PluginHost, Services};
use openclaw_test_support::fixtures::LISTER;
use serde_json::{json, Value};

use super::{call, grants, services, SECOND};

/// A host with `lister` granted `fs` over `root`, and `private` kept out of every capability.
async fn lister(dir: &tempfile::TempDir, root: &Path, private: Option<&Path>) -> PluginHost {
    let grant = format!("{{ allowReadPaths = [\"{}\"] }}", root.display());
    lister_granted(dir, &grant, private).await
}

/// A host with `lister` granted `fs = <grant>`, and `private` kept out of every capability.
pub async fn lister_granted(
    dir: &tempfile::TempDir,
    grant: &str,
    private: Option<&Path>,
) -> PluginHost {
    let mut services = services(dir);
    if let Some(private) = private {
        services = services.with_private_dir(private.to_path_buf());
    }
    lister_with(dir, grant, services).await
}

/// A host with `lister` granted `fs = <grant>`, on `services`.
pub async fn lister_with(dir: &tempfile::TempDir, grant: &str, services: Services) -> PluginHost {
    let plugins = dir.path().join("plugins");
    openclaw_files::private_dir(&plugins).unwrap();
    std::fs::copy(LISTER.path(), plugins.join("lister.wasm")).unwrap();
    let toml = format!("[plugins.lister]\ncapabilities = [\"fs\"]\nfs = {grant}\n");
    let host = PluginHost::new(None, grants(dir, &toml), services, Vec::new()).unwrap();
    let errors = host.load_all(Some(&plugins)).await;
    assert!(errors.is_empty(), "{errors:?}");
    host
}

async fn list(host: &PluginHost, path: &Path) -> Result<Value, Failure> {
    let params = json!({"path": path}).to_string();
    let answer = host
        .invoke(&call(), "lister.list", Some(&params), SECOND * 5)
        .await?;
    Ok(serde_json::from_str(&answer).unwrap())
}

fn names(listing: &Value) -> Vec<&str> {
    listing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
pub(crate) async fn links_and_dots_never_lead_out_of_a_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(root.join("a/inner")).unwrap();
    std::fs::create_dir_all(root.join(".hid")).unwrap();
    std::fs::create_dir_all(outside.join("secret")).unwrap();
    std::fs::write(root.join("f.txt"), "x").unwrap();
    symlink("a", root.join("in")).unwrap();
    symlink("../outside", root.join("up")).unwrap();
    symlink(&outside, root.join("abs")).unwrap();
    symlink("missing", root.join("broken")).unwrap();
    let host = lister(&dir, &root, None).await;

    let listing = list(&host, &root).await.unwrap();
    assert_eq!(
        listing["entries"],
        json!([
            {"name": ".hid", "kind": "directory", "target": null},
            {"name": "a", "kind": "directory", "target": null},
            {"name": "abs", "kind": "symlink", "target": null},
            {"name": "broken", "kind": "symlink", "target": null},
            {"name": "f.txt", "kind": "file", "target": null},
            {"name": "in", "kind": "symlink", "target": "directory"},
            {"name": "up", "kind": "symlink", "target": null},
        ])
    );
    assert_eq!(
        names(&list(&host, &root.join("in")).await.unwrap()),
        ["inner"]
    );

    for (path, expected) in [
        (root.join("up"), "EACCES"),
        (root.join("abs"), "EACCES"),
        (root.join("up/secret"), "EACCES"),
        (root.join("../outside"), "outside the directories granted"),
        (dir.path().to_path_buf(), "outside the directories granted"),
        (root.join("f.txt"), "ENOTDIR"),
        (root.join("nope"), "ENOENT"),
    ] {
        let e = list(&host, &path).await.unwrap_err();
        assert_eq!(e.code, "INVALID_REQUEST", "{path:?}: {e:?}");
        assert!(e.message.contains(expected), "{path:?}: {}", e.message);
    }
    let e = list(&host, Path::new("relative/path")).await.unwrap_err();
    assert_eq!(e.message, "INVALID_REQUEST: path must be absolute");
}

#[tokio::test]
async fn the_state_dir_is_never_reached_or_listed_even_inside_a_root() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let state = home.join(".openclaw");
    std::fs::create_dir_all(state.join("identity")).unwrap();
    std::fs::create_dir_all(home.join("projects")).unwrap();
    symlink(".openclaw", home.join("keys")).unwrap();
    symlink("../.openclaw/identity", home.join("projects/id")).unwrap();
    let host = lister(&dir, &home, Some(&state)).await;

    assert_eq!(names(&list(&host, &home).await.unwrap()), ["projects"]);
    assert_eq!(
        names(&list(&host, &home.join("projects")).await.unwrap()),
        Vec::<&str>::new()
    );
    for path in [
        state.clone(),
        state.join("identity"),
        home.join("keys"),
        home.join("projects/id"),
        home.join("projects/../.openclaw"),
    ] {
        let e = list(&host, &path).await.unwrap_err();
        assert!(
            e.message.contains("outside the directories granted"),
            "{path:?}: {}",
            e.message
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_swapped_during_listing_never_leads_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(root.join("inside/harmless")).unwrap();
    std::fs::create_dir_all(outside.join("secret")).unwrap();
    let host = lister(&dir, &root, None).await;

    // `root/flip` turns between a directory inside the root and a link out of it, atomically.
    let stop = Arc::new(AtomicBool::new(false));
    let flipper = {
        let (root, outside, stop) = (root.clone(), outside.clone(), stop.clone());
        std::thread::spawn(move || {
            let (as_dir, as_link) = (root.join("flip.dir"), root.join("flip.link"));
            while !stop.load(Ordering::Relaxed) {
                std::fs::create_dir_all(&as_dir).ok();
                std::fs::rename(&as_dir, root.join("flip")).ok();
                std::fs::remove_file(&as_link).ok();
                symlink(&outside, &as_link).ok();
                std::fs::remove_dir(root.join("flip")).ok();
                std::fs::rename(&as_link, root.join("flip")).ok();
                std::fs::remove_file(root.join("flip")).ok();
            }
        })
    };
    let mut listed_inside = 0;
    for _ in 0..300 {
        if let Ok(listing) = list(&host, &root.join("flip")).await {
            assert!(!names(&listing).contains(&"secret"), "{listing}");
            listed_inside += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    // The race was run, not skipped: some listings landed on the directory inside.
    assert!(listed_inside > 0);
}

#[tokio::test]
async fn absolute_links_lead_only_to_places_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(root.join("a/inner")).unwrap();
    std::fs::create_dir_all(root.join("b")).unwrap();
    std::fs::create_dir_all(outside.join("secret")).unwrap();
    std::fs::write(root.join("f.txt"), "x").unwrap();
    // Written as the real node host's users write them: absolute, into the same tree.
    symlink(root.join("a"), root.join("abs-in")).unwrap();
    symlink(root.join("b/../a"), root.join("abs-dots")).unwrap();
    symlink(root.join("f.txt"), root.join("abs-file")).unwrap();
    // Each a way out: `..` past the root, a link to a link out, a relative link out.
    symlink(root.join("../outside"), root.join("abs-up")).unwrap();
    symlink(&outside, root.join("hop")).unwrap();
    symlink(root.join("hop"), root.join("abs-hop")).unwrap();
    symlink("../../outside", root.join("b/rel-out")).unwrap();
    symlink(root.join("b/rel-out"), root.join("abs-rel-out")).unwrap();
    symlink(root.join("hop/secret"), root.join("abs-through")).unwrap();
    let host = lister(&dir, &root, None).await;

    let listing = list(&host, &root).await.unwrap();
    let target = |name: &str| {
        listing["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name} not listed: {listing}"))["target"]
            .clone()
    };
    assert_eq!(target("abs-in"), "directory");
    assert_eq!(target("abs-dots"), "directory");
    assert_eq!(target("abs-file"), "file");
    for out in ["abs-up", "hop", "abs-hop", "abs-rel-out", "abs-through"] {
        assert_eq!(target(out), Value::Null, "{out}");
    }
    assert_eq!(
        names(&list(&host, &root.join("abs-in")).await.unwrap()),
        ["inner"]
    );
    for out in [
        "abs-up",
        "abs-hop",
        "abs-rel-out",
        "abs-through",
        "abs-up/secret",
    ] {
        let e = list(&host, &root.join(out)).await.unwrap_err();
        assert_eq!(e.code, "INVALID_REQUEST", "{out}: {e:?}");
        // Refused as a relative link out is: the kernel would not go there for the root.
        assert!(e.message.contains("EACCES"), "{out}: {}", e.message);
    }
}

#[tokio::test]
async fn an_absolute_link_into_the_state_dir_is_hidden_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let state = home.join(".openclaw");
    std::fs::create_dir_all(state.join("identity")).unwrap();
    std::fs::create_dir_all(home.join("projects")).unwrap();
    symlink(&state, home.join("keys")).unwrap();
    symlink(state.join("identity"), home.join("projects/id")).unwrap();
    symlink(home.join("projects/../.openclaw"), home.join("dots")).unwrap();
    let host = lister(&dir, &home, Some(&state)).await;

    assert_eq!(names(&list(&host, &home).await.unwrap()), ["projects"]);
    assert_eq!(
        names(&list(&host, &home.join("projects")).await.unwrap()),
        Vec::<&str>::new()
    );
    for path in [
        home.join("keys"),
        home.join("keys/identity"),
        home.join("projects/id"),
        home.join("dots"),
    ] {
        let e = list(&host, &path).await.unwrap_err();
        assert_eq!(e.code, "INVALID_REQUEST", "{path:?}: {e:?}");
        assert!(!e.message.contains("device"), "{path:?}: {}", e.message);
    }
}
