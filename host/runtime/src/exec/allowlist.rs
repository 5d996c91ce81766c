//! Allowlist matching (spec §5.4): each command segment resolves to an executable whose real
//! path is matched against path globs; bare names match only commands invoked without a path.

use std::path::{Path, PathBuf};

/// An executable a segment would run.
#[derive(Debug, Clone, PartialEq)]
pub struct Executable {
    /// Real path (symlinks resolved): the trust path.
    pub path: PathBuf,
    /// `argv[0]` had no `/`: it was looked up on PATH.
    pub bare: bool,
    pub name: String,
}

/// Wrappers whose own options are skipped to find the command they run.
const WRAPPERS: &[&str] = &["env", "nice", "nohup", "timeout", "stdbuf", "flock"];

/// Every command argv would run, or why it cannot be analyzed (which counts as a miss).
pub fn segments(argv: &[String]) -> Result<Vec<Vec<String>>, String> {
    if let Some(script) = openclaw_protocol::exec_command::shell_wrapper_script(argv) {
        return split_script(script)?
            .into_iter()
            .map(|s| unwrap(&s))
            .collect();
    }
    Ok(vec![unwrap(argv)?])
}

fn unwrap(words: &[String]) -> Result<Vec<String>, String> {
    let mut rest = words;
    while let Some(first) = rest.first() {
        let name = first.rsplit('/').next().unwrap_or(first);
        if !WRAPPERS.contains(&name) {
            break;
        }
        rest = skip_wrapper_args(name, &rest[1..]);
    }
    if rest.is_empty() {
        return Err("a wrapper without a command".into());
    }
    Ok(rest.to_vec())
}

/// Skips a wrapper's options (and the operands it takes before the command).
fn skip_wrapper_args<'a>(wrapper: &str, mut rest: &'a [String]) -> &'a [String] {
    // Options that take their value as the next word.
    let with_value: &[&str] = match wrapper {
        "nice" => &["-n"],
        "timeout" => &["-s", "-k", "--signal", "--kill-after"],
        "stdbuf" => &["-i", "-o", "-e"],
        "flock" => &["-w", "-E", "--timeout", "--conflict-exit-code"],
        _ => &[],
    };
    while let Some(word) = rest.first() {
        if with_value.contains(&word.as_str()) {
            rest = rest.get(2..).unwrap_or(&[]);
        } else if word.starts_with('-') || (wrapper == "env" && word.contains('=')) {
            rest = &rest[1..];
        } else {
            break;
        }
    }
    // `timeout DURATION cmd` and `flock LOCKFILE cmd` take one operand first.
    if matches!(wrapper, "timeout" | "flock") && !rest.is_empty() {
        rest = &rest[1..];
    }
    rest
}

/// Splits `a && b || c; d` into word lists; expansions and redirections fail.
fn split_script(script: &str) -> Result<Vec<Vec<String>>, String> {
    let mut segments = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, segments: &mut Vec<Vec<String>>| {
        if *in_word {
            segments
                .last_mut()
                .expect("one segment")
                .push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err("unterminated quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$') | Some('`') => return Err("expansion inside quotes".into()),
                        Some('\\') => word.extend(chars.next()),
                        Some(ch) => word.push(ch),
                        None => return Err("unterminated quote".into()),
                    }
                }
            }
            '$' | '`' | '>' | '<' | '(' | ')' | '*' | '?' | '~' | '\\' => {
                return Err(format!("`{c}` needs a shell to interpret it"))
            }
            '&' | '|' => {
                if chars.next() != Some(c) {
                    return Err(format!("a single `{c}`"));
                }
                end_word(&mut word, &mut in_word, &mut segments);
                segments.push(Vec::new());
            }
            ';' | '\n' => {
                end_word(&mut word, &mut in_word, &mut segments);
                segments.push(Vec::new());
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut segments),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut segments);
    segments.retain(|s| !s.is_empty());
    if segments.is_empty() {
        return Err("an empty script".into());
    }
    if segments.iter().any(|s| s[0].contains('=')) {
        return Err("variable assignments".into());
    }
    Ok(segments)
}

/// Finds what `argv0` runs: a path as given (relative to `cwd`), else the first match on PATH.
pub fn resolve(argv0: &str, path_env: &str, cwd: Option<&Path>) -> Option<Executable> {
    let name = argv0.rsplit('/').next().unwrap_or(argv0).to_string();
    if argv0.contains('/') {
        let p = Path::new(argv0);
        let p = match (p.is_relative(), cwd) {
            (true, Some(cwd)) => cwd.join(p),
            _ => p.to_path_buf(),
        };
        let path = std::fs::canonicalize(p).ok()?;
        return Some(Executable {
            path,
            bare: false,
            name,
        });
    }
    which(argv0, path_env).map(|found| Executable {
        path: std::fs::canonicalize(&found).unwrap_or(found),
        bare: true,
        name,
    })
}

/// The first executable file called `name` on `path_env`.
pub fn which(name: &str, path_env: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if name.is_empty() || name.contains('/') || name.contains('\\') {
        return None;
    }
    path_env
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Does one allowlist pattern admit this executable?
pub fn matches(pattern: &str, exe: &Executable, home: &str) -> bool {
    let pattern = pattern.trim();
    if pattern == "*" {
        return true;
    }
    if pattern.contains('/') || pattern.contains('\\') || pattern.starts_with('~') {
        let expanded = match pattern.strip_prefix('~') {
            Some(rest) => format!("{home}{rest}"),
            None => pattern.to_string(),
        };
        return glob(&expanded, &exe.path.to_string_lossy());
    }
    exe.bare && glob(pattern, &exe.name)
}

/// Anchored glob: `**` any run of characters, `*` any run without `/`, `?` one non-`/`.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p {
            [] => t.is_empty(),
            ['*', '*', rest @ ..] => (0..=t.len()).any(|i| go(rest, &t[i..])),
            ['*', rest @ ..] => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != '/')
                .any(|i| go(rest, &t[i..])),
            ['?', rest @ ..] => t.first().is_some_and(|&c| c != '/') && go(rest, &t[1..]),
            [c, rest @ ..] => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exe(path: &str, bare: bool) -> Executable {
        Executable {
            path: PathBuf::from(path),
            bare,
            name: path.rsplit('/').next().unwrap().to_string(),
        }
    }

    fn argv(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn vector_8_globs() {
        let home = "/home/u";
        assert!(matches(
            "~/bin/**/rg",
            &exe("/home/u/bin/x/y/rg", false),
            home
        ));
        assert!(!matches("~/bin/**/rg", &exe("/home/u/bin/rg", false), home));
        assert!(matches("/usr/bin/*", &exe("/usr/bin/uname", false), home));
        assert!(!matches("/usr/bin/*", &exe("/usr/bin/x/y", false), home));
        assert!(matches(
            "/usr/bin/un?me",
            &exe("/usr/bin/uname", false),
            home
        ));
        assert!(matches("uname", &exe("/usr/bin/uname", true), home));
        assert!(matches("un*", &exe("/usr/bin/uname", true), home));
        assert!(!matches("uname", &exe("/usr/bin/uname", false), home));
        assert!(matches("*", &exe("/anything", false), home));
    }

    #[test]
    fn scripts_split_into_segments_and_wrappers_unwrap() {
        let s = segments(&argv(&["sh", "-c", "echo 'a b' && ls -la; uname || true"])).unwrap();
        assert_eq!(
            s,
            vec![
                argv(&["echo", "a b"]),
                argv(&["ls", "-la"]),
                argv(&["uname"]),
                argv(&["true"])
            ]
        );
        assert_eq!(
            segments(&argv(&[
                "nice", "-n", "5", "timeout", "-s", "KILL", "10", "ls"
            ]))
            .unwrap(),
            vec![argv(&["ls"])]
        );
        assert_eq!(
            segments(&argv(&[
                "flock",
                "-w",
                "3",
                "/var/lock/l",
                "stdbuf",
                "-oL",
                "uname"
            ]))
            .unwrap(),
            vec![argv(&["uname"])]
        );
        assert!(segments(&argv(&["nohup"])).is_err());
        assert_eq!(
            segments(&argv(&["env", "A=1", "nohup", "ls", "-l"])).unwrap(),
            vec![argv(&["ls", "-l"])]
        );
        for bad in [
            "echo $(id)",
            "cat < /etc/passwd",
            "ls | wc",
            "echo `id`",
            "X=1 ls",
            "rm *",
        ] {
            assert!(segments(&argv(&["sh", "-c", bad])).is_err(), "{bad}");
        }
    }
}
