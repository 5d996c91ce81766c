use std::os::unix::fs::{MetadataExt as _, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::*;

fn staging(root: &Path) -> UploadStaging {
    UploadStaging::new(root.to_path_buf()).with_lock_wait(Duration::from_millis(200))
}

fn staged_dirs(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(PREFIX))
        .collect();
    names.sort();
    names
}

fn set_mtime(path: &Path, to: SystemTime) {
    std::fs::File::open(path).unwrap().set_modified(to).unwrap();
}

#[test]
fn an_upload_is_a_new_0600_file_in_a_new_0700_dir() {
    let root = tempfile::tempdir().unwrap();
    let staged = staging(root.path()).stage("notes.txt", b"hello").unwrap();
    assert_eq!(staged.size, 5);
    assert_eq!(std::fs::read(&staged.path).unwrap(), b"hello");
    let dir = staged.path.parent().unwrap();
    let dir_name = dir.file_name().unwrap().to_str().unwrap();
    assert_eq!(dir.parent().unwrap(), root.path().canonicalize().unwrap());
    assert!(dir_name.starts_with(PREFIX) && dir_name.len() == PREFIX.len() + 6);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700);
    assert_eq!(mode(&staged.path), 0o600);
    // Two uploads of one name never meet.
    let again = staging(root.path()).stage("notes.txt", b"bye").unwrap();
    assert_ne!(again.path, staged.path);
}

#[test]
fn a_name_that_could_leave_its_dir_is_refused_and_nothing_is_made() {
    let root = tempfile::tempdir().unwrap();
    for name in [
        "../escape",
        "a/b",
        "/etc/passwd",
        "..",
        ".",
        "",
        "nul\0byte",
    ] {
        let err = staging(root.path()).stage(name, b"x").unwrap_err();
        assert!(matches!(err, StageError::BadName(_)), "{name:?}: {err}");
    }
    assert!(staged_dirs(root.path()).is_empty());
    assert!(!root.path().parent().unwrap().join("escape").exists());
}

#[test]
fn sixteen_mib_is_the_most_one_upload_holds() {
    let root = tempfile::tempdir().unwrap();
    let max = vec![7u8; MAX_UPLOAD_BYTES as usize];
    assert_eq!(
        staging(root.path()).stage("max", &max).unwrap().size,
        MAX_UPLOAD_BYTES
    );
    let over = vec![7u8; MAX_UPLOAD_BYTES as usize + 1];
    let err = staging(root.path()).stage("over", &over).unwrap_err();
    assert_eq!(err.to_string(), "terminal upload exceeds 16777216 bytes");
}

#[test]
fn sixty_four_staged_dirs_fill_the_staging_area() {
    let root = tempfile::tempdir().unwrap();
    let staging = staging(root.path());
    for i in 0..64 {
        staging.stage(&format!("f{i}"), b"x").unwrap();
    }
    let err = staging.stage("one-more", b"x").unwrap_err();
    assert!(matches!(err, StageError::LimitReached), "{err}");
    assert!(err.to_string().starts_with(
        "terminal upload staging limit reached (256 MiB or 64 files). Move or remove staged files"
    ));
    assert_eq!(staged_dirs(root.path()).len(), 64);
}

#[test]
fn two_hundred_fifty_six_mib_fill_the_staging_area() {
    let root = tempfile::tempdir().unwrap();
    // A staged dir an earlier process left, holding a sparse file 10 bytes short of the cap.
    let earlier = root.path().join(format!("{PREFIX}earlie"));
    std::fs::create_dir(&earlier).unwrap();
    let big = std::fs::File::create(earlier.join("big")).unwrap();
    big.set_len(MAX_STAGED_BYTES - 10).unwrap();
    let staging = staging(root.path());
    let err = staging.stage("eleven", &[0; 11]).unwrap_err();
    assert!(matches!(err, StageError::LimitReached), "{err}");
    staging.stage("ten", &[0; 10]).unwrap();
}

#[test]
fn the_sweep_removes_what_is_due_and_says_when_the_next_is() {
    let root = tempfile::tempdir().unwrap();
    let staging = staging(root.path());
    let old = staging.stage("old", b"x").unwrap();
    let new = staging.stage("new", b"y").unwrap();
    let now = SystemTime::now();
    set_mtime(
        old.path.parent().unwrap(),
        now - RETENTION - Duration::from_secs(5),
    );
    let hour_ago = now - Duration::from_secs(3600);
    set_mtime(new.path.parent().unwrap(), hour_ago);
    let next = staging.sweep().unwrap().expect("one upload left");
    assert!(!old.path.exists());
    assert!(new.path.exists());
    let expected = hour_ago + RETENTION;
    let off = next
        .duration_since(expected)
        .unwrap_or_else(|e| e.duration());
    assert!(off < Duration::from_secs(2), "next due {next:?}");
    set_mtime(new.path.parent().unwrap(), now - RETENTION);
    assert_eq!(staging.sweep().unwrap(), None);
    assert!(staged_dirs(root.path()).is_empty());
}

#[test]
fn a_dir_dated_in_the_future_cannot_postpone_its_removal() {
    let root = tempfile::tempdir().unwrap();
    let staging = staging(root.path()).with_retention(Duration::from_secs(60));
    let staged = staging.stage("f", b"x").unwrap();
    let dir = staged.path.parent().unwrap();
    set_mtime(
        dir,
        SystemTime::now() + Duration::from_secs(10 * 365 * 86400),
    );
    let next = staging.sweep().unwrap().unwrap();
    assert!(next <= SystemTime::now() + Duration::from_secs(61));
    let mtime = std::fs::metadata(dir).unwrap().modified().unwrap();
    assert!(mtime <= SystemTime::now());
}

#[test]
fn a_planted_link_named_like_a_staged_dir_is_neither_followed_nor_counted() {
    let root = tempfile::tempdir().unwrap();
    let victim = tempfile::tempdir().unwrap();
    std::fs::write(victim.path().join("keep"), b"precious").unwrap();
    let link = root.path().join(format!("{PREFIX}planted"));
    std::os::unix::fs::symlink(victim.path(), &link).unwrap();
    let staging = staging(root.path()).with_retention(Duration::ZERO);
    staging.stage("f", b"x").unwrap();
    staging.sweep().unwrap();
    assert_eq!(
        std::fs::read(victim.path().join("keep")).unwrap(),
        b"precious"
    );
    assert!(std::fs::symlink_metadata(&link).is_ok());
}

#[test]
fn a_lock_dir_someone_else_planted_stops_staging() {
    let uid = rustix::process::getuid().as_raw();
    let lock_name = format!(".openclaw-terminal-staging-{uid}");

    // A link in its place, to a dir the attacker controls.
    let root = tempfile::tempdir().unwrap();
    let theirs = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(theirs.path(), root.path().join(&lock_name)).unwrap();
    let err = staging(root.path()).stage("f", b"x").unwrap_err();
    assert!(matches!(err, StageError::LockDirNotPrivate(_)), "{err}");

    // A dir others may write into.
    let root = tempfile::tempdir().unwrap();
    let open = root.path().join(&lock_name);
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = staging(root.path()).stage("f", b"x").unwrap_err();
    assert!(matches!(err, StageError::LockDirNotPrivate(_)), "{err}");
    assert!(staged_dirs(root.path()).is_empty());
}

#[test]
fn another_process_holding_the_lock_makes_staging_busy_not_racy() {
    let root = tempfile::tempdir().unwrap();
    let staging = staging(root.path());
    staging.stage("first", b"x").unwrap();
    let uid = rustix::process::getuid().as_raw();
    let lock_path = root
        .path()
        .join(format!(".openclaw-terminal-staging-{uid}"))
        .join("terminal-upload.lock");
    let held = std::fs::File::open(&lock_path).unwrap();
    rustix::fs::flock(&held, FlockOperation::LockExclusive).unwrap();
    let err = staging.stage("second", b"x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "terminal upload staging is busy; retry after other uploads finish"
    );
    drop(held);
    staging.stage("second", b"x").unwrap();
}

#[test]
fn another_users_staged_dirs_are_left_alone() {
    if rustix::process::getuid().as_raw() != 0 {
        eprintln!("skipped: needs root to give a dir to another user");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let theirs = root.path().join(format!("{PREFIX}others"));
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("f"), b"x").unwrap();
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
    set_mtime(&theirs, SystemTime::now() - RETENTION * 2);
    staging(root.path()).sweep().unwrap();
    assert!(theirs.join("f").exists());
    assert_eq!(std::fs::metadata(&theirs).unwrap().uid(), 65534);
}

#[test]
fn a_browser_proxy_upload_stages_each_file_in_its_own_dir_and_is_discarded_whole() {
    let root = tempfile::tempdir().unwrap();
    let staging = UploadStaging::browser_proxy(root.path().to_path_buf());
    let paths = staging
        .stage_files(&[("a.txt", b"one"), ("a.txt", b""), ("b.bin", b"three")])
        .unwrap();
    let top = root.path().canonicalize().unwrap();
    let dir = paths[0].parent().unwrap().parent().unwrap().to_path_buf();
    assert_eq!(dir.parent().unwrap(), top);
    assert!(dir
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("upload-"));
    for (i, (path, content)) in paths.iter().zip([&b"one"[..], b"", b"three"]).enumerate() {
        assert_eq!(path.parent().unwrap(), dir.join(i.to_string()));
        assert_eq!(std::fs::read(path).unwrap(), content);
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let marker = dir.join(".openclaw-browser-proxy-upload-v1");
    assert_eq!(
        std::fs::read_to_string(marker).unwrap(),
        "openclaw-browser-proxy-upload-v1\n"
    );
    // A bad name anywhere stages nothing.
    let err = staging
        .stage_files(&[("ok.txt", b"x"), ("../x", b"y")])
        .unwrap_err();
    assert!(matches!(err, StageError::BadName(_)), "{err}");
    staging.discard(&paths[1]).unwrap();
    assert!(!dir.exists());
    // Only a staged dir can be discarded.
    assert!(staging.discard(&top).is_err());
    assert!(staging.discard(Path::new("/etc/passwd")).is_err());
    assert!(top.exists());
}
