//! The differential test of the exec allowlist: every line of
//! `tests/data/exec-allowlist-corpus.txt` is judged by the policy, then run for real with tools
//! that log each start, both as the node runs it (the plan) and as the request wrote it
//! (through the real wrappers and shells). The plan may start only the programs the analysis
//! predicted, with the arguments it predicted. For `allow` lines the real shell starts the same
//! programs and ends with the same status as the plan; for `allow!` lines the real shell starts
//! something the analysis never saw (the attack works on a shell), and the plan does not.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::allowlist::AllowEntry;
use crate::analysis::{analyse, Context};
use crate::approvals::{Ask, Policy, Security};
use crate::executor::{checked_env, execute};
use crate::policy::{decide, Request, Verdict};

pub(crate) struct Bench {
    _dir: tempfile::TempDir,
    pub(crate) bin: PathBuf,
    pub(crate) work: PathBuf,
    log: PathBuf,
}

/// A program that logs its name and arguments, then exits with `status`.
fn tool(path: &Path, name: &str, log: &Path, status: u8) {
    use std::os::unix::fs::PermissionsExt;
    // One write per run, so that the commands of a pipeline do not interleave their lines.
    let script = format!(
        "#!/bin/sh\nline='{name}'\nfor a in \"$@\"; do line=\"$line\u{1f}$a\"; done\nprintf '%s\\n' \"$line\" >> '{}'\nexit {status}\n",
        log.display()
    );
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn link(target: impl AsRef<Path>, at: PathBuf) {
    std::os::unix::fs::symlink(target, at).unwrap();
}

pub(crate) fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let bin = std::fs::canonicalize(dir.path()).unwrap().join("bin");
    let work = bin.with_file_name("work");
    let log = bin.with_file_name("log");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(work.join("sub")).unwrap();
    for name in ["ok1", "ok2", "ok3", "evil"] {
        tool(&bin.join(name), name, &log, 0);
    }
    tool(&bin.join("no1"), "no1", &log, 1);
    link(bin.join("evil"), bin.join("okalias"));
    link(bin.join("ok1"), bin.join("evilalias"));
    link(bin.join("ok2"), bin.join("ok2link"));
    for name in ["ok1", "sh", "env", "nice", "evil.sh"] {
        tool(&work.join(name), &format!("planted-{name}"), &log, 0);
    }
    // Planted links to the system's wrappers, shells and carriers, named as something else,
    // and a copy of `env`: each is what its file is.
    let links = work.join("links");
    std::fs::create_dir(&links).unwrap();
    let system = |name: &str| {
        ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]
            .iter()
            .find_map(|d| std::fs::canonicalize(Path::new(d).join(name)).ok())
            .unwrap_or_else(|| panic!("the corpus needs {name}"))
    };
    for (name, target) in [
        ("timeout", "env"),
        ("nice", "env"),
        ("n", "nice"),
        ("mysh", "bash"),
        ("rbash", "rbash"),
        ("x", "xargs"),
        ("c", "chroot"),
        ("ls", "busybox"),
        ("bb", "busybox"),
        ("tb", "setsid"),
        ("f", "find"),
    ] {
        link(system(target), links.join(name));
    }
    std::fs::copy(system("env"), links.join("envcopy")).unwrap();
    std::fs::write(work.join("lockf"), "").unwrap();
    Bench {
        _dir: dir,
        bin,
        work,
        log,
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    Deny,
    /// Allowed, and the real shell does what the plan does.
    Allow,
    /// Allowed, and the real shell does more than the analysis saw.
    AllowShellDoesMore,
    /// Allowed; the real shell differs harmlessly (a login shell's profile resets PATH).
    AllowShellDiffers,
}

struct Case {
    line: usize,
    expect: Expect,
    argv: Vec<String>,
    path: String,
    env: Vec<(String, String)>,
    extra: Vec<String>,
}

fn cases(b: &Bench) -> Vec<Case> {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/exec-allowlist-corpus.txt"
    );
    let text = std::fs::read_to_string(file).unwrap();
    let fill = |s: &str| {
        s.replace("%BIN%", &b.bin.display().to_string())
            .replace("%WORK%", &b.work.display().to_string())
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let mut cols = l.split('\t');
            let expect = match cols.next().unwrap() {
                "deny" => Expect::Deny,
                "allow" => Expect::Allow,
                "allow!" => Expect::AllowShellDoesMore,
                "allow~" => Expect::AllowShellDiffers,
                other => panic!("line {}: verdict {other:?}", n + 1),
            };
            let argv: Vec<String> = serde_json::from_str(cols.next().unwrap())
                .unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
            let mut case = Case {
                line: n + 1,
                expect,
                argv: argv.iter().map(|a| fill(a)).collect(),
                path: fill("%BIN%:/usr/bin:/bin"),
                env: Vec::new(),
                extra: Vec::new(),
            };
            for col in cols {
                match col.split_once('=') {
                    Some(("path", p)) => case.path = fill(p),
                    Some(("env", kv)) => {
                        let (k, v) = kv.split_once('=').expect("env=NAME=VALUE");
                        case.env.push((k.into(), fill(v)));
                    }
                    Some(("allow", patterns)) => {
                        case.extra = patterns.split(',').map(fill).collect();
                    }
                    _ => panic!("line {}: column {col:?}", n + 1),
                }
            }
            case
        })
        .collect()
}

pub(crate) type Log = Vec<(String, Vec<String>)>;

/// Runs one command (the plan, or the argv as given) and answers its status and the log
/// lines it left: (program, args).
pub(crate) async fn logged(
    b: &Bench,
    plan: Option<&Verdict>,
    argv: &[String],
    env: &[(String, String)],
) -> (Option<i32>, Log) {
    std::fs::write(&b.log, "").unwrap();
    let plan = match plan {
        Some(Verdict::Plan(plan)) => Some(plan),
        _ => None,
    };
    let o = execute(
        plan,
        argv,
        Some(&b.work),
        env,
        Some(Duration::from_secs(10)),
    )
    .await;
    let log = std::fs::read_to_string(&b.log)
        .unwrap()
        .lines()
        .map(|l| {
            let mut parts = l.split('\u{1f}').map(String::from);
            (parts.next().unwrap(), parts.collect())
        })
        .collect();
    (o.exit_code, log)
}

/// `security=allowlist`, `ask=off`, these entries, and nothing else admitted: no safe bins.
pub(crate) fn allowlist_only(allowlist: Vec<AllowEntry>) -> Policy {
    Policy {
        security: Security::Allowlist,
        ask: Ask::Off,
        ask_fallback: Security::Deny,
        safe_bins: Default::default(),
        strict_inline_eval: false,
        allowlist,
    }
}

pub(crate) fn sorted(mut log: Log) -> Log {
    log.sort();
    log
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_allowlist_allows_is_exactly_what_runs() {
    let b = bench();
    let entry = |pattern: String, arg_pattern: Option<&str>| AllowEntry {
        pattern,
        arg_pattern: arg_pattern.map(String::from),
        source: None,
    };
    let base = vec![
        entry(b.bin.join("ok1").display().to_string(), None),
        entry("ok2".into(), None),
        entry(b.bin.join("ok3").display().to_string(), Some("^--safe$")),
        entry("find".into(), None),
        entry(b.bin.join("no1").display().to_string(), None),
    ];
    let cases = cases(&b);
    let (mut wrong, mut allowed, mut would_have_run) = (Vec::new(), 0, 0);
    for case in &cases {
        let mut allowlist = base.clone();
        allowlist.extend(case.extra.iter().map(|p| entry(p.clone(), None)));
        let policy = allowlist_only(allowlist);
        let cx = Context {
            path_env: &case.path,
            cwd: &b.work,
        };
        let request = Request {
            argv: &case.argv,
            cwd: Some(&b.work),
            path_env: &case.path,
            home: "/nonexistent-home",
            approved: false,
        };
        let env_checked = checked_env(&case.argv, &case.env, Security::Allowlist, &cx);
        let verdict = env_checked
            .as_ref()
            .map_err(|_| ())
            .and_then(|_| decide(&policy, &request).map_err(|_| ()));
        let at = format!("line {}: {:?}", case.line, case.argv);
        if verdict.is_ok() == (case.expect == Expect::Deny) {
            wrong.push(format!("{at} -> {verdict:?} {env_checked:?}"));
            continue;
        }
        let mut env = vec![("PATH".to_string(), case.path.clone())];
        env.extend(case.env.iter().cloned());
        let (given_status, given) = logged(&b, None, &case.argv, &env).await;
        let Ok(verdict) = verdict else {
            would_have_run += usize::from(given.iter().any(|(p, _)| !p.starts_with("ok")));
            continue;
        };
        allowed += 1;
        let predicted = analyse(&case.argv, &cx).unwrap().segments;
        let mut env = vec![("PATH".to_string(), case.path.clone())];
        env.extend(env_checked.unwrap());
        let (plan_status, ran) = logged(&b, Some(&verdict), &case.argv, &env).await;
        let is_predicted = |(program, args): &(String, Vec<String>)| {
            predicted.iter().any(|s| {
                s.exe
                    .path
                    .file_name()
                    .is_some_and(|n| n == program.as_str())
                    && &s.args == args
            })
        };
        if let Some(run) = ran.iter().find(|r| !is_predicted(r)) {
            wrong.push(format!(
                "{at}: the plan ran {run:?}; predicted {predicted:?}"
            ));
        }
        match case.expect {
            Expect::Allow
                if sorted(ran.clone()) != sorted(given.clone()) || plan_status != given_status =>
            {
                wrong.push(format!(
                    "{at}: the plan ran {ran:?} -> {plan_status:?}, the shell {given:?} -> {given_status:?}"
                ));
            }
            Expect::AllowShellDoesMore if given.iter().all(is_predicted) => {
                wrong.push(format!(
                    "{at}: the shell ran only what was predicted: {given:?}"
                ));
            }
            _ => {}
        }
    }
    println!(
        "exec allowlist corpus: {} cases, {allowed} allowed, {} denied ({would_have_run} of them would have run a program outside the allowlist)",
        cases.len(),
        cases.len() - allowed
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(cases.len() >= 450);
}
