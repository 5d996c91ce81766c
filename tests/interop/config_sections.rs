//! `openclaw config get|set|unset|validate` on both CLIs over a file that holds every section
//! the real docs list: the same words and exit codes for what node users set (good and bad
//! values, unknown keys, secrets), the same report for an invalid file, and each CLI leaves
//! the sections it was not asked to touch as they were, and writes a file the other accepts.

use std::path::Path;
use std::process::{Command, Output};

use openclaw_test_support::bin;
use openclaw_test_support::real;
use serde_json::{json, Value};

use super::config::said;

fn seeded() -> Value {
    json!({
        "agents": {"defaults": {"workspace": "~/work"}, "entries": {"main": {"tools": {"exec": {"node": "build"}}}}},
        "models": {"providers": {}},
        "channels": {"telegram": {"enabled": false}},
        "skills": {"allowBundled": []},
        "desktop": {},
        "logging": {"level": "info"},
        "session": {"scope": "per-sender"},
        "messages": {},
        "commands": {"native": "auto"},
        "hooks": {"enabled": false},
        "cron": {"enabled": false},
        "discovery": {"mdns": {"mode": "off"}},
        "update": {"channel": "stable"},
        "ui": {"seamColor": "#FF4500"},
        "memory": {},
        "mcp": {"servers": {}},
        "gateway": {"mode": "local", "port": 18789, "bind": "loopback",
                    "auth": {"mode": "token", "token": "t0ken"},
                    "nodes": {"commands": {"allow": ["canvas.eval"], "deny": ["system.run"]},
                              "pluginTools": {"enabled": true}, "browser": {"mode": "auto"}}},
        "tools": {"profile": "coding", "exec": {"host": "node", "mode": "allowlist"}},
        "nodeHost": {"mcp": {"servers": {"docs": {"command": "npx", "args": ["-y", "docs-mcp"]}}},
                     "autoUpdate": {"enabled": false}, "browserProxy": {"enabled": true}},
        "browser": {"enabled": true, "profiles": {"work": {"cdpPort": 18801}}},
    })
}

fn home_with(config: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".openclaw")).unwrap();
    std::fs::write(home.path().join(".openclaw/openclaw.json"), config).unwrap();
    home
}

fn ours(home: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env("HOME", home)
        .env("OPENCLAW_STATE_DIR", home.join(".openclaw"))
        .env_remove("OPENCLAW_CONFIG_PATH")
        .output()
        .unwrap()
}

fn file(home: &Path) -> Value {
    let text = std::fs::read_to_string(home.join(".openclaw/openclaw.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs each step on both CLIs, each in its own home, and compares what they said.
fn same_on_both(theirs: &Path, mine: &Path, steps: &[&[&str]]) {
    for args in steps {
        let mut full = vec!["config"];
        full.extend_from_slice(args);
        let (code, expected) = said(&real::cli(theirs, &full), theirs);
        let expected = crate::config::with_our_restart_wording(args.get(1).copied(), expected);
        assert_eq!(
            said(&ours(mine, &full), mine),
            (code, expected),
            "config {}",
            args.join(" ")
        );
    }
}

#[test]
fn node_settings_read_write_and_validate_alike_and_leave_other_sections_alone() {
    let text = serde_json::to_string_pretty(&seeded()).unwrap();
    let theirs = home_with(&text);
    let mine = home_with(&text);
    let steps: &[&[&str]] = &[
        &["validate"],
        &["validate", "--json"],
        &["get", "gateway.port"],
        &["get", "gateway.auth.token"],
        &["get", "nodeHost.mcp.servers[\"docs\"].command"],
        &["get", "nodeHost.autoUpdate", "--json"],
        &["set", "tools.exec.security", "bogus"],
        &["set", "tools.exec.mode", "bogus"],
        &["set", "tools.exec.ask", "always"],
        &["set", "tools.exec.mode", "full"],
        &["set", "tools.exec.timeoutSeconds", "0"],
        &["set", "nodeHost.autoUpdate.enabled", "yes"],
        &["set", "nodeHost.autoUpdate.enabled", "true"],
        &["set", "nodeHost.autoUpdate.channel", "beta"],
        &["set", "nodeHost.mcp.servers.docs.timeout", "5"],
        &[
            "set",
            "nodeHost.mcp.servers",
            "{\" docs\": {command: \"x\"}}",
        ],
        &["set", "nodeHost.mcp.servers.web", "{url: \"ftp://x\"}"],
        &["set", "nodeHost.mcp.servers.web", "{transport: \"stdio\"}"],
        &[
            "set",
            "nodeHost.mcp.servers.web",
            "{url: \"https://mcp.example/sse\", transport: \"sse\"}",
        ],
        &["get", "nodeHost.mcp.servers.web.url"],
        &["set", "browser.profiles.Work", "{cdpPort: 18802}"],
        &["set", "browser.profiles.home", "{cdpPort: 99999}"],
        &["set", "browser.profiles.home", "{executablePath: \"/x\"}"],
        &[
            "set",
            "browser.profiles.home",
            "{cdpPort: 18802, color: \"#00f\"}",
        ],
        &["set", "gateway.auth.password", "7"],
        &["set", "gateway.auth.mode", "secret"],
        &["set", "gateway.port", "0"],
        &["set", "gateway.nodes.pluginTools.enabled", "x"],
        &["set", "gateway.nodes.commands.allow", "5"],
        &[
            "set",
            "gateway.nodes.commands.deny",
            "[\"system.run\", \"camera.snap\"]",
        ],
        &["get", "gateway.nodes.commands.deny[1]"],
        &["set", "gateway.nodes.allowCommands", "[\"x\"]"],
        &["get", "gateway.nodes.allowCommands"],
        &["unset", "gateway.nodes.commands.allow"],
        &["unset", "gateway.nodes.commands.allow"],
        &["set", "foo", "1"],
        &["validate"],
    ];
    same_on_both(theirs.path(), mine.path(), steps);

    // What neither was asked to touch is as it was, in both files.
    let before = seeded();
    for home in [theirs.path(), mine.path()] {
        let after = file(home);
        for (section, value) in before.as_object().unwrap() {
            if !["tools", "nodeHost", "gateway", "browser"].contains(&section.as_str()) {
                assert_eq!(&after[section], value, "{section} in {}", home.display());
            }
        }
        for kept in ["mode", "port", "bind", "auth"] {
            assert_eq!(after["gateway"][kept], before["gateway"][kept]);
        }
        assert_eq!(after["tools"]["profile"], "coding");
        assert_eq!(
            after["nodeHost"]["mcp"]["servers"]["docs"],
            before["nodeHost"]["mcp"]["servers"]["docs"]
        );
        assert_eq!(
            after["browser"]["profiles"]["work"],
            before["browser"]["profiles"]["work"]
        );
    }

    // Each CLI takes the file the other wrote.
    let our_file = std::fs::read_to_string(mine.path().join(".openclaw/openclaw.json")).unwrap();
    let their_file =
        std::fs::read_to_string(theirs.path().join(".openclaw/openclaw.json")).unwrap();
    let check = home_with(&our_file);
    let out = real::cli(check.path(), &["config", "validate"]);
    assert_eq!(said(&out, check.path()).0, Some(0), "{}", real::text(&out));
    let check = home_with(&their_file);
    let out = ours(check.path(), &["config", "validate"]);
    assert!(out.status.success(), "{}", real::text(&out));
}

#[test]
fn an_invalid_file_is_reported_alike_and_not_written() {
    let broken = "{\n  // edited by hand\n  gateway: {\n    port: \"x\",\n    auth: {password: 7},\n  },\n  \"tools\": {\"exec\": {\"ask\": true}},\n  nodeHost: {autoUpdate: {enabled: \"yes\"}},\n  bogus: 1,\n}\n";
    let theirs = home_with(broken);
    let mine = home_with(broken);
    let steps: &[&[&str]] = &[
        &["validate"],
        &["validate", "--json"],
        &["get", "gateway.port"],
        &["get", "gateway.port", "--json"],
        &["set", "tools.exec.host", "node"],
        &["unset", "gateway.port"],
    ];
    same_on_both(theirs.path(), mine.path(), steps);
    for home in [theirs.path(), mine.path()] {
        let text = std::fs::read_to_string(home.join(".openclaw/openclaw.json")).unwrap();
        assert_eq!(text, broken, "nothing written in {}", home.display());
    }
    let empty = tempfile::tempdir().unwrap();
    same_on_both(
        empty.path(),
        empty.path(),
        &[&["validate"], &["validate", "--json"]],
    );
}
