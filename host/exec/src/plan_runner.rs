//! Runs a judged script the way its shell would, without a shell: each command is the exact
//! resolved program with its exact argv; pipelines are joined by the node's own pipes, lists
//! by `&&`, `||` and `;` with the shell's exit-status rules (`pipefail`, `errexit`), `cd`
//! moves the script's directory, `exec` ends it, `xtrace` and `verbose` write what a shell
//! writes. All output goes to one stdout and one stderr, captured and capped as for a single
//! program; every process has its group, all killed at the timeout or when the run is dropped.

use std::future::Future;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::unix::pipe;

use crate::plan::{Command, Join, List, Options, Script, Step};
use crate::shell_options;
use crate::spawn::{self, captured, read_capped, GroupGuard, Outcome, OUTPUT_CAP};

/// Runs `script` in `cwd` with the environment overrides `env`.
pub async fn run(
    script: &Script,
    cwd: Option<&Path>,
    env: &[(String, String)],
    timeout: Option<Duration>,
) -> Outcome {
    if let Some(refused) = cwd.and_then(spawn::missing_dir) {
        return refused;
    }
    let start_dir = match cwd {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
    };
    let pipes = (std::io::pipe(), std::io::pipe());
    let (Ok((out_r, out_w)), Ok((err_r, err_w))) = pipes else {
        return Outcome {
            error: Some("cannot create the output pipes".into()),
            ..Outcome::default()
        };
    };
    let budget = Arc::new(AtomicUsize::new(OUTPUT_CAP));
    let readers = [OwnedFd::from(out_r), OwnedFd::from(err_r)].map(|fd| {
        pipe::Receiver::from_owned_fd(fd).map(|r| tokio::spawn(read_capped(r, budget.clone())))
    });
    let [Ok(read_out), Ok(read_err)] = readers else {
        return Outcome {
            error: Some("cannot read the output pipes".into()),
            ..Outcome::default()
        };
    };
    // The node's own writes (traces, messages) go through a description of their own that
    // never blocks the runtime; the commands get the ordinary, blocking one.
    let err_w = OwnedFd::from(err_w);
    let said = pipe::OpenOptions::new().open_sender(format!("/proc/self/fd/{}", err_w.as_raw_fd()));
    let Ok(said) = said else {
        return Outcome {
            error: Some("cannot open the error pipe".into()),
            ..Outcome::default()
        };
    };
    let groups = Groups::default();
    let runner = Runner {
        env,
        stderr: err_w,
        said: tokio::sync::Mutex::new(said),
        groups: groups.clone(),
    };
    let io = Io {
        stdin: None,
        stdout: OwnedFd::from(out_w),
    };
    let running = runner.script(script, &io, start_dir);
    let (status, timed_out) = match timeout {
        Some(t) => match tokio::time::timeout(t, running).await {
            Ok(status) => (Some(status), false),
            Err(_) => {
                groups.kill();
                (None, true)
            }
        },
        None => (Some(running.await), false),
    };
    // The node's own ends closed, the readers end when the last command's copy closes.
    drop((io, runner));
    let (stdout, out_cut) = read_out.await.unwrap_or_default();
    let (stderr, err_cut) = read_err.await.unwrap_or_default();
    groups.disarm();
    let (stdout, stderr) = captured(stdout, out_cut, stderr, err_cut);
    Outcome {
        exit_code: status,
        timed_out,
        stdout,
        stderr,
        error: None,
    }
}

/// The process groups of a run: all killed when the run is dropped before it ends.
#[derive(Clone, Default)]
struct Groups(Arc<Mutex<Option<Vec<GroupGuard>>>>);

impl Groups {
    fn add(&self, pid: Option<u32>) {
        let mut groups = self.0.lock().unwrap_or_else(|p| p.into_inner());
        groups.get_or_insert_with(Vec::new).push(GroupGuard(pid));
    }

    fn kill(&self) {
        let groups = self.0.lock().unwrap_or_else(|p| p.into_inner());
        groups.iter().flatten().for_each(GroupGuard::kill);
    }

    /// The run ended: what its commands left running is theirs, as after a shell.
    fn disarm(&self) {
        let mut groups = self.0.lock().unwrap_or_else(|p| p.into_inner());
        groups
            .take()
            .into_iter()
            .flatten()
            .for_each(std::mem::forget);
    }
}

/// Where a command reads and writes (its stderr is the run's).
struct Io {
    /// `None` is empty input.
    stdin: Option<OwnedFd>,
    stdout: OwnedFd,
}

impl Io {
    fn stdin(&self) -> std::io::Result<Stdio> {
        match &self.stdin {
            Some(fd) => Ok(Stdio::from(fd.try_clone()?)),
            None => Ok(Stdio::null()),
        }
    }

    fn copy(&self) -> std::io::Result<Io> {
        Ok(Io {
            stdin: self.stdin.as_ref().map(OwnedFd::try_clone).transpose()?,
            stdout: self.stdout.try_clone()?,
        })
    }
}

type Status = i32;
type Running<'a> = Pin<Box<dyn Future<Output = Status> + Send + 'a>>;

struct Runner<'a> {
    env: &'a [(String, String)],
    /// The run's stderr, as the commands get it.
    stderr: OwnedFd,
    /// The same pipe, for what the node itself writes there.
    said: tokio::sync::Mutex<pipe::Sender>,
    groups: Groups,
}

/// What a command leaves behind for the rest of its script.
enum After {
    Continue,
    /// `exec` ran: the script ends.
    End,
}

impl<'a> Runner<'a> {
    async fn say(&self, text: &str) {
        self.said.lock().await.write_all(text.as_bytes()).await.ok();
    }

    /// Runs a script in its own state (options and directory), as a nested shell would.
    fn script<'s>(&'s self, script: &'s Script, io: &'s Io, cwd: PathBuf) -> Running<'s> {
        Box::pin(async move {
            let mut state = State {
                options: script.options,
                cwd,
                shell: script.shell,
            };
            if state.options.verbose {
                self.say(&format!("{}\n", script.text)).await;
            }
            let mut status = 0;
            for list in &script.lists {
                let (list_status, after) = self.list(list, io, &mut state).await;
                status = list_status;
                if matches!(after, After::End) {
                    break;
                }
            }
            status
        })
    }

    /// One and-or list. Under `errexit` a failure of its last pipeline ends the script.
    async fn list(&self, list: &List, io: &Io, state: &mut State) -> (Status, After) {
        let mut status = 0;
        let mut ran_last = false;
        for (i, pipeline) in list.pipelines.iter().enumerate() {
            let skip = match i.checked_sub(1).map(|j| list.joins[j]) {
                Some(Join::And) => status != 0,
                Some(Join::Or) => status == 0,
                None => false,
            };
            if skip {
                continue;
            }
            let (pipeline_status, after) = self.pipeline(pipeline, io, state).await;
            status = pipeline_status;
            ran_last = i + 1 == list.pipelines.len();
            if matches!(after, After::End) {
                return (status, After::End);
            }
        }
        let exits = state.options.errexit && ran_last && status != 0;
        (status, if exits { After::End } else { After::Continue })
    }

    async fn pipeline(&self, commands: &[Command], io: &Io, state: &mut State) -> (Status, After) {
        if let [command] = commands {
            return self.command(command, io, state).await;
        }
        // Each command of a longer pipeline runs in a subshell of its own: it cannot change
        // the script's directory or options.
        let ios = match pipeline_ios(io, commands.len()) {
            Ok(ios) => ios,
            Err(e) => return (self.failed("pipe", &e).await, After::Continue),
        };
        let runs = commands.iter().zip(ios).map(|(command, io)| {
            let mut sub = state.clone();
            Box::pin(async move { self.command(command, &io, &mut sub).await.0 }) as Running
        });
        let statuses = futures_util::future::join_all(runs).await;
        let last = *statuses.last().unwrap_or(&0);
        let status = match state.options.pipefail {
            true => statuses
                .iter()
                .rev()
                .copied()
                .find(|s| *s != 0)
                .unwrap_or(0),
            false => last,
        };
        (status, After::Continue)
    }

    async fn command(&self, command: &Command, io: &Io, state: &mut State) -> (Status, After) {
        match command {
            Command::Run(step) => (self.program(step, io, state).await, After::Continue),
            Command::Exec(step) => (self.program(step, io, state).await, After::End),
            Command::Shell(script) => {
                let status = match io.copy() {
                    Ok(io) => self.script(script, &io, state.cwd.clone()).await,
                    Err(e) => self.failed("pipe", &e).await,
                };
                (status, After::Continue)
            }
            Command::Noop(words) => {
                self.trace(state, words).await;
                (0, After::Continue)
            }
            Command::Cd(dir) => {
                self.trace(state, &["cd".to_string(), dir.clone()]).await;
                let target = state.cwd.join(dir);
                if target.is_dir() {
                    state.cwd = target;
                    (0, After::Continue)
                } else {
                    self.say(&format!("cd: {dir}: No such file or directory\n"))
                        .await;
                    (if state.shell == "dash" { 2 } else { 1 }, After::Continue)
                }
            }
            Command::Set(args) => {
                let mut words = vec!["set".to_string()];
                words.extend(args.iter().cloned());
                self.trace(state, &words).await;
                // Read when the script was judged; it cannot fail here.
                for (option, on) in
                    shell_options::set_builtin(state.shell, args).unwrap_or_default()
                {
                    state.options.set(option, on);
                }
                (0, After::Continue)
            }
        }
    }

    async fn program(&self, step: &Step, io: &Io, state: &State) -> Status {
        self.trace(state, &step.argv).await;
        let mut cmd = spawn::command(Some(&step.program), &step.argv, Some(&state.cwd), self.env);
        let stdio = (io.stdin(), io.stdout.try_clone(), self.stderr.try_clone());
        let (Ok(stdin), Ok(stdout), Ok(stderr)) = stdio else {
            let e = std::io::Error::other("cannot pass its stdio");
            return self.failed(&step.argv[0], &e).await;
        };
        cmd.stdin(stdin).stdout(stdout).stderr(stderr);
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => return self.failed(&step.argv[0], &e).await,
        };
        self.groups.add(child.id());
        drop(cmd);
        match child.wait().await {
            Ok(status) => exit_status(status),
            Err(e) => self.failed(&step.argv[0], &e).await,
        }
    }

    /// A command that could not start: the shell's message and status.
    async fn failed(&self, what: &str, e: &std::io::Error) -> Status {
        self.say(&format!("{what}: {e}\n")).await;
        match e.kind() {
            std::io::ErrorKind::NotFound => 127,
            _ => 126,
        }
    }

    /// Under `xtrace`, a command is written to stderr before it runs, as bash writes it.
    async fn trace(&self, state: &State, words: &[String]) {
        if state.options.xtrace {
            let quoted: Vec<String> = words.iter().map(|w| trace_word(w)).collect();
            self.say(&format!("+ {}\n", quoted.join(" "))).await;
        }
    }
}

/// The stdio of each of `n` commands in a pipeline that reads `io.stdin` and writes
/// `io.stdout`.
fn pipeline_ios(io: &Io, n: usize) -> std::io::Result<Vec<Io>> {
    let mut ios = Vec::with_capacity(n);
    let mut stdin = io.stdin.as_ref().map(OwnedFd::try_clone).transpose()?;
    for _ in 1..n {
        let (read, write) = std::io::pipe()?;
        ios.push(Io {
            stdin: stdin.replace(OwnedFd::from(read)),
            stdout: OwnedFd::from(write),
        });
    }
    ios.push(Io {
        stdin,
        stdout: io.stdout.try_clone()?,
    });
    Ok(ios)
}

/// What a script's commands share and may change.
#[derive(Clone)]
struct State {
    options: Options,
    cwd: PathBuf,
    shell: &'static str,
}

/// A process's status as a shell reports it: its code, or 128 + the signal that ended it.
fn exit_status(status: std::process::ExitStatus) -> Status {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

/// A word as bash's xtrace shows it: bare when plain, else single-quoted.
fn trace_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,^".contains(c));
    match plain {
        true => word.to_string(),
        false => format!("'{}'", word.replace('\'', "'\\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyse, Context};
    use crate::plan::Plan;

    fn script(argv: &[&str], cwd: &Path) -> Script {
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        let cx = Context {
            path_env: "/usr/bin:/bin",
            cwd,
        };
        match analyse(&argv, &cx).unwrap().plan {
            Plan::Script(script) => script,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_plan_writes_and_ends_as_bash_does() {
        let dir = tempfile::tempdir().unwrap();
        let text = "echo a 'b c'; cd /; pwd; false || printf '%s-' x y; set +x; echo quiet";
        let ours = run(
            &script(&["bash", "-xc", text], dir.path()),
            Some(dir.path()),
            &[],
            None,
        )
        .await;
        let bash = std::process::Command::new("bash")
            .args(["-xc", text])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(ours.stdout, String::from_utf8_lossy(&bash.stdout));
        assert_eq!(ours.stderr, String::from_utf8_lossy(&bash.stderr));
        assert_eq!(ours.exit_code, bash.status.code());
        assert!(ours.stderr.contains("+ echo a 'b c'\n"), "{}", ours.stderr);

        let ours = run(
            &script(&["sh", "-c", "echo in | cat | wc -c"], dir.path()),
            None,
            &[],
            None,
        )
        .await;
        assert_eq!((ours.stdout.trim(), ours.exit_code), ("3", Some(0)));
    }

    #[tokio::test]
    async fn what_the_node_writes_itself_never_stalls_a_single_threaded_runtime() {
        // Twice a pipe's buffer of `verbose` and `xtrace` text, written while nothing else runs.
        let dir = tempfile::tempdir().unwrap();
        let line = format!(": {}\n", "a".repeat(600));
        let text = line.repeat(100);
        let plan = script(&["sh", "-xvc", &text], dir.path());
        let o = tokio::time::timeout(Duration::from_secs(20), run(&plan, None, &[], None))
            .await
            .expect("the run finished");
        assert_eq!(o.exit_code, Some(0));
        assert_eq!(o.stderr.len(), text.len() + 1 + 100 * (line.len() + 2));
    }

    #[tokio::test]
    async fn a_timeout_kills_every_command_of_the_plan() {
        let dir = tempfile::tempdir().unwrap();
        let started = std::time::Instant::now();
        let plan = script(&["sh", "-c", "sleep 30 | sleep 30; sleep 30"], dir.path());
        let o = run(&plan, None, &[], Some(Duration::from_millis(200))).await;
        assert!(o.timed_out && o.exit_code.is_none(), "{o:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_dropped_plan_kills_the_groups_of_its_commands() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let spawner = dir.path().join("spawner");
        let body = format!(
            "#!/bin/sh\nsleep 300 & echo $! >> {}\nwait\n",
            pids.display()
        );
        std::fs::write(&spawner, body).unwrap();
        std::fs::set_permissions(&spawner, std::fs::Permissions::from_mode(0o755)).unwrap();
        let text = format!("{0} | {0}", spawner.display());
        let plan = script(&["sh", "-c", &text], dir.path());
        let running = run(&plan, None, &[], None);
        assert!(tokio::time::timeout(Duration::from_millis(500), running)
            .await
            .is_err());
        let pids = crate::test_processes::pids_in(&pids);
        assert_eq!(pids.len(), 2);
        let survivors = crate::test_processes::survivors(&pids).await;
        assert!(survivors.is_empty(), "grandchildren {survivors:?} survived");
    }
}
