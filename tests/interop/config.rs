//! `openclaw config` on both CLIs: the same commands give the same words and exit codes, and
//! read the same values back. One difference is meant: a change under `gateway.` (but for
//! `gateway.nodes.commands` and `gateway.nodes.pairing.autoApproveCidrs`, which it follows
//! live) takes a restart of our gateway.

use std::path::Path;
use std::process::{Command, Output};

use openclaw_test_support::bin;
use openclaw_test_support::real::{self, text};

/// What a CLI said, without the real one's banner or its one-time notice after a fresh
/// install (`[postinstall] ...`), with its home named `<home>`.
pub fn said(out: &Output, home: &Path) -> (Option<i32>, String) {
    let home = home.display().to_string();
    let lines: Vec<String> = text(out)
        .lines()
        .filter(|l| {
            !l.trim().is_empty()
                && !l.starts_with("OpenClaw 2026")
                && !l.starts_with("[postinstall]")
        })
        .map(|l| l.replace(&home, "<home>"))
        .collect();
    (out.status.code(), lines.join("\n"))
}

#[test]
fn config_get_set_and_unset_answer_as_the_real_cli_does() {
    let theirs = tempfile::tempdir().unwrap();
    let ours = tempfile::tempdir().unwrap();
    let steps: &[&[&str]] = &[
        &["file"],
        &["get", "gateway.port"],
        &["set", "gateway.port", "19001"],
        &["get", "gateway.port"],
        &["get", "gateway.port", "--json"],
        &["set", "gateway.port", "19001"],
        &["set", "gateway.port", "\"19002\""],
        &["set", "foo", "1"],
        &["get", "does.not.exist"],
        &["get", "tools.exec", "--json"],
        &["set", "tools.exec.host", "nowhere"],
        &["set", "tools.exec.host", "node"],
        &["set", "tools.exec.node", "Build Node"],
        &["get", "tools.exec.node"],
        &["get", "tools.exec.node", "--json"],
        &[
            "set",
            "gateway.nodes.commands.allow",
            "[\"file.fetch\", 'dir.list', \"dir.fetch\"]",
        ],
        &["get", "gateway.nodes.commands.allow[1]"],
        &["unset", "gateway.nodes.commands.allow[0]"],
        &["get", "gateway.nodes.commands.allow"],
        &["set", "gateway.nodes.pairing.autoApproveLocal", "yes"],
        &["set", "gateway.nodes.pairing.autoApproveLocal", "false"],
        &["get", "gateway.nodes.pairing"],
        &["unset", "gateway.port"],
        &["unset", "gateway.port"],
        &["get", "gateway..port"],
        &["get", "gateway.port["],
        &["get", "gateway[]"],
        &["get", "gateway[0]x"],
        &["get", "gateway.__proto__"],
        &["set", "agents.list[0].tools.exec.node", "x"],
        &["get", "agents.list[0].tools.exec.node"],
        &["get", "agents.entries.main.tools.exec.node"],
        &[
            "set",
            "agents.list",
            "[{id: \"ops\", tools: {exec: {node: \"y\"}}}]",
        ],
        &["set", "agents.list[1].tools.exec.node", "z"],
        &["set", "agents", "{list: [], entries: {}}"],
    ];
    for args in steps {
        let mut full = vec!["config"];
        full.extend_from_slice(args);
        let real = real::cli(theirs.path(), &full);
        let mine = Command::new(bin())
            .args(&full)
            .env("HOME", ours.path())
            .env("OPENCLAW_STATE_DIR", ours.path().join(".openclaw"))
            .env_remove("OPENCLAW_CONFIG_PATH")
            .output()
            .unwrap();
        let (code, expected) = said(&real, theirs.path());
        let expected = crate::config::with_our_restart_wording(args.get(1).copied(), expected);
        assert_eq!(
            said(&mine, ours.path()),
            (code, expected),
            "config {}",
            args.join(" ")
        );
    }
}

/// The real gateway follows every `gateway.*` edit as it runs; ours follows the node command
/// lists and the trusted pairing networks, reads the rest when it starts, and says so.
pub(crate) fn with_our_restart_wording(path: Option<&str>, said: String) -> String {
    let live = [
        "gateway.nodes.commands",
        "gateway.nodes.pairing.autoApproveCidrs",
    ];
    match path {
        Some(p) if p.starts_with("gateway.") && !live.iter().any(|l| p.starts_with(l)) => said
            .replace(
                "Change will apply without restarting the gateway.",
                "Restart the gateway to apply.",
            ),
        _ => said,
    }
}
