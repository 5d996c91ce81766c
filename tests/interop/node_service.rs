//! `openclaw node status|start|stop|restart|install|uninstall` on both CLIs, on a machine
//! whose systemd is not running (as here): the same words on the same streams, the same JSON
//! and exit codes. `install` and `uninstall` are compared with a HOME the real CLI takes as
//! the account's own, which it checks against the passwd entry; ours does not, so those two
//! are left out.

use std::path::Path;
use std::process::{Command, Output};

use openclaw_test_support::bin;
use openclaw_test_support::real;

/// Exit code, stdout and stderr, without the real CLI's banner and one-time install notice.
fn said(out: &Output) -> (Option<i32>, String, String) {
    let clean = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.starts_with("OpenClaw 2026") && !l.starts_with("[postinstall]"))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    };
    (out.status.code(), clean(&out.stdout), clean(&out.stderr))
}

fn ours(home: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("OPENCLAW_STATE_DIR", home.join(".openclaw"))
        .output()
        .unwrap()
}

#[test]
fn node_service_commands_answer_as_the_real_cli_does_without_systemd() {
    let theirs = tempfile::tempdir().unwrap();
    let mine = tempfile::tempdir().unwrap();
    for args in [
        &["node", "status"][..],
        &["node", "status", "--json"],
        &["node", "start"],
        &["node", "start", "--json"],
        &["node", "stop"],
        &["node", "stop", "--json"],
        &["node", "restart"],
        &["node", "restart", "--json"],
    ] {
        assert_eq!(
            said(&ours(mine.path(), args)),
            said(&real::cli(theirs.path(), args)),
            "{}",
            args.join(" ")
        );
    }
}
