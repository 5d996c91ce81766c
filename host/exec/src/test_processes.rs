//! What the tests of runs share: the pids a test script wrote down, and whether they end.

use std::path::Path;
use std::time::{Duration, Instant};

/// The pids in `file`, one a line.
pub fn pids_in(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

/// Running or sleeping; a zombie waiting for its reaper is dead.
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        !state.starts_with('Z') && !state.starts_with('X')
    })
}

/// Waits up to 5 s for every one of `pids` to end; answers those still alive.
pub async fn survivors(pids: &[i32]) -> Vec<i32> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    pids.iter().copied().filter(|&p| alive(p)).collect()
}
