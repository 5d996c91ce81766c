//! Inline eval, for `tools.exec.strictInlineEval`: an interpreter given its program on the
//! command line (`python3 -c`, `node -e`, `perl -E`, an `awk` or `sed` program, `find -exec`,
//! `xargs CMD`, ...), which then runs code no allowlist entry describes. With the option on,
//! the real node host refuses such a run unless a person approved it explicitly; so does ours.

/// How an interpreter takes inline code.
struct Spec {
    names: &'static [&'static str],
    /// Flags compared case-insensitively, as `-x`, `--long` or `--long=...`.
    flags: &'static [&'static str],
    /// Flags compared as written.
    raw: &'static [&'static str],
    /// Letters that, inside a short cluster (`-Bc`), take the program.
    cluster: &'static str,
    /// The first operand is the program (`awk PROGRAM`, `xargs COMMAND`), unless `-f` names a file.
    positional: Option<&'static str>,
}

const fn spec(names: &'static [&'static str], flags: &'static [&'static str]) -> Spec {
    Spec {
        names,
        flags,
        raw: &[],
        cluster: "",
        positional: None,
    }
}

const SPECS: &[Spec] = &[
    Spec {
        cluster: "c",
        ..spec(&["python", "pypy"], &["-c"])
    },
    spec(
        &["node", "nodejs", "bun", "deno"],
        &["-e", "--eval", "-p", "--print"],
    ),
    Spec {
        positional: Some("inline program"),
        ..spec(&["awk", "gawk", "mawk", "nawk"], &["-e", "--source"])
    },
    Spec {
        cluster: "e",
        ..spec(&["ruby"], &["-e"])
    },
    Spec {
        cluster: "eE",
        ..spec(&["perl"], &["-e", "-E"])
    },
    Spec {
        raw: &["-B", "-E", "-R"],
        ..spec(&["php"], &["-r"])
    },
    spec(&["r", "rscript"], &["-e"]),
    Spec {
        raw: &["-E"],
        ..spec(&["julia"], &["-e", "--eval", "--print"])
    },
    spec(&["elixir", "iex"], &["-e", "--eval", "--rpc-eval"]),
    spec(&["guile"], &["-c", "-e"]),
    spec(&["groovy"], &["-e"]),
    spec(
        &["scala", "scala-cli"],
        &["-e", "--script-snippet", "--execute-script"],
    ),
    spec(&["clojure", "clj"], &["-e", "--eval"]),
    spec(&["raku"], &["-e"]),
    spec(&["ghc", "ghci"], &["-e"]),
    spec(&["erl", "werl"], &["-eval", "-run", "-s"]),
    spec(&["gdb"], &["-ex", "-iex", "-eiex", "--eval-command"]),
    spec(&["expect"], &["-c"]),
    spec(&["lua"], &["-e"]),
    spec(&["osascript"], &["-e"]),
    Spec {
        raw: &["-E"],
        ..spec(
            &["make", "gmake"],
            &["-f", "--file", "--makefile", "--eval"],
        )
    },
    Spec {
        raw: &["-e"],
        positional: Some("inline program"),
        ..spec(&["sed", "gsed"], &[])
    },
    Spec {
        positional: Some("inline command"),
        ..spec(&["xargs"], &[])
    },
];

/// `python3.12` is `python`, `node20` is `node`; `perl6` is raku.
fn base_name(name: &str) -> String {
    let lower = name.to_lowercase();
    if lower == "perl6" {
        return "raku".into();
    }
    lower
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
        .to_string()
}

/// What of `args` makes `exe` (as the command named it) evaluate inline code: the real
/// node host's description, such as `python3 -c` or `awk inline program`.
fn hit(exe: &str, spec: &Spec, args: &[String]) -> Option<String> {
    let described = |flag: &str| Some(format!("{exe} {flag}"));
    let find = spec.names == ["find"];
    let mut program_file = false;
    for arg in args {
        if arg == "--" && !find {
            break;
        }
        let lower = arg.to_lowercase();
        let name = lower.split_once('=').map_or(lower.as_str(), |(n, _)| n);
        if let Some(flag) = spec.flags.iter().find(|f| **f == name) {
            return described(flag);
        }
        if let Some(flag) = spec.raw.iter().find(|f| **f == arg.as_str()) {
            return described(flag);
        }
        // `--s`, `--sou`: an abbreviation of awk's `--source`.
        if spec.flags.contains(&"--source") && name.len() >= 3 && "--source".starts_with(name) {
            return described("--source");
        }
        let cluster = arg
            .strip_prefix('-')
            .filter(|c| !c.starts_with('-') && !c.is_empty());
        if let Some(letter) = cluster.and_then(|c| c.chars().find(|l| spec.cluster.contains(*l))) {
            // Perl's `-E` is described as `-e`, as the real node host does.
            return described(&format!("-{}", letter.to_ascii_lowercase()));
        }
        program_file |= arg == "-f" || arg.starts_with("--file");
        if !arg.starts_with('-') {
            return match spec.positional {
                Some(what) if !program_file => described(what),
                _ => None,
            };
        }
    }
    None
}

/// The first inline eval among `segments` (each: the name the command used, the real file's
/// name, the arguments), described as the real node host describes it.
pub fn detect<'a>(
    segments: impl IntoIterator<Item = (&'a str, &'a str, &'a [String])>,
) -> Option<String> {
    segments.into_iter().find_map(|(word, real, args)| {
        let names = [base_name(word), base_name(real)];
        if names.iter().any(|n| n == "find") {
            let runs = args
                .iter()
                .find(|a| ["-exec", "-execdir", "-ok", "-okdir"].contains(&a.as_str()))?;
            return Some(format!("{word} {runs}"));
        }
        let spec = SPECS
            .iter()
            .find(|s| names.iter().any(|n| s.names.contains(&n.as_str())))?;
        hit(word, spec, args)
    })
}

/// The inline eval any command `argv` runs would do (`python3 -c`, ...), looked for under
/// its wrappers and inside the `-c` scripts it starts.
pub fn in_command(argv: &[String], cx: &crate::analysis::Context) -> Option<String> {
    let commands = crate::analysis::simple_commands(argv, cx);
    detect(commands.iter().map(|(argv, real)| {
        let word = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
        (word, real.as_str(), &argv[1..])
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(word: &str, args: &[&str]) -> Option<String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        detect([(word, word, args.as_slice())])
    }

    #[test]
    fn interpreters_given_their_program_inline_are_found() {
        assert_eq!(
            one("python3", &["-c", "print(1)"]).as_deref(),
            Some("python3 -c")
        );
        assert_eq!(
            one("python3.12", &["-Bc", "x"]).as_deref(),
            Some("python3.12 -c")
        );
        assert_eq!(one("node", &["--eval=1"]).as_deref(), Some("node --eval"));
        assert_eq!(one("perl", &["-E", "say 1"]).as_deref(), Some("perl -e"));
        assert_eq!(
            one("awk", &["{print}"]).as_deref(),
            Some("awk inline program")
        );
        assert_eq!(one("awk", &["--sou", "x"]).as_deref(), Some("awk --source"));
        assert_eq!(
            one("sed", &["-n", "p"]).as_deref(),
            Some("sed inline program")
        );
        assert_eq!(
            one("xargs", &["rm"]).as_deref(),
            Some("xargs inline command")
        );
        assert_eq!(
            one("find", &[".", "-exec", "id", ";"]).as_deref(),
            Some("find -exec")
        );
        assert_eq!(one("make", &["-f", "x.mk"]).as_deref(), Some("make -f"));
        for quiet in [
            one("python3", &["script.py", "-c"]),
            one("python3", &["-V"]),
            one("awk", &["-f", "prog.awk", "data"]),
            one("node", &["app.js"]),
            one("ls", &["-e"]),
            one("find", &[".", "-name", "x"]),
        ] {
            assert_eq!(quiet, None);
        }
    }
}
