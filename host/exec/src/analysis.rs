//! What a `system.run` argv really runs, for the allowlist to judge: wrappers unwrapped
//! (`wrappers`), shell scripts read into their commands (`script`), every program resolved to
//! the file it would execute. Anything it cannot follow fails the analysis, which the policy
//! counts as an allowlist miss.

use std::path::{Path, PathBuf};

use crate::allowlist::{path_is_relative, resolve, Executable};
use crate::script::{self, Word};
use crate::wrappers::{self, Layer};

/// Shells whose `-c` script is read; other shells are opaque (their startup files run code).
const SCRIPT_SHELLS: &[&str] = &["ash", "bash", "dash", "ksh", "mksh", "sh", "yash"];
/// Every shell: a command run through one of these gets only the shell-safe overrides.
const ALL_SHELLS: &[&str] = &[
    "ash", "bash", "csh", "dash", "elvish", "fish", "ksh", "mksh", "nu", "osh", "sh", "tcsh",
    "xonsh", "yash", "zsh",
];
/// Where the system's own wrappers and shells live. A file named `env` or `sh` anywhere else
/// (a planted `./sh`) is just a program.
const SYSTEM_DIRS: &[&str] = &["/usr/bin", "/bin", "/usr/sbin", "/sbin"];
/// Shell builtins that run nothing and need no allowlist entry inside a script.
const SAFE_BUILTINS: &[&str] = &[":", "true", "false", "pwd", "test", "["];
/// Wrappers unwrapped at most, and shells nested at most, before giving up.
const MAX_WRAPPERS: usize = 4;
const MAX_SHELL_DEPTH: usize = 2;
/// `find` actions that run commands.
const FIND_EXEC: &[&str] = &["-exec", "-execdir", "-ok", "-okdir"];

/// What the analysis knows of the node it runs on.
pub struct Context<'a> {
    pub path_env: &'a str,
    pub cwd: &'a Path,
}

/// One program a command runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub exe: Executable,
    /// Its arguments, when every one is literal (the shell expands none of them).
    pub args: Option<Vec<String>>,
    /// A shell whose script could not be read: only an argPattern entry or `*` admits it.
    pub opaque_shell: bool,
}

/// The analysed command.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Every program it runs (safe builtins excepted).
    pub segments: Vec<Segment>,
    /// What the node executes when the allowlist admits it: the resolved program, run
    /// directly (outer wrappers dropped), with this argv.
    pub program: PathBuf,
    pub argv: Vec<String>,
}

pub fn analyse(argv: &[String], cx: &Context) -> Result<Analysis, String> {
    let words: Vec<Word> = argv
        .iter()
        .map(|a| Word {
            text: a.clone(),
            literal: true,
        })
        .collect();
    let mut segments = Vec::new();
    let (program, start) = command(&words, cx, 0, &mut segments)?;
    Ok(Analysis {
        segments,
        program,
        argv: argv[start..].to_vec(),
    })
}

fn file_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// `word` resolves to the system's own program of that name.
fn system_program(word: &str, cx: &Context) -> Option<Executable> {
    let exe = resolve(word, cx.path_env, cx.cwd)?;
    let dir = exe.path.parent()?;
    SYSTEM_DIRS
        .iter()
        .any(|d| dir == Path::new(d))
        .then_some(exe)
}

/// Analyses one command (its words), adding what it runs to `segments`. Answers the program
/// it starts and the index of the word that names it (after the wrappers it drops).
fn command(
    words: &[Word],
    cx: &Context,
    depth: usize,
    segments: &mut Vec<Segment>,
) -> Result<(PathBuf, usize), String> {
    let mut start = 0;
    for layer in 0..=MAX_WRAPPERS {
        let rest = &words[start..];
        let first = rest.first().ok_or("no command")?;
        if !first.literal {
            return Err(format!("`{}` is expanded by the shell", first.text));
        }
        let name = file_name(&first.text);
        let texts: Vec<String> = rest.iter().map(|w| w.text.clone()).collect();
        // `command` and `exec` are shell builtins, so only in a script; the other wrappers
        // are system programs.
        let builtin = depth > 0 && matches!(first.text.as_str(), "command" | "exec");
        let unwrapped = match wrappers::unwrap(name, &texts) {
            Layer::NotWrapper => None,
            Layer::Blocked { wrapper, why } => {
                return Err(format!("{wrapper}: {why}"));
            }
            Layer::Unwrapped { wrapper, .. }
                if !builtin
                    && (matches!(wrapper, "command" | "exec")
                        || system_program(&first.text, cx).is_none()) =>
            {
                None
            }
            Layer::Unwrapped {
                wrapper,
                transparent: false,
                ..
            } => return Err(format!("{wrapper} changes how the command runs")),
            Layer::Unwrapped { index, .. } => Some(index),
        };
        match unwrapped {
            Some(_) if layer == MAX_WRAPPERS => return Err("too many wrappers".into()),
            // A glob among a wrapper's options could expand into other options.
            Some(index) if rest[..index].iter().any(|w| !w.literal) => {
                return Err(format!("{name}'s options are expanded by the shell"))
            }
            Some(index) => start += index,
            None => break,
        }
    }
    let rest = &words[start..];
    let argv0 = &rest[0].text;
    let args: Vec<String> = rest[1..].iter().map(|w| w.text.clone()).collect();
    if argv0.starts_with('~') || argv0.contains('=') {
        return Err(format!(
            "`{argv0}` is not a program the allowlist can judge"
        ));
    }
    let literal = rest[1..].iter().all(|w| w.literal);
    let runs_commands = |a: &String| FIND_EXEC.contains(&a.as_str());
    if file_name(argv0) == "find" && (!literal || args.iter().any(runs_commands)) {
        return Err("find -exec runs commands the allowlist cannot see".into());
    }
    if ALL_SHELLS.contains(&file_name(argv0)) && !args.is_empty() {
        if let Some(shell) = system_program(argv0, cx) {
            if !literal {
                return Err("a shell's arguments are expanded by the shell".into());
            }
            let readable = SCRIPT_SHELLS.contains(&file_name(argv0));
            match shell_script(&args).filter(|_| readable) {
                Some(_) if depth >= MAX_SHELL_DEPTH => return Err("shells nested too deep".into()),
                Some(text) => script_commands(text, cx, depth + 1, segments)?,
                None => segments.push(Segment {
                    exe: shell.clone(),
                    args: Some(args),
                    opaque_shell: true,
                }),
            }
            return Ok((shell.path, start));
        }
    }
    let exe = resolve(argv0, cx.path_env, cx.cwd)
        .ok_or_else(|| format!("{argv0}: no such executable"))?;
    segments.push(Segment {
        exe: exe.clone(),
        args: literal.then_some(args),
        opaque_shell: false,
    });
    Ok((exe.path, start))
}

/// The commands of a script. `cd` is allowed only where it cannot change what later
/// commands run: when no program is named relative to the directory.
fn script_commands(
    text: &str,
    cx: &Context,
    depth: usize,
    segments: &mut Vec<Segment>,
) -> Result<(), String> {
    let commands = script::commands(text)?;
    let mut changes_dir = false;
    for words in &commands {
        let name = words[0].text.as_str();
        if name == "cd" {
            changes_dir = true;
            continue;
        }
        if SAFE_BUILTINS.contains(&name) {
            if name == "[" && words.last().map(|w| w.text.as_str()) != Some("]") {
                return Err("`[` without `]`".into());
            }
            continue;
        }
        command(words, cx, depth, segments)?;
    }
    let relative = |w: &Vec<Word>| {
        w.iter()
            .any(|w| w.text.contains('/') && !w.text.starts_with('/'))
    };
    if changes_dir && (path_is_relative(cx.path_env) || commands.iter().any(relative)) {
        return Err("`cd` would change which programs the script runs".into());
    }
    Ok(())
}

/// The script of `sh -c SCRIPT` (options before it allowed: `-e -u -x -v -f -a -C`,
/// `-o NAME`, `+...`, `--norc`, `--noprofile`, `--posix`). A login or interactive shell, a
/// script read from a file or stdin, or any other option answers `None`.
fn shell_script(args: &[String]) -> Option<&str> {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "-c" | "--command" => return args.get(i + 1).map(String::as_str),
            "--norc" | "--noprofile" | "--posix" => i += 1,
            cluster
                if cluster.len() > 1 && (cluster.starts_with('-') || cluster.starts_with('+')) =>
            {
                let letters = &cluster[1..];
                if !letters.chars().all(|c| "euxvfaCoOc".contains(c)) {
                    return None;
                }
                // Each `o`/`O` takes the next word as its value.
                let values = letters.chars().filter(|c| matches!(c, 'o' | 'O')).count();
                if letters.contains('c') {
                    return cluster
                        .starts_with('-')
                        .then(|| args.get(i + 1 + values).map(String::as_str))
                        .flatten();
                }
                i += 1 + values;
            }
            _ => return None,
        }
    }
    None
}

/// Walks `argv` through its wrappers: the command at the core (`None` when a wrapper is
/// refused, or there are too many) and the names every `env` prelude on the way assigns.
fn peel(argv: &[String]) -> (Option<&[String]>, Vec<String>) {
    let mut keys = Vec::new();
    let mut rest = argv;
    for _ in 0..=MAX_WRAPPERS {
        let Some(first) = rest.first() else { break };
        match wrappers::unwrap(file_name(first), rest) {
            Layer::NotWrapper => return (Some(rest), keys),
            Layer::Blocked { .. } => break,
            Layer::Unwrapped {
                index, env_keys, ..
            } => {
                keys.extend(env_keys);
                rest = &rest[index..];
            }
        }
    }
    (None, keys)
}

/// Is `argv` (through any wrappers) a shell? Such a command gets only the shell-safe
/// environment overrides.
pub fn runs_a_shell(argv: &[String]) -> bool {
    peel(argv)
        .0
        .and_then(|core| core.first())
        .is_some_and(|first| ALL_SHELLS.contains(&file_name(first)))
}

/// The names an `env` prelude assigns, through every wrapper layer.
pub fn env_assignments(argv: &[String]) -> Vec<String> {
    peel(argv).1
}
