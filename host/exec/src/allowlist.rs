//! Allowlist matching (spec §5.4): what an executable name resolves to, and whether one
//! allowlist entry admits a command. A path pattern is a glob over the executable's real path;
//! a bare name matches only commands invoked without a path. An `argPattern` narrows an entry
//! to the arguments it matches, as on the real node host.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// An executable a command would run.
#[derive(Debug, Clone, PartialEq)]
pub struct Executable {
    /// Real path (symlinks resolved): the trust path, and what the node runs.
    pub path: PathBuf,
    /// `argv[0]` had no `/`: it was looked up on PATH.
    pub bare: bool,
    /// `argv[0]`'s file name.
    pub name: String,
}

/// One allowlist entry of the approvals document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AllowEntry {
    pub pattern: String,
    pub arg_pattern: Option<String>,
    /// `allow-always` for entries the real node host wrote after an approval.
    pub source: Option<String>,
}

/// The argPattern of generated entries: the exact arguments in the exact directory.
const CWD_BOUND: &str = "sha256:cwd-argv:v1:";
/// An older generated form that no longer matches anything.
const LEGACY_HASHED: &str = "sha256:argv:";

impl AllowEntry {
    fn generated(&self) -> bool {
        self.source.as_deref() == Some("allow-always")
    }

    /// Does this entry admit `exe` run with `args` in `cwd`? `args` is `None` when the shell
    /// would still expand them: then only an entry without an argPattern can judge them.
    pub fn admits(
        &self,
        exe: &Executable,
        args: Option<&[String]>,
        cwd: Option<&Path>,
        home: &str,
    ) -> Admits {
        let pattern = self.pattern.trim();
        if pattern.is_empty() || !matches(pattern, exe, home) {
            return Admits::No;
        }
        match self.arg_pattern.as_deref().filter(|p| !p.is_empty()) {
            None if self.generated() => Admits::No,
            None => Admits::AnyArgs,
            Some(hashed) if hashed.starts_with(CWD_BOUND) => match (args, cwd) {
                (Some(args), Some(cwd)) if hashed == cwd_bound_arg_pattern(cwd, args) => {
                    Admits::TheseArgs
                }
                _ => Admits::No,
            },
            Some(legacy) if legacy.starts_with(LEGACY_HASHED) => Admits::No,
            Some(_) if self.generated() => Admits::No,
            Some(regex) => match args {
                Some(args) if arg_pattern_matches(regex, args) => Admits::TheseArgs,
                _ => Admits::No,
            },
        }
    }

    /// The bare `*` entry, which admits everything not refused.
    pub fn is_wildcard(&self) -> bool {
        self.pattern.trim() == "*" && self.arg_pattern.is_none() && !self.generated()
    }
}

/// How an entry admits a command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Admits {
    No,
    /// A path-only entry: any arguments.
    AnyArgs,
    /// An argPattern matched these arguments.
    TheseArgs,
}

/// `argPattern` is an ECMAScript regex searched (unanchored, no flags) in the arguments
/// joined with single spaces, or with NULs (and a trailing NUL) when the pattern holds a NUL.
/// A pattern outside the subset both engines share (lookaround, backreferences) never matches.
pub fn arg_pattern_matches(pattern: &str, args: &[String]) -> bool {
    let subject = if pattern.contains('\0') {
        if args.is_empty() {
            "\0\0".to_string()
        } else {
            args.join("\0") + "\0"
        }
    } else {
        args.join(" ")
    };
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .crlf(true)
        .size_limit(1 << 20)
        .build()
        .is_ok_and(|re| re.is_match(subject.as_bytes()))
}

/// The argPattern the real node host writes for "allow always": the SHA-256 of the
/// directory and each argument, each with its byte length, NUL-separated.
pub fn cwd_bound_arg_pattern(cwd: &Path, args: &[String]) -> String {
    let cwd = normalize(cwd);
    let mut subject = format!("{}\0{cwd}\0{}\0", cwd.len(), args.len());
    for arg in args {
        subject.push_str(&format!("{}\0{arg}\0", arg.len()));
    }
    format!(
        "{CWD_BOUND}{}",
        openclaw_protocol::identity::hex(&Sha256::digest(subject.as_bytes()))
    )
}

/// `path.posix.normalize`: `.` and empty components dropped, `..` folded, no trailing `/`.
fn normalize(path: &Path) -> String {
    let text = path.to_string_lossy();
    let absolute = text.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            other => parts.push(other),
        }
    }
    match (absolute, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".into(),
        (false, false) => parts.join("/"),
    }
}

/// Finds what `argv0` runs from `cwd`: a path as given (relative to `cwd`), else the first
/// match on PATH, whose relative and empty entries are relative to `cwd` as for `execvp`.
pub fn resolve(argv0: &str, path_env: &str, cwd: &Path) -> Option<Executable> {
    let name = argv0.rsplit('/').next().unwrap_or(argv0).to_string();
    if argv0.contains('/') {
        let path = std::fs::canonicalize(cwd.join(argv0)).ok()?;
        return is_executable(&path).then_some(Executable {
            path,
            bare: false,
            name,
        });
    }
    if argv0.is_empty() {
        return None;
    }
    path_env
        .split(':')
        .map(|dir| cwd.join(dir).join(argv0))
        .find(|p| is_executable(p))
        .and_then(|found| std::fs::canonicalize(found).ok())
        .map(|path| Executable {
            path,
            bare: true,
            name,
        })
}

/// Does PATH hold a directory that depends on the working directory?
pub fn path_is_relative(path_env: &str) -> bool {
    path_env.split(':').any(|d| !d.starts_with('/'))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The first executable file called `name` on `path_env` (for `system.which`).
pub fn which(name: &str, path_env: &str) -> Option<PathBuf> {
    if name.is_empty() || name.contains('/') || name.contains('\\') {
        return None;
    }
    path_env
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(name))
        .find(|p| is_executable(p))
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

    fn args(parts: &[&str]) -> Vec<String> {
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
    fn arg_patterns_match_as_the_real_node_host_does() {
        let la = args(&["-la", "x"]);
        assert!(arg_pattern_matches("^-la x$", &la));
        assert!(arg_pattern_matches("-la", &la), "unanchored");
        assert!(!arg_pattern_matches("^-la$", &la));
        assert!(arg_pattern_matches("^$", &[]));
        assert!(arg_pattern_matches("^a b$", &args(&["a b"])));
        assert!(arg_pattern_matches("^-la\0x\0$", &la));
        assert!(arg_pattern_matches("^\0\0$", &[]));
        assert!(
            !arg_pattern_matches("((", &la),
            "an invalid regex never matches"
        );
        assert!(!arg_pattern_matches("^-la$", &args(&["-LA"])));
        assert!(
            !arg_pattern_matches(r"^\d$", &args(&["\u{0663}"])),
            "ASCII digits, as JS"
        );
        assert!(
            !arg_pattern_matches("^a.b$", &args(&["a\rb"])),
            "`.` stops at CR, as JS"
        );
        assert!(
            !arg_pattern_matches("^(?=x)x$", &args(&["x"])),
            "lookaround is not supported"
        );
    }

    #[test]
    fn generated_entries_bind_the_exact_arguments_and_directory() {
        assert_eq!(
            cwd_bound_arg_pattern(Path::new("/srv/work"), &args(&["-la"])),
            "sha256:cwd-argv:v1:cb440d92d2463c3634d77293cd66e381c3d4c50bf1445f878bea05eff391cce5"
        );
        let ls = exe("/usr/bin/ls", true);
        let entry = AllowEntry {
            pattern: "/usr/bin/ls".into(),
            arg_pattern: Some(cwd_bound_arg_pattern(
                Path::new("/srv/work"),
                &args(&["-la"]),
            )),
            source: Some("allow-always".into()),
        };
        let work = Some(Path::new("/srv/work/"));
        assert_eq!(
            entry.admits(&ls, Some(&args(&["-la"])), work, "/h"),
            Admits::TheseArgs
        );
        assert_eq!(
            entry.admits(&ls, Some(&args(&["-l"])), work, "/h"),
            Admits::No
        );
        assert_eq!(
            entry.admits(&ls, Some(&args(&["-la"])), Some(Path::new("/")), "/h"),
            Admits::No
        );
        assert_eq!(
            entry.admits(&ls, None, work, "/h"),
            Admits::No,
            "unexpanded args never match"
        );
        let inactive = AllowEntry {
            arg_pattern: None,
            ..entry.clone()
        };
        assert_eq!(inactive.admits(&ls, Some(&[]), work, "/h"), Admits::No);
        let python = exe("/usr/bin/python3.11", true);
        let version_only = AllowEntry {
            pattern: "python3*".into(),
            arg_pattern: Some("^-V$".into()),
            source: None,
        };
        assert_eq!(
            version_only.admits(&python, Some(&args(&["-V"])), None, "/h"),
            Admits::TheseArgs
        );
        assert_eq!(
            version_only.admits(&python, Some(&args(&["-c", "print(1)"])), None, "/h"),
            Admits::No
        );
    }
}
