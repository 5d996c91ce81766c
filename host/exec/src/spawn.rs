//! Runs argv directly (no shell), with empty stdin, the node's environment less what could
//! steer the command (see `env`), output capped, and the whole process
//! group killed at the timeout, or when the call is dropped (the plugin's deadline passed, or
//! the gateway cancelled the invoke).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

/// Output kept from a run (stdout and stderr together).
pub const OUTPUT_CAP: usize = 200_000;
const TRUNCATED: &str = "\n... (truncated)";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    pub error: Option<String>,
}

/// What to start.
pub struct Launch<'a> {
    /// The file to execute; `None` looks `argv[0]` up on PATH.
    pub program: Option<&'a Path>,
    pub argv: &'a [String],
    pub cwd: Option<&'a Path>,
    /// Overrides on top of the node's (filtered) environment.
    pub env: &'a [(String, String)],
}

pub async fn run(launch: &Launch<'_>, timeout: Option<Duration>) -> Outcome {
    let Launch {
        program,
        argv,
        cwd,
        env,
    } = *launch;
    if let Some(refused) = cwd.and_then(missing_dir) {
        return refused;
    }
    let mut cmd = command(program, argv, cwd, env);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            let code = match e.kind() {
                std::io::ErrorKind::NotFound => "ENOENT".to_string(),
                std::io::ErrorKind::PermissionDenied => "EACCES".to_string(),
                _ => e.to_string(),
            };
            return Outcome {
                error: Some(format!("spawn {} {code}", argv[0])),
                ..Outcome::default()
            };
        }
    };
    let group = GroupGuard(child.id());
    let (out, err) = (
        child.stdout.take().expect("piped"),
        child.stderr.take().expect("piped"),
    );
    let budget = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(OUTPUT_CAP));
    let read_out = tokio::spawn(read_capped(out, budget.clone()));
    let read_err = tokio::spawn(read_capped(err, budget));
    let (status, timed_out) = match timeout {
        Some(t) => match tokio::time::timeout(t, child.wait()).await {
            Ok(status) => (status.ok(), false),
            Err(_) => {
                group.kill();
                (child.wait().await.ok(), true)
            }
        },
        None => (child.wait().await.ok(), false),
    };
    let (stdout, out_cut) = read_out.await.unwrap_or_default();
    let (stderr, err_cut) = read_err.await.unwrap_or_default();
    std::mem::forget(group);
    let (stdout, stderr) = captured(stdout, out_cut, stderr, err_cut);
    Outcome {
        exit_code: status.and_then(|s| s.code()),
        timed_out,
        stdout,
        stderr,
        error: None,
    }
}

/// The outcome of a run whose working directory is not a directory, as the real node host
/// words it; `None` when it is one.
pub(crate) fn missing_dir(dir: &Path) -> Option<Outcome> {
    let checked = std::fs::metadata(dir).and_then(|m| match m.is_dir() {
        true => Ok(()),
        false => Err(std::io::Error::other("not a directory")),
    });
    let e = checked.err()?;
    Some(Outcome {
        error: Some(format!(
            "node exec working directory does not exist on the node host: {} (os reported: {e})",
            dir.display()
        )),
        ..Outcome::default()
    })
}

/// A command for `argv` (run as `program` when given, else looked up on PATH) in its own
/// process group, killed when dropped, with the node's environment less what could steer it
/// (see `env`) and `env` on top. Its stdio is the caller's to set.
pub(crate) fn command(
    program: Option<&Path>,
    argv: &[String],
    cwd: Option<&Path>,
    env: &[(String, String)],
) -> Command {
    let mut cmd = match program {
        Some(program) => {
            let mut cmd = Command::new(program);
            cmd.arg0(&argv[0]);
            cmd
        }
        None => Command::new(&argv[0]),
    };
    cmd.args(&argv[1..]).process_group(0).kill_on_drop(true);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    cmd.env_clear();
    for (name, value) in std::env::vars_os() {
        let (Some(n), Some(v)) = (name.to_str(), value.to_str()) else {
            continue;
        };
        if let Some(v) = crate::env::inherited(n, v) {
            cmd.env(n, v);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    cmd.env("OPENCLAW_CLI", "1");
    cmd
}

/// The output of a run, capped at [`OUTPUT_CAP`] for both streams together, with the
/// truncation mark where the real node host puts it.
pub(crate) fn captured(
    stdout: Vec<u8>,
    out_cut: bool,
    mut stderr: Vec<u8>,
    err_cut: bool,
) -> (String, String) {
    let mut stdout = String::from_utf8_lossy(&stdout).to_string();
    if out_cut || err_cut {
        if stderr.is_empty() {
            stdout.push_str(TRUNCATED);
        } else {
            stderr.extend_from_slice(TRUNCATED.as_bytes());
        }
    }
    (stdout, String::from_utf8_lossy(&stderr).to_string())
}

/// Reads to the end, keeping what fits the shared budget. Returns the bytes and whether any
/// were dropped.
pub(crate) async fn read_capped(
    mut r: impl AsyncRead + Unpin,
    budget: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> (Vec<u8>, bool) {
    use std::sync::atomic::Ordering;
    let mut kept = Vec::new();
    let mut cut = false;
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = r.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let take = budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                Some(left - left.min(n))
            })
            .map(|left| left.min(n))
            .unwrap_or(0);
        kept.extend_from_slice(&buf[..take]);
        cut |= take < n;
    }
    (kept, cut)
}

/// The process group of one run. Dropped before the run finished (its future was dropped),
/// it kills the whole group, grandchildren included.
pub(crate) struct GroupGuard(pub(crate) Option<u32>);

impl GroupGuard {
    pub(crate) fn kill(&self) {
        if let Some(pgid) = self.0 {
            // SAFETY: kill(2) with a negative pid signals the process group we created.
            unsafe {
                libc::kill(-(pgid as i32), libc::SIGKILL);
            }
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run_argv(argv: &[String], cwd: Option<&Path>, timeout: Option<Duration>) -> Outcome {
        let launch = Launch {
            program: None,
            argv,
            cwd,
            env: &[],
        };
        run(&launch, timeout).await
    }

    fn argv(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[tokio::test]
    async fn runs_captures_caps_and_times_out() {
        let o = run_argv(
            &argv(&["sh", "-c", "echo hi; echo err >&2; exit 3"]),
            None,
            None,
        )
        .await;
        assert_eq!(
            (o.exit_code, o.stdout.as_str(), o.stderr.as_str()),
            (Some(3), "hi\n", "err\n")
        );

        let o = run_argv(
            &argv(&["sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a"]),
            None,
            None,
        )
        .await;
        assert_eq!(o.stdout.len(), OUTPUT_CAP + TRUNCATED.len());
        assert!(o.stdout.ends_with(TRUNCATED));

        let started = std::time::Instant::now();
        let o = run_argv(
            &argv(&["sh", "-c", "sleep 30 & sleep 30"]),
            None,
            Some(Duration::from_millis(200)),
        )
        .await;
        assert!(o.timed_out && o.exit_code.is_none());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the whole group was killed"
        );

        let o = run_argv(&argv(&["no-such-binary-xyz"]), None, None).await;
        assert_eq!(o.error.as_deref(), Some("spawn no-such-binary-xyz ENOENT"));
        let o = run_argv(&argv(&["ls"]), Some(Path::new("/no/such/dir")), None).await;
        assert!(o.error.unwrap().starts_with(
            "node exec working directory does not exist on the node host: /no/such/dir"
        ));
    }

    #[tokio::test]
    async fn a_dropped_run_kills_its_grandchildren() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let script = format!(
            "sleep 300 & echo $! > {0}; sh -c 'sleep 300 & echo $! >> {0}; wait' & wait",
            pids.display()
        );
        let script_argv = argv(&["sh", "-c", &script]);
        let running = run_argv(&script_argv, None, None);
        let waited = tokio::time::timeout(Duration::from_millis(500), running).await;
        assert!(waited.is_err(), "the script runs until dropped");
        let pids = crate::test_processes::pids_in(&pids);
        assert_eq!(pids.len(), 2);
        let survivors = crate::test_processes::survivors(&pids).await;
        assert!(survivors.is_empty(), "grandchildren {survivors:?} survived");
    }
}
