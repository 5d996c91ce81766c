//! Attacks on the file functions of `fs` (`canonical`, `lstat`, `read-file`, `write-file`)
//! with the `lister` fixture: links and `..` out of a root, a link swapped mid-read, a hard
//! link to a key file, a FIFO in a file's place, the node's state dir inside a root, and
//! writes outside the write roots or through links.

use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use openclaw_runtime::{Failure, PluginHost};
use serde_json::{json, Value};

use super::fs_roots::lister_granted;
use super::{call, SECOND};

pub async fn ask(host: &PluginHost, command: &str, params: Value) -> Result<Value, Failure> {
    let params = params.to_string();
    let answer = host
        .invoke(
            &call(),
            &format!("lister.{command}"),
            Some(&params),
            SECOND * 5,
        )
        .await?;
    Ok(serde_json::from_str(&answer).unwrap())
}

pub async fn read(host: &PluginHost, path: &Path) -> Result<Value, Failure> {
    ask(host, "read", json!({"path": path})).await
}

pub async fn write(
    host: &PluginHost,
    path: &Path,
    content: &str,
    replace: bool,
) -> Result<Value, Failure> {
    ask(
        host,
        "write",
        json!({"path": path, "content": content, "replace": replace}),
    )
    .await
}

pub fn code(result: Result<Value, Failure>) -> String {
    match result {
        Ok(v) => panic!("expected a failure, got {v}"),
        Err(e) => e.code,
    }
}

/// A tree with a secret beside the root and links toward it.
fn tree(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let root = dir.join("root");
    let outside = dir.join("outside");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(root.join("sub/f.txt"), "inside").unwrap();
    std::fs::write(outside.join("secret"), "SECRET").unwrap();
    symlink("../outside", root.join("up")).unwrap();
    symlink(&outside, root.join("abs")).unwrap();
    symlink(outside.join("secret"), root.join("abs-file")).unwrap();
    symlink("sub/f.txt", root.join("in-file")).unwrap();
    (root, outside)
}

#[tokio::test]
async fn reads_and_lookups_never_leave_a_root() {
    let dir = tempfile::tempdir().unwrap();
    let (root, outside) = tree(dir.path());
    let grant = format!(
        "{{ allowReadPaths = [\"{}\"], followSymlinks = true }}",
        root.display()
    );
    let host = lister_granted(&dir, &grant, None).await;

    let ok = read(&host, &root.join("sub/f.txt")).await.unwrap();
    assert_eq!(ok["content"], "inside");
    assert_eq!(ok["info"]["kind"], "file");
    let canonical = ask(&host, "canonical", json!({"path": root.join("in-file")}))
        .await
        .unwrap();
    assert_eq!(
        canonical["canonical"],
        root.canonicalize()
            .unwrap()
            .join("sub/f.txt")
            .display()
            .to_string()
    );
    // A link as the last name is not followed by a read.
    assert_eq!(code(read(&host, &root.join("in-file")).await), "ELOOP");

    for path in [
        root.join("up/secret"),
        root.join("abs/secret"),
        root.join("../outside/secret"),
        outside.join("secret"),
    ] {
        let c = code(read(&host, &path).await);
        assert!(c == "REFUSED" || c == "EACCES", "{path:?}: {c}");
    }
    for path in [
        root.join("abs-file"),
        root.join("up"),
        root.join("abs/secret"),
    ] {
        let c = code(ask(&host, "canonical", json!({"path": path})).await);
        assert_eq!(c, "REFUSED", "{path:?}");
    }
    assert_eq!(
        code(ask(&host, "lstat", json!({"path": outside.join("secret")})).await),
        "REFUSED"
    );
    // The link itself lies inside: its own metadata may be read.
    let own = ask(&host, "lstat", json!({"path": root.join("abs-file")}))
        .await
        .unwrap();
    assert_eq!(own["kind"], "symlink");
    assert_eq!(code(read(&host, &root.join("nope")).await), "ENOENT");
    assert_eq!(code(read(&host, &root.join("sub")).await), "EISDIR");
    assert_eq!(code(read(&host, Path::new("relative")).await), "EINVAL");
}

#[tokio::test]
async fn a_hard_link_to_a_key_and_a_fifo_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("device.json"), "PRIVATE KEY").unwrap();
    std::fs::hard_link(state.join("device.json"), home.join("innocent.txt")).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        home.join("pipe"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    let grant = format!("{{ allowReadPaths = [\"{}\"] }}", home.display());
    let host = lister_granted(&dir, &grant, Some(&state)).await;

    let e = read(&host, &home.join("innocent.txt")).await.unwrap_err();
    assert_eq!(e.code, "EMLINK");
    assert!(!e.message.contains("PRIVATE"), "{}", e.message);
    // Opened without blocking, then refused: the call returns at once.
    assert_eq!(code(read(&host, &home.join("pipe")).await), "EINVAL");
}

#[tokio::test]
async fn the_state_dir_inside_a_root_is_never_read_looked_up_or_written() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let state = home.join(".openclaw");
    std::fs::create_dir_all(state.join("identity")).unwrap();
    std::fs::write(state.join("identity/device.json"), "PRIVATE KEY").unwrap();
    symlink(".openclaw/identity/device.json", home.join("key-link")).unwrap();
    symlink(".openclaw", home.join("state-link")).unwrap();
    // Links followed: the private dir must hold by itself.
    let grant = format!(
        "{{ allowReadPaths = [\"{0}\"], allowWritePaths = [\"{0}\"], followSymlinks = true }}",
        home.display()
    );
    let host = lister_granted(&dir, &grant, Some(&state)).await;

    for path in [
        state.join("identity/device.json"),
        home.join("state-link/identity/device.json"),
        home.join("x/../.openclaw/identity/device.json"),
    ] {
        assert_eq!(code(read(&host, &path).await), "REFUSED", "{path:?}");
        let c = code(ask(&host, "lstat", json!({"path": path})).await);
        assert_eq!(c, "REFUSED", "{path:?}");
    }
    for path in [
        state.clone(),
        home.join("state-link"),
        home.join("key-link"),
    ] {
        let c = code(ask(&host, "canonical", json!({"path": path})).await);
        assert_eq!(c, "REFUSED", "{path:?}");
    }
    assert_eq!(
        code(ask(&host, "lstat", json!({"path": state})).await),
        "REFUSED"
    );
    for path in [
        state.join("identity/device.json"),
        state.join("planted"),
        home.join("state-link/planted"),
    ] {
        assert_eq!(
            code(write(&host, &path, "x", true).await),
            "REFUSED",
            "{path:?}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(state.join("identity/device.json")).unwrap(),
        "PRIVATE KEY"
    );
    assert!(!state.join("planted").exists());
}

#[tokio::test]
async fn writes_stay_under_write_roots_and_never_go_through_links() {
    let dir = tempfile::tempdir().unwrap();
    let (root, outside) = tree(dir.path());
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    symlink(outside.join("secret"), out.join("trap")).unwrap();
    symlink(&outside, out.join("away")).unwrap();
    let grant = format!(
        "{{ allowReadPaths = [\"{}\"], allowWritePaths = [\"{}\"], followSymlinks = true }}",
        root.display(),
        out.display()
    );
    let host = lister_granted(&dir, &grant, None).await;

    // Readable is not writable.
    assert_eq!(
        code(write(&host, &root.join("sub/new"), "x", false).await),
        "REFUSED"
    );
    assert_eq!(
        code(write(&host, &root.join("sub/f.txt"), "x", true).await),
        "REFUSED"
    );
    // A link as the last name is refused, not written through; one as a parent cannot leave.
    assert_eq!(
        code(write(&host, &out.join("trap"), "pwned", true).await),
        "ELOOP"
    );
    let c = code(write(&host, &out.join("away/secret"), "pwned", true).await);
    assert!(c == "REFUSED" || c == "EACCES", "{c}");
    let c = code(
        ask(
            &host,
            "write",
            json!({"path": out.join("away/new/f"), "content": "x", "parents": true}),
        )
        .await,
    );
    assert!(c == "REFUSED" || c == "EACCES", "{c}");
    assert_eq!(
        std::fs::read_to_string(outside.join("secret")).unwrap(),
        "SECRET"
    );
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);

    // A new file is 0600; keep refuses to replace; replace keeps the old mode.
    let made = write(&host, &out.join("new.txt"), "one", false)
        .await
        .unwrap();
    assert_eq!(made["size"], 3);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out.join("new.txt")), 0o600);
    assert_eq!(
        code(write(&host, &out.join("new.txt"), "two", false).await),
        "EEXIST"
    );
    assert_eq!(std::fs::read_to_string(out.join("new.txt")).unwrap(), "one");
    std::fs::set_permissions(out.join("new.txt"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let replaced = write(&host, &out.join("new.txt"), "three", true)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("new.txt")).unwrap(),
        "three"
    );
    assert_eq!(mode(&out.join("new.txt")), 0o640);
    assert_eq!(
        replaced["inode"],
        std::fs::metadata(out.join("new.txt")).unwrap().ino()
    );
    assert_eq!(code(write(&host, &out, "x", true).await), "EISDIR");
    assert_eq!(
        code(write(&host, &out.join("missing/f"), "x", false).await),
        "ENOENT"
    );
    let deep = ask(
        &host,
        "write",
        json!({"path": out.join("a/b/f"), "content": "deep", "parents": true}),
    )
    .await
    .unwrap();
    assert_eq!(deep["size"], 4);
    assert_eq!(mode(&out.join("a/b")), 0o755);
    // No temp file is left behind by any of it.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".openclaw-write-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_swapped_during_reads_never_leads_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(root.join("inside")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("f"), "SECRET").unwrap();
    let grant = format!(
        "{{ allowReadPaths = [\"{}\"], followSymlinks = true }}",
        root.display()
    );
    let host = lister_granted(&dir, &grant, None).await;

    // `root/flip` turns between a dir inside holding `f` and a link to the dir outside.
    let stop = Arc::new(AtomicBool::new(false));
    let flipper = {
        let (root, outside, stop) = (root.clone(), outside.clone(), stop.clone());
        std::thread::spawn(move || {
            let (as_dir, as_link) = (root.join("flip.dir"), root.join("flip.link"));
            let gone = root.join("flip.gone");
            while !stop.load(Ordering::Relaxed) {
                std::fs::create_dir_all(&as_dir).ok();
                std::fs::write(as_dir.join("f"), "inside").ok();
                std::fs::rename(&as_dir, root.join("flip")).ok();
                std::fs::remove_file(&as_link).ok();
                symlink(&outside, &as_link).ok();
                // Each state holds a moment, so that reads meet both.
                std::thread::sleep(std::time::Duration::from_micros(200));
                // Whatever `flip` is, moved aside and removed without following it.
                std::fs::rename(root.join("flip"), &gone).ok();
                std::fs::remove_dir_all(&gone).ok();
                std::fs::rename(&as_link, root.join("flip")).ok();
                std::thread::sleep(std::time::Duration::from_micros(200));
                std::fs::rename(root.join("flip"), &gone).ok();
                std::fs::remove_dir_all(&gone).ok();
            }
        })
    };
    let mut read_inside = 0;
    for _ in 0..300 {
        if let Ok(got) = read(&host, &root.join("flip/f")).await {
            assert_eq!(got["content"], "inside");
            read_inside += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    assert!(read_inside > 0, "the race was run, not skipped");
}

#[tokio::test]
async fn without_follow_symlinks_no_path_passes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("real")).unwrap();
    std::fs::write(root.join("real/f"), "x").unwrap();
    symlink("real", root.join("alias")).unwrap();
    let grant = format!(
        "{{ allowReadPaths = [\"{0}\"], allowWritePaths = [\"{0}\"] }}",
        root.display()
    );
    let host = lister_granted(&dir, &grant, None).await;

    assert_eq!(
        read(&host, &root.join("real/f")).await.unwrap()["content"],
        "x"
    );
    assert_eq!(code(read(&host, &root.join("alias/f")).await), "ELOOP");
    assert_eq!(
        code(write(&host, &root.join("alias/g"), "y", false).await),
        "ELOOP"
    );
    let c = code(
        ask(
            &host,
            "write",
            json!({"path": root.join("alias/new/g"), "content": "y", "parents": true}),
        )
        .await,
    );
    assert_eq!(c, "ELOOP");
    assert!(!root.join("real/g").exists() && !root.join("real/new").exists());
    // Looking up is not following: the link and its target may still be named.
    let canonical = ask(&host, "canonical", json!({"path": root.join("alias/f")}))
        .await
        .unwrap();
    assert_eq!(
        canonical["canonical"],
        root.join("real/f").display().to_string()
    );
}
