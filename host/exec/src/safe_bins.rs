//! Safe bins (`tools.exec.safeBins`): filters such as `wc` or `head` that an allowlist admits
//! without an entry when they only read stdin, as the real node host admits them. A safe bin
//! is a listed name whose resolved file lies in a trusted dir (`/bin`, `/usr/bin`, and
//! `safeBinTrustedDirs`; never PATH) and that has a profile; its arguments must fit the profile:
//! known flags only, literal values, no file operands (nothing path-like, no globs, no `$`).

use std::collections::BTreeMap;
#[cfg(test)]
use std::path::Path;
use std::path::PathBuf;

use serde_json::Value;

use crate::allowlist::Executable;

/// The safe bins when the config names none.
const DEFAULT_BINS: &[&str] = &["cut", "uniq", "head", "tail", "tr", "wc"];
const DEFAULT_TRUSTED_DIRS: &[&str] = &["/bin", "/usr/bin"];
/// Programs whose arguments are programs: never safe, whatever their profile says.
const ALWAYS_DENIED: &[&str] = &["jq", "awk", "gawk", "mawk", "nawk", "sed", "gsed"];

/// What a safe bin may be given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    min_positional: usize,
    max_positional: Option<usize>,
    value_flags: Vec<String>,
    boolean_flags: Vec<String>,
    denied_flags: Vec<String>,
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_string()).collect()
}

fn builtin(name: &str) -> Option<Profile> {
    let p = |max: Option<usize>, value: &[&str], boolean: &[&str], denied: &[&str]| Profile {
        min_positional: 0,
        max_positional: max,
        value_flags: words(value),
        boolean_flags: words(boolean),
        denied_flags: words(denied),
    };
    let quiet = &[
        "--quiet",
        "--silent",
        "--verbose",
        "--zero-terminated",
        "-q",
        "-v",
        "-z",
    ];
    Some(match name {
        "head" => p(Some(0), &["--lines", "--bytes", "-n", "-c"], quiet, &[]),
        "tail" => p(
            Some(0),
            &[
                "--lines",
                "--bytes",
                "--sleep-interval",
                "--max-unchanged-stats",
                "--pid",
                "-n",
                "-c",
            ],
            quiet,
            &["--follow", "--retry", "-F", "-f"],
        ),
        "cut" => p(
            Some(0),
            &[
                "--bytes",
                "--characters",
                "--fields",
                "--delimiter",
                "--output-delimiter",
                "-b",
                "-c",
                "-f",
                "-d",
            ],
            &[
                "--complement",
                "--only-delimited",
                "--zero-terminated",
                "-n",
                "-s",
                "-z",
            ],
            &[],
        ),
        "uniq" => p(
            Some(0),
            &[
                "--skip-fields",
                "--skip-chars",
                "--check-chars",
                "--group",
                "-f",
                "-s",
                "-w",
            ],
            &[
                "--count",
                "--repeated",
                "--unique",
                "--ignore-case",
                "--zero-terminated",
                "-c",
                "-d",
                "-u",
                "-i",
                "-z",
            ],
            &[],
        ),
        "tr" => Profile {
            min_positional: 1,
            ..p(
                Some(2),
                &[],
                &[
                    "--complement",
                    "--delete",
                    "--squeeze-repeats",
                    "--truncate-set1",
                    "-C",
                    "-c",
                    "-d",
                    "-s",
                    "-t",
                ],
                &[],
            )
        },
        "wc" => p(
            Some(0),
            &[],
            &[
                "--bytes",
                "--chars",
                "--lines",
                "--max-line-length",
                "--words",
                "-L",
                "-c",
                "-l",
                "-m",
                "-w",
            ],
            &["--files0-from"],
        ),
        "sort" => p(
            Some(0),
            &[
                "--key",
                "--field-separator",
                "--buffer-size",
                "--parallel",
                "--batch-size",
                "-k",
                "-t",
                "-S",
            ],
            &[],
            &[
                "--compress-program",
                "--files0-from",
                "--output",
                "--random-source",
                "--temporary-directory",
                "-T",
                "-o",
            ],
        ),
        "grep" => p(
            Some(0),
            &[
                "--regexp",
                "--max-count",
                "--after-context",
                "--before-context",
                "--context",
                "--devices",
                "--binary-files",
                "--exclude",
                "--include",
                "--label",
                "-e",
                "-m",
                "-A",
                "-B",
                "-C",
                "-D",
            ],
            &[],
            &[
                "--file",
                "--exclude-from",
                "--dereference-recursive",
                "--directories",
                "--recursive",
                "-f",
                "-d",
                "-r",
                "-R",
            ],
        ),
        "jq" => p(
            Some(1),
            &["--arg", "--argjson", "--argstr"],
            &[],
            &[
                "--argfile",
                "--rawfile",
                "--slurpfile",
                "--from-file",
                "--library-path",
                "-L",
                "-f",
            ],
        ),
        _ => return None,
    })
}

/// A profile from `safeBinProfiles`: it replaces the built-in one, boolean flags included.
fn custom_profile(v: &Value) -> Profile {
    let list = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let count = |key: &str| v[key].as_u64().map(|n| n as usize);
    let min = count("minPositional").unwrap_or(0);
    Profile {
        min_positional: min,
        max_positional: count("maxPositional").map(|max| max.max(min)),
        value_flags: list("allowedValueFlags"),
        boolean_flags: Vec::new(),
        denied_flags: list("deniedFlags"),
    }
}

/// The safe bins of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SafeBins {
    bins: Vec<String>,
    trusted_dirs: Vec<PathBuf>,
    custom: BTreeMap<String, Profile>,
}

impl SafeBins {
    /// From the global and the agent's `tools.exec`: the agent's list replaces the global one
    /// (unset: the defaults; `[]`: none), trusted dirs add up, custom profiles merge by name.
    pub fn from_layers(global: &Value, agent: &Value) -> SafeBins {
        let names = |v: &Value| -> Option<Vec<String>> {
            let list = v["safeBins"].as_array()?;
            Some(
                list.iter()
                    .filter_map(|s| s.as_str())
                    .map(|s| s.trim().to_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect(),
            )
        };
        let bins = names(agent)
            .or_else(|| names(global))
            .unwrap_or_else(|| words(DEFAULT_BINS));
        let dirs = |v: &Value| -> Vec<PathBuf> {
            v["safeBinTrustedDirs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(PathBuf::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let trusted_dirs = DEFAULT_TRUSTED_DIRS
            .iter()
            .map(PathBuf::from)
            .chain(dirs(global))
            .chain(dirs(agent))
            .filter_map(|d| std::fs::canonicalize(d).ok())
            .collect();
        let mut custom = BTreeMap::new();
        for layer in [global, agent] {
            if let Some(profiles) = layer["safeBinProfiles"].as_object() {
                for (name, v) in profiles {
                    custom.insert(name.trim().to_lowercase(), custom_profile(v));
                }
            }
        }
        SafeBins {
            bins,
            trusted_dirs,
            custom,
        }
    }

    /// Does a segment running `exe` with `args` count as a safe bin?
    pub fn admits(&self, exe: &Executable, args: &[String]) -> bool {
        let Some(name) = exe
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
        else {
            return false;
        };
        if !self.bins.contains(&name) || ALWAYS_DENIED.contains(&name.as_str()) {
            return false;
        }
        let trusted = exe
            .path
            .parent()
            .is_some_and(|dir| self.trusted_dirs.iter().any(|t| t == dir));
        let profile = self.custom.get(&name).cloned().or_else(|| builtin(&name));
        trusted && profile.is_some_and(|p| fits(&p, args))
    }
}

/// A value or operand the bin can only take as text: no glob, no `$` expansion, nothing that
/// names a path.
fn safe_literal(token: &str) -> bool {
    if token == "-" {
        return true;
    }
    let expands = token
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'$' && (w[1].is_ascii_alphanumeric() || b"_@*?!$#-{([".contains(&w[1])));
    let drive =
        token.len() >= 3 && token.as_bytes()[0].is_ascii_alphabetic() && &token[1..3] == ":\\";
    let path_like = ["./", "../", "~", "/"].iter().any(|p| token.starts_with(p)) || drive;
    !token.contains(['*', '?', '[', ']']) && !expands && !path_like
}

/// Do `args` fit `profile`, read as the real node host reads them?
fn fits(profile: &Profile, args: &[String]) -> bool {
    let known = |flag: &str, list: &[String]| list.iter().any(|f| f == flag);
    let mut positional = Vec::new();
    let mut rest = false;
    let mut i = 0;
    while let Some(token) = args.get(i) {
        i += 1;
        let value_ok = |v: Option<&String>| v.is_some_and(|v| !v.is_empty() && safe_literal(v));
        match token.as_str() {
            "" | "-" => {}
            t if rest || !t.starts_with('-') => positional.push(t),
            "--" => rest = true,
            t if t.starts_with("--") => {
                let (name, inline) = match t.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (t, None),
                };
                let longs: Vec<&String> = [
                    &profile.value_flags,
                    &profile.boolean_flags,
                    &profile.denied_flags,
                ]
                .into_iter()
                .flatten()
                .filter(|f| f.starts_with("--"))
                .collect();
                let flag = match longs.iter().find(|f| f.as_str() == name) {
                    Some(f) => f.as_str(),
                    None => {
                        let prefixed: Vec<&&String> =
                            longs.iter().filter(|f| f.starts_with(name)).collect();
                        match prefixed.as_slice() {
                            [only] => only.as_str(),
                            _ => return false,
                        }
                    }
                };
                if known(flag, &profile.denied_flags) {
                    return false;
                }
                if known(flag, &profile.value_flags) {
                    let value = match inline {
                        Some(v) => Some(v),
                        None => {
                            i += 1;
                            args.get(i - 1).cloned()
                        }
                    };
                    if !value_ok(value.as_ref()) {
                        return false;
                    }
                } else if inline.is_some() {
                    return false;
                }
            }
            t => {
                let cluster = &t[1..];
                for (at, c) in cluster.char_indices() {
                    let flag = format!("-{c}");
                    if known(&flag, &profile.denied_flags) {
                        return false;
                    }
                    if known(&flag, &profile.value_flags) {
                        let attached = &cluster[at + c.len_utf8()..];
                        let value = if attached.is_empty() {
                            i += 1;
                            args.get(i - 1).cloned()
                        } else {
                            Some(attached.to_string())
                        };
                        if !value_ok(value.as_ref()) {
                            return false;
                        }
                        break;
                    }
                    if !known(&flag, &profile.boolean_flags) {
                        return false;
                    }
                }
            }
        }
    }
    positional.iter().all(|p| safe_literal(p))
        && positional.len() >= profile.min_positional
        && profile
            .max_positional
            .is_none_or(|max| positional.len() <= max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The default safe bins, with `dir` trusted as well.
    fn trusting(dir: &Path) -> SafeBins {
        SafeBins::from_layers(&json!({"safeBinTrustedDirs": [dir]}), &Value::Null)
    }

    fn exe(path: &str) -> Executable {
        let path = std::fs::canonicalize(path).unwrap();
        Executable {
            name: path.file_name().unwrap().to_string_lossy().into(),
            path,
            bare: true,
        }
    }

    fn args(list: &[&str]) -> Vec<String> {
        words(list)
    }

    #[test]
    fn filters_of_stdin_pass_and_anything_that_names_a_file_does_not() {
        let bins = SafeBins::from_layers(&Value::Null, &Value::Null);
        let (wc, head, tail, tr) = (
            exe("/usr/bin/wc"),
            exe("/usr/bin/head"),
            exe("/usr/bin/tail"),
            exe("/usr/bin/tr"),
        );
        for (e, a) in [
            (&wc, &["-l"][..]),
            (&wc, &[]),
            (&head, &["-n", "3"]),
            (&head, &["-n3"]),
            (&head, &["--lines=3"]),
            (&head, &["--li", "3"]),
            (&tail, &["-n", "5", "-q"]),
            (&tr, &["a-z", "A-Z"]),
            (&tr, &["-d", "x"]),
            (&wc, &["-", "--", "-"]),
        ] {
            assert!(bins.admits(e, &args(a)), "{e:?} {a:?}");
        }
        for (e, a) in [
            (&wc, &["/etc/passwd"][..]),
            (&wc, &["file"]),
            (&head, &["-5"]),
            (&head, &["-n", "/x"]),
            (&head, &["-n"]),
            (&head, &["--lines"]),
            (&head, &["--bogus"]),
            (&tail, &["-f"]),
            (&tail, &["--fol"]),
            (&tr, &[]),
            (&tr, &["a", "b", "c"]),
            (&tr, &["*", "x"]),
            (&tr, &["$HOME", "x"]),
            (&tr, &["./a", "x"]),
            (&wc, &["--files0-from=list"]),
            (&wc, &["--", "x"]),
            (&wc, &["-l=3"]),
        ] {
            assert!(!bins.admits(e, &args(a)), "{e:?} {a:?}");
        }
        // Not listed, never safe, or not in a trusted dir.
        assert!(!bins.admits(&exe("/usr/bin/sort"), &[]));
        let listed =
            SafeBins::from_layers(&json!({"safeBins": ["sort", "sed", "wc"]}), &Value::Null);
        assert!(listed.admits(&exe("/usr/bin/sort"), &args(&["-k", "2"])));
        assert!(!listed.admits(&exe("/usr/bin/sed"), &args(&["-n", "p"])));
        assert!(
            !listed.admits(&exe("/usr/bin/head"), &[]),
            "the list replaces the defaults"
        );
        let none = SafeBins::from_layers(&json!({"safeBins": ["wc"]}), &json!({"safeBins": []}));
        assert!(
            !none.admits(&wc, &[]),
            "the agent's empty list disables them"
        );
        let dir = tempfile::tempdir().unwrap();
        let planted = dir.path().join("wc");
        std::fs::copy("/usr/bin/wc", &planted).unwrap();
        assert!(!bins.admits(&exe(planted.to_str().unwrap()), &[]));
        assert!(trusting(dir.path()).admits(&exe(planted.to_str().unwrap()), &[]));
        // A custom profile replaces the built-in one.
        let custom = SafeBins::from_layers(&json!({"safeBinProfiles": {"head": {}}}), &Value::Null);
        assert!(!custom.admits(&head, &args(&["-n", "1"])));
        assert!(custom.admits(&head, &args(&["file.txt"])));
    }
}
