//! Which environment a command gets: the overrides a request may bring (spec §5.2, with the
//! real node host's lists in `env_lists`), and what it inherits from the node.

use crate::env_lists::{
    BLOCKED_EVERYWHERE, BLOCKED_OVERRIDES, BLOCKED_OVERRIDE_PREFIXES, BLOCKED_PREFIXES,
    INHERITABLE, SHELL_SAFE,
};

/// Under `security=allowlist` an allowlisted binary must not be steered by its environment, so
/// on top of the lists, these families are refused too: interpreters' and tools' own
/// variables, and anything that names options, flags, paths, homes, configs or commands.
const STRICT_PREFIXES: &[&str] = &[
    "GIT_", "NODE_", "NPM_", "PYTHON", "PERL", "RUBY", "JAVA", "JDK_", "CARGO_", "RUST", "GO",
    "DOTNET_", "LUA_", "PHP", "R_", "SSH_", "SSL_", "CURL_", "WGET", "HG", "SVN_", "DOCKER_",
    "KUBE", "AWS_", "AZURE_", "GOOGLE_", "PIP_", "UV_", "CONDA_", "VIRTUAL_", "XDG_",
];
const STRICT_SUFFIXES: &[&str] = &[
    "_OPTS", "_OPTIONS", "_FLAGS", "_PATH", "_HOME", "_CONFIG", "_COMMAND", "_EDITOR", "_FILE",
    "_DIR", "_HOOK", "_HOOKS", "_PRELOAD", "_PROXY", "_URL", "_TOKEN",
];

fn is_portable(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `PAGER=cat` or `PAGER=` (and `GIT_PAGER`) mean "no pager", which is harmless.
fn is_no_pager(upper: &str, value: &str) -> bool {
    matches!(upper, "PAGER" | "GIT_PAGER") && matches!(value, "" | "cat")
}

fn is_cargo_target_runner(upper: &str) -> bool {
    upper
        .strip_prefix("CARGO_TARGET_")
        .and_then(|rest| {
            rest.strip_suffix("_LINKER")
                .or_else(|| rest.strip_suffix("_RUNNER"))
        })
        .is_some_and(|mid| {
            !mid.is_empty()
                && mid
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Is `upper` (an uppercased name) refused as an override?
fn blocked_override(upper: &str, strict: bool) -> bool {
    upper == "PATH"
        || BLOCKED_EVERYWHERE.contains(&upper)
        || BLOCKED_OVERRIDES.contains(&upper)
        || BLOCKED_PREFIXES.iter().any(|p| upper.starts_with(p))
        || BLOCKED_OVERRIDE_PREFIXES
            .iter()
            .any(|p| upper.starts_with(p))
        || is_cargo_target_runner(upper)
        || (strict
            && (STRICT_PREFIXES.iter().any(|p| upper.starts_with(p))
                || STRICT_SUFFIXES.iter().any(|s| upper.ends_with(s))))
}

/// Checks a request's overrides. `strict` is `security=allowlist`. Answers the overrides to
/// apply (a shell gets only [`SHELL_SAFE`] and `LC_*`; others are dropped, as on the real node
/// host), or the denial message naming every refused key.
pub fn check_overrides(
    env: &[(String, String)],
    strict: bool,
    shell: bool,
) -> Result<Vec<(String, String)>, String> {
    let (mut blocked, mut invalid, mut accepted) = (Vec::new(), Vec::new(), Vec::new());
    for (raw, value) in env {
        let key = raw.trim();
        let windows_style = !key.is_empty()
            && is_portable(&key[..1])
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_()".contains(c));
        if !is_portable(key) && !windows_style {
            invalid.push(if key.is_empty() { raw } else { key }.to_string());
            continue;
        }
        let upper = key.to_ascii_uppercase();
        if is_no_pager(&upper, value) {
            accepted.push((key.to_string(), String::new()));
        } else if blocked_override(&upper, strict) {
            blocked.push(upper);
        } else if !shell
            || (is_portable(key)
                && (SHELL_SAFE.contains(&upper.as_str()) || upper.starts_with("LC_")))
        {
            accepted.push((key.to_string(), value.clone()));
        }
    }
    if blocked.is_empty() && invalid.is_empty() {
        return Ok(accepted);
    }
    let mut details = Vec::new();
    for (list, label) in [
        (&mut blocked, "blocked override keys"),
        (&mut invalid, "invalid non-portable override keys"),
    ] {
        list.sort();
        list.dedup();
        if !list.is_empty() {
            details.push(format!("{label}: {}", list.join(", ")));
        }
    }
    Err(format!(
        "SYSTEM_RUN_DENIED: environment override rejected ({})",
        details.join("; ")
    ))
}

/// Would the variable `name` steer a child the node starts (a loader, a startup hook, an
/// interpreter's options)? The test for what the node's config hands a child it spawns.
pub fn is_dangerous(name: &str) -> bool {
    blocked_override(&name.to_ascii_uppercase(), false)
}

/// Names in `NAME=value` words of an `env` prelude that would be refused as overrides.
pub fn refused_assignments(keys: &[String], strict: bool) -> Option<String> {
    let mut blocked: Vec<String> = keys
        .iter()
        .map(|k| k.to_ascii_uppercase())
        .filter(|upper| blocked_override(upper, strict))
        .collect();
    blocked.sort();
    blocked.dedup();
    (!blocked.is_empty()).then(|| {
        format!(
            "SYSTEM_RUN_DENIED: command env assignment rejected (blocked env assignment keys: {})",
            blocked.join(", ")
        )
    })
}

/// What a command inherits of the node's own variable `name`: its value, a safer value, or
/// nothing (loaders, startup hooks and the like are kept out).
pub fn inherited(name: &str, value: &str) -> Option<String> {
    let upper = name.trim().to_ascii_uppercase();
    match upper.as_str() {
        // Narrowed rather than dropped: without it git would allow every protocol.
        "GIT_ALLOW_PROTOCOL" => {
            let safe: Vec<&str> = value
                .trim()
                .split(':')
                .filter(|p| ["git", "http", "https", "ssh"].contains(p))
                .collect();
            return Some(safe.join(":"));
        }
        "GIT_PROTOCOL_FROM_USER" => {
            let v = value.trim().to_ascii_lowercase();
            let number = v.strip_prefix(['+', '-']).unwrap_or(&v);
            let permissive = ["true", "yes", "on"].contains(&v.as_str())
                || (!number.is_empty()
                    && number.chars().all(|c| c.is_ascii_digit())
                    && number.chars().any(|c| c != '0'));
            return Some(if permissive { "0".into() } else { value.into() });
        }
        _ => {}
    }
    let blocked = BLOCKED_PREFIXES.iter().any(|p| upper.starts_with(p))
        || BLOCKED_EVERYWHERE.contains(&upper.as_str())
        || (BLOCKED_OVERRIDES.contains(&upper.as_str()) && !INHERITABLE.contains(&upper.as_str()));
    (!blocked).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn refusals_name_every_key_as_the_real_node_host_does() {
        let e = check_overrides(
            &env(&[
                ("path", "/x"),
                (" ld_preload ", "x"),
                ("BAD-KEY", "x"),
                ("GIT_CONFIG_COUNT", "1"),
                ("BASH_FUNC_ls%%", "() { id; }"),
                ("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER", "x"),
                ("JAVA_TOOL_OPTIONS", "-javaagent:x"),
                ("GIT_SSH_COMMAND", "x"),
                ("FOO", "ok"),
            ]),
            false,
            false,
        )
        .unwrap_err();
        assert_eq!(e, "SYSTEM_RUN_DENIED: environment override rejected (blocked override keys: CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER, GIT_CONFIG_COUNT, GIT_SSH_COMMAND, JAVA_TOOL_OPTIONS, LD_PRELOAD, PATH; invalid non-portable override keys: BAD-KEY, BASH_FUNC_ls%%)");
    }

    #[test]
    fn harmless_overrides_pass_and_shells_keep_only_the_safe_ones() {
        let asked = env(&[
            ("FOO", "1"),
            ("TERM", "dumb"),
            ("lc_all", "C"),
            ("PAGER", "cat"),
        ]);
        assert_eq!(
            check_overrides(&asked, false, false).unwrap(),
            env(&[
                ("FOO", "1"),
                ("TERM", "dumb"),
                ("lc_all", "C"),
                ("PAGER", "")
            ])
        );
        assert_eq!(
            check_overrides(&asked, false, true).unwrap(),
            env(&[("TERM", "dumb"), ("lc_all", "C"), ("PAGER", "")])
        );
        assert!(check_overrides(&env(&[("PAGER", "less")]), false, false).is_err());
    }

    #[test]
    fn allowlist_mode_is_stricter() {
        for key in [
            "GIT_TRACE",
            "NODE_DEBUG",
            "MY_TOOL_OPTS",
            "FOO_CONFIG",
            "PYTHONWARNINGS",
        ] {
            assert!(
                check_overrides(&env(&[(key, "x")]), false, false).is_ok(),
                "{key}"
            );
            assert!(
                check_overrides(&env(&[(key, "x")]), true, false).is_err(),
                "{key}"
            );
        }
        assert!(check_overrides(&env(&[("FOO", "1")]), true, false).is_ok());
    }

    #[test]
    fn inherited_variables_lose_loaders_but_keep_home() {
        assert_eq!(inherited("LD_PRELOAD", "x"), None);
        assert_eq!(inherited("NODE_OPTIONS", "x"), None);
        assert_eq!(inherited("GIT_SSH_COMMAND", "x"), None);
        assert_eq!(inherited("HOME", "/h").as_deref(), Some("/h"));
        assert_eq!(inherited("PATH", "/bin").as_deref(), Some("/bin"));
        assert_eq!(
            inherited("GIT_ALLOW_PROTOCOL", "file:ext:https:ssh").as_deref(),
            Some("https:ssh")
        );
        assert_eq!(
            inherited("GIT_PROTOCOL_FROM_USER", "1").as_deref(),
            Some("0")
        );
        assert!(
            refused_assignments(&["LD_PRELOAD".into(), "A".into()], false).unwrap()
                == "SYSTEM_RUN_DENIED: command env assignment rejected (blocked env assignment keys: LD_PRELOAD)"
        );
    }
}
