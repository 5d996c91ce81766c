//! Archives as a user's system `tar` sees them.

use std::path::Path;
use std::process::Command;

/// The members the system's `tar` lists in a gzipped archive, as it prints them.
pub fn tar_listing(gz: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("t.tgz");
    std::fs::write(&archive, gz).unwrap();
    let out = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// Unpacks a gzipped archive into `target` with the system's `tar`.
pub fn untar(gz: &[u8], target: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("t.tgz");
    std::fs::write(&archive, gz).unwrap();
    let out = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
