//! Dispatch wrappers (`env`, `nice`, `nohup`, `timeout`, `stdbuf`, `flock`, `time`, and the
//! shell's `command` and `exec`): the programs that run another program named in their own
//! argv. To know what a command really runs, the analyser unwraps them, and it parses each
//! wrapper's options exactly as the wrapper itself does (GNU getopt: `-x V`, `-xV`, clusters,
//! `--long V`, `--long=V`, stop at the first operand). Whatever it does not fully understand
//! is `Blocked`: such a command is never allowlisted.

/// A wrapper's options, as its own getopt string and long options declare them.
struct Spec {
    /// Short options without a value.
    flags: &'static str,
    /// Short options that take a value.
    valued: &'static str,
    long_flags: &'static [&'static str],
    long_valued: &'static [&'static str],
    /// Long options whose value may only be attached with `=`.
    long_optional: &'static [&'static str],
}

/// What unwrapping one layer found.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// `argv[0]` is no wrapper.
    NotWrapper,
    /// The wrapped command starts at `argv[index]`. `transparent` is false when the wrapper
    /// changes how it runs (environment, directory, signals); `env_keys` are the names an
    /// `env` prelude assigns.
    Unwrapped {
        wrapper: &'static str,
        index: usize,
        transparent: bool,
        env_keys: Vec<String>,
    },
    /// A wrapper that is refused, or one used in a way the analyser does not follow.
    Blocked { wrapper: String, why: String },
}

/// Programs that run other programs in ways an allowlist cannot see through: refused.
pub const REFUSED: &[&str] = &[
    "bwrap",
    "busybox",
    "catchsegv",
    "chpst",
    "chroot",
    "chrt",
    "cpulimit",
    "daemonize",
    "doas",
    "eatmydata",
    "fakechroot",
    "fakeroot",
    "firejail",
    "gdb",
    "gosu",
    "ionice",
    "linux32",
    "linux64",
    "ltrace",
    "newgrp",
    "nsenter",
    "numactl",
    "parallel",
    "perf",
    "pkexec",
    "prlimit",
    "proot",
    "proxychains",
    "proxychains4",
    "runcon",
    "runuser",
    "script",
    "setarch",
    "setpriv",
    "setsid",
    "setuidgid",
    "sg",
    "sshpass",
    "start-stop-daemon",
    "strace",
    "su",
    "sudo",
    "systemd-run",
    "taskset",
    "torify",
    "torsocks",
    "toybox",
    "unbuffer",
    "unshare",
    "valgrind",
    "watch",
    "xargs",
    "xvfb-run",
    "builtin",
    "caffeinate",
    "sandbox-exec",
    "arch",
    "xcrun",
];

fn blocked(wrapper: &str, why: impl Into<String>) -> Layer {
    Layer::Blocked {
        wrapper: wrapper.to_string(),
        why: why.into(),
    }
}

/// One option as getopt saw it: `-x` or `--long`.
struct Opt {
    name: String,
}

/// Walks a `+`-style getopt option list from `argv[1]`: answers the options and the index of
/// the first operand (after a `--`, if any), or why it cannot be parsed.
fn getopt(spec: &Spec, argv: &[String]) -> Result<(Vec<Opt>, usize), String> {
    let mut opts = Vec::new();
    let mut i = 1;
    while let Some(token) = argv.get(i) {
        if token == "--" {
            return Ok((opts, i + 1));
        }
        if let Some(long) = token.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            if spec.long_flags.contains(&name) {
                if attached.is_some() {
                    return Err(format!("--{name} takes no value"));
                }
            } else if spec.long_valued.contains(&name) {
                if attached.is_none() {
                    i += 1;
                    argv.get(i)
                        .ok_or_else(|| format!("--{name} needs a value"))?;
                }
            } else if !spec.long_optional.contains(&name) {
                return Err(format!("unknown option --{name}"));
            }
            opts.push(Opt {
                name: format!("--{name}"),
            });
            i += 1;
            continue;
        }
        let Some(cluster) = token.strip_prefix('-').filter(|c| !c.is_empty()) else {
            return Ok((opts, i));
        };
        for (at, c) in cluster.char_indices() {
            if spec.flags.contains(c) {
                opts.push(Opt {
                    name: format!("-{c}"),
                });
            } else if spec.valued.contains(c) {
                // The value is the rest of the word, else the next word.
                if cluster[at + c.len_utf8()..].is_empty() {
                    i += 1;
                    argv.get(i).ok_or_else(|| format!("-{c} needs a value"))?;
                }
                opts.push(Opt {
                    name: format!("-{c}"),
                });
                break;
            } else {
                return Err(format!("unknown option -{c}"));
            }
        }
        i += 1;
    }
    Ok((opts, i))
}

const ENV: Spec = Spec {
    flags: "i0v",
    valued: "uCS",
    long_flags: &[
        "ignore-environment",
        "null",
        "debug",
        "list-signal-handling",
    ],
    long_valued: &["unset", "chdir", "split-string"],
    long_optional: &["block-signal", "default-signal", "ignore-signal"],
};
const NOHUP: Spec = Spec {
    flags: "",
    valued: "",
    long_flags: &[],
    long_valued: &[],
    long_optional: &[],
};
const TIMEOUT: Spec = Spec {
    flags: "v",
    valued: "ks",
    long_flags: &["foreground", "preserve-status", "verbose"],
    long_valued: &["kill-after", "signal"],
    long_optional: &[],
};
const STDBUF: Spec = Spec {
    flags: "",
    valued: "ioe",
    long_flags: &[],
    long_valued: &["input", "output", "error"],
    long_optional: &[],
};
const FLOCK: Spec = Spec {
    flags: "sexnoF",
    valued: "wE",
    long_flags: &[
        "shared",
        "exclusive",
        "nonblock",
        "nonblocking",
        "close",
        "no-fork",
        "verbose",
    ],
    long_valued: &["timeout", "wait", "conflict-exit-code"],
    long_optional: &[],
};
const TIME: Spec = Spec {
    flags: "pqv",
    valued: "f",
    long_flags: &["portability", "quiet", "verbose"],
    long_valued: &["format"],
    long_optional: &[],
};
/// The shell builtins `command` and `exec`, without options (`command -p|-v|-V` and
/// `exec -a|-c|-l` change what runs or run nothing, and dash's `exec` takes no options).
const CARRIER: Spec = NOHUP;

/// `nice`'s own loop: a legacy `-N`/`--N`/`-+N` adjustment, or `-n N`, `-nN`,
/// `--adjustment[=]N`, until the first operand. Answers that operand's index.
fn nice_command(argv: &[String]) -> Result<usize, String> {
    let mut i = 1;
    while let Some(token) = argv.get(i) {
        let bytes = token.as_bytes();
        let skip = usize::from(matches!(bytes.get(1), Some(b'-' | b'+')));
        let legacy =
            bytes.first() == Some(&b'-') && bytes.get(1 + skip).is_some_and(|b| b.is_ascii_digit());
        if token == "--" {
            return Ok(i + 1);
        } else if legacy
            || token.starts_with("--adjustment=")
            || (token.starts_with("-n") && token.len() > 2)
        {
            i += 1;
        } else if token == "-n" || token == "--adjustment" {
            if argv.get(i + 1).is_none() {
                return Err(format!("{token} needs a value"));
            }
            i += 2;
        } else if token.starts_with('-') && token.len() > 1 {
            return Err(format!("unknown option {token}"));
        } else {
            return Ok(i);
        }
    }
    Ok(i)
}

/// Unwraps one layer of `argv` whose `argv[0]` has the basename `name`. Whether that file
/// really is the system's wrapper is the caller's business.
pub fn unwrap(name: &str, argv: &[String]) -> Layer {
    if REFUSED.contains(&name) {
        return blocked(name, format!("{name} is not allowlisted through"));
    }
    let (wrapper, spec): (&'static str, Option<&Spec>) = match name {
        "env" => ("env", Some(&ENV)),
        "nice" => ("nice", None),
        "nohup" => ("nohup", Some(&NOHUP)),
        "timeout" => ("timeout", Some(&TIMEOUT)),
        "stdbuf" => ("stdbuf", Some(&STDBUF)),
        "flock" => ("flock", Some(&FLOCK)),
        "time" => ("time", Some(&TIME)),
        "command" => ("command", Some(&CARRIER)),
        "exec" => ("exec", Some(&CARRIER)),
        _ => return Layer::NotWrapper,
    };
    let parsed = match spec {
        Some(spec) => getopt(spec, argv),
        None => nice_command(argv).map(|index| (Vec::new(), index)),
    };
    let (opts, mut index) = match parsed {
        Ok(parsed) => parsed,
        Err(why) => return blocked(wrapper, why),
    };
    // Options of the other wrappers change only how the command is scheduled or buffered;
    // `env`'s change its environment, directory or signals.
    let mut transparent = wrapper != "env" || opts.is_empty();
    let mut env_keys = Vec::new();
    match wrapper {
        "env" => {
            if opts
                .iter()
                .any(|o| matches!(o.name.as_str(), "-S" | "--split-string"))
            {
                return blocked(wrapper, "env -S splits a string into a new command");
            }
            // `env -` means `env -i`; every later word with a `=` is an assignment.
            if argv.get(index).is_some_and(|w| w == "-") {
                transparent = false;
                index += 1;
            }
            while let Some((key, _)) = argv.get(index).and_then(|w| w.split_once('=')) {
                env_keys.push(key.to_string());
                transparent = false;
                index += 1;
            }
        }
        "timeout" | "flock" => {
            // One operand first: the duration, or the lock file.
            if argv.get(index).is_none_or(|w| w.is_empty()) {
                return blocked(wrapper, "no operand");
            }
            index += 1;
            if wrapper == "flock"
                && argv
                    .get(index)
                    .is_some_and(|w| w == "-c" || w == "--command")
            {
                return blocked(wrapper, "flock -c runs a string through a shell");
            }
        }
        _ => {}
    }
    match argv.get(index) {
        None => blocked(wrapper, "no command to run"),
        Some(cmd) if cmd.is_empty() || cmd.starts_with('-') => blocked(
            wrapper,
            format!("unexpected {cmd:?} where the command starts"),
        ),
        Some(_) => Layer::Unwrapped {
            wrapper,
            index,
            transparent,
            env_keys,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(words: &[&str]) -> Layer {
        let argv: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        unwrap(words[0], &argv)
    }

    fn command_at(words: &[&str]) -> Option<usize> {
        match layer(words) {
            Layer::Unwrapped { index, .. } => Some(index),
            _ => None,
        }
    }

    #[test]
    fn options_that_take_a_value_take_it_in_every_form() {
        assert_eq!(command_at(&["timeout", "-s", "KILL", "5", "ls"]), Some(4));
        assert_eq!(command_at(&["timeout", "-sKILL", "5", "ls"]), Some(3));
        assert_eq!(
            command_at(&["timeout", "--signal", "KILL", "5", "ls"]),
            Some(4)
        );
        assert_eq!(
            command_at(&["timeout", "--signal=KILL", "5", "ls"]),
            Some(3)
        );
        assert_eq!(command_at(&["timeout", "-vk", "1", "5", "ls"]), Some(4));
        assert_eq!(
            command_at(&["flock", "--wait", "1", "ls", "touch"]),
            Some(4)
        );
        assert_eq!(command_at(&["flock", "-xnw", "1", "f", "ls"]), Some(4));
        assert_eq!(command_at(&["nice", "-n", "5", "ls"]), Some(3));
        assert_eq!(command_at(&["nice", "-5", "ls"]), Some(2));
        assert_eq!(command_at(&["nice", "--adjustment", "5", "ls"]), Some(3));
        assert_eq!(command_at(&["stdbuf", "-oL", "-e", "0", "ls"]), Some(4));
    }

    #[test]
    fn env_assignments_and_modifiers_are_seen() {
        assert_eq!(
            layer(&["env", "A=1", "B=2", "ls"]),
            Layer::Unwrapped {
                wrapper: "env",
                index: 3,
                transparent: false,
                env_keys: vec!["A".into(), "B".into()],
            }
        );
        assert_eq!(command_at(&["env", "-u", "ls", "touch"]), Some(3));
        assert!(matches!(
            layer(&["env", "-u", "ls", "touch"]),
            Layer::Unwrapped {
                transparent: false,
                ..
            }
        ));
        assert!(matches!(
            layer(&["env", "ls"]),
            Layer::Unwrapped {
                transparent: true,
                ..
            }
        ));
        for blocked in [
            &["env", "-Stouch x", "ls"][..],
            &["env", "--split-string=touch x", "ls"],
            &["env", "--spl", "x", "ls"],
            &["flock", "f", "-c", "x"],
            &["timeout", "5"],
            &["nohup", "--help", "ls"],
            &["sudo", "ls"],
            &["command", "-v", "ls"],
        ] {
            assert!(
                matches!(layer(blocked), Layer::Blocked { .. }),
                "{blocked:?}"
            );
        }
        assert_eq!(layer(&["ls", "-l"]), Layer::NotWrapper);
    }
}
