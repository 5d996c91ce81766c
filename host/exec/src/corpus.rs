//! The differential test of the exec allowlist: every line of
//! `tests/data/exec-allowlist-corpus.txt` is judged by the policy, then run for real with
//! tools that log each start. What the analysis allows must be exactly what runs: an allowed
//! line may start only the programs the analysis predicted, with the arguments it predicted,
//! both as the node runs it (the resolved program) and as the request wrote it (through the
//! real wrappers and shells).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::allowlist::AllowEntry;
use crate::analysis::{analyse, Context};
use crate::approvals::{Ask, Policy, Security};
use crate::policy::{decide, Request, Verdict};
use crate::spawn::{run, Launch};

struct Bench {
    _dir: tempfile::TempDir,
    bin: PathBuf,
    work: PathBuf,
    log: PathBuf,
}

fn tool(path: &Path, name: &str, log: &Path) {
    use std::os::unix::fs::PermissionsExt;
    // One write per run, so that the commands of a pipeline do not interleave their lines.
    let script = format!(
        "#!/bin/sh\nline='{name}'\nfor a in \"$@\"; do line=\"$line\u{1f}$a\"; done\nprintf '%s\\n' \"$line\" >> '{}'\n",
        log.display()
    );
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let bin = std::fs::canonicalize(dir.path()).unwrap().join("bin");
    let work = bin.with_file_name("work");
    let log = bin.with_file_name("log");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    for name in ["ok1", "ok2", "ok3", "evil"] {
        tool(&bin.join(name), name, &log);
    }
    std::os::unix::fs::symlink(bin.join("evil"), bin.join("okalias")).unwrap();
    std::os::unix::fs::symlink(bin.join("ok1"), bin.join("evilalias")).unwrap();
    std::os::unix::fs::symlink(bin.join("ok2"), bin.join("ok2link")).unwrap();
    for name in ["ok1", "sh", "env", "nice", "evil.sh"] {
        tool(&work.join(name), &format!("planted-{name}"), &log);
    }
    std::fs::write(work.join("lockf"), "").unwrap();
    Bench {
        _dir: dir,
        bin,
        work,
        log,
    }
}

struct Case {
    line: usize,
    allow: bool,
    argv: Vec<String>,
    path: String,
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
            let verdict = cols.next().unwrap();
            let argv: Vec<String> = serde_json::from_str(cols.next().unwrap())
                .unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
            let path = cols
                .next()
                .and_then(|c| c.strip_prefix("path="))
                .unwrap_or("%BIN%:/usr/bin:/bin");
            assert!(matches!(verdict, "allow" | "deny"), "line {}", n + 1);
            Case {
                line: n + 1,
                allow: verdict == "allow",
                argv: argv.iter().map(|a| fill(a)).collect(),
                path: fill(path),
            }
        })
        .collect()
}

/// Runs one launch and answers the log lines it left: (program, args).
async fn logged(b: &Bench, launch: Launch<'_>) -> Vec<(String, Vec<String>)> {
    std::fs::write(&b.log, "").unwrap();
    run(&launch, Some(Duration::from_secs(10))).await;
    std::fs::read_to_string(&b.log)
        .unwrap()
        .lines()
        .map(|l| {
            let mut parts = l.split('\u{1f}').map(String::from);
            (parts.next().unwrap(), parts.collect())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_allowlist_allows_is_exactly_what_runs() {
    let b = bench();
    let entry = |pattern: String, arg_pattern: Option<&str>| AllowEntry {
        pattern,
        arg_pattern: arg_pattern.map(String::from),
        source: None,
    };
    let policy = Policy {
        security: Security::Allowlist,
        ask: Ask::Off,
        ask_fallback: Security::Deny,
        allowlist: vec![
            entry(b.bin.join("ok1").display().to_string(), None),
            entry("ok2".into(), None),
            entry(b.bin.join("ok3").display().to_string(), Some("^--safe$")),
            entry("find".into(), None),
        ],
    };
    let cases = cases(&b);
    let (mut wrong, mut allowed, mut would_have_run) = (Vec::new(), 0, 0);
    for case in &cases {
        let request = Request {
            argv: &case.argv,
            cwd: Some(&b.work),
            path_env: &case.path,
            home: "/nonexistent-home",
        };
        let verdict = decide(&policy, &request);
        if verdict.is_ok() != case.allow {
            wrong.push(format!(
                "line {}: {:?} -> {verdict:?}",
                case.line, case.argv
            ));
            continue;
        }
        let env = [("PATH".to_string(), case.path.clone())];
        let as_given = Launch {
            program: None,
            argv: &case.argv,
            cwd: Some(&b.work),
            env: &env,
        };
        let Ok(Verdict::Resolved { program, argv }) = verdict else {
            let ran = logged(&b, as_given).await;
            would_have_run += usize::from(ran.iter().any(|(p, _)| !p.starts_with("ok")));
            continue;
        };
        allowed += 1;
        let cx = Context {
            path_env: &case.path,
            cwd: &b.work,
        };
        let predicted = analyse(&case.argv, &cx).unwrap().segments;
        let resolved = Launch {
            program: Some(&program),
            argv: &argv,
            cwd: Some(&b.work),
            env: &env,
        };
        let runs = [
            ("as resolved", logged(&b, resolved).await),
            ("as given", logged(&b, as_given).await),
        ];
        for (how, ran) in runs {
            for (program, args) in &ran {
                let expected = predicted.iter().any(|s| {
                    s.exe
                        .path
                        .file_name()
                        .is_some_and(|n| n == program.as_str())
                        && s.args.as_ref().is_none_or(|a| a == args)
                });
                if !expected {
                    wrong.push(format!(
                        "line {}: {:?} {how} ran {program} {args:?}; predicted {predicted:?}",
                        case.line, case.argv
                    ));
                }
            }
            let one_tool = predicted.len() == 1
                && predicted[0].exe.path.starts_with(&b.bin)
                && !case.argv.iter().any(|a| a.contains("||"));
            if one_tool && ran.len() != 1 {
                wrong.push(format!(
                    "line {}: {:?} {how} ran {ran:?}",
                    case.line, case.argv
                ));
            }
        }
    }
    println!(
        "exec allowlist corpus: {} cases, {allowed} allowed, {} denied ({would_have_run} of them would have run a program outside the allowlist)",
        cases.len(),
        cases.len() - allowed
    );
    assert!(cases.len() >= 150);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
