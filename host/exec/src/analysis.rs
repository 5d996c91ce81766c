//! What a `system.run` argv really runs, for the allowlist to judge, and the plan the node
//! executes when it is admitted: wrappers unwrapped (`wrappers`), shell scripts read into their
//! commands (`script`), every program resolved to the file it would execute and recognised by
//! that file (`identity`). Anything it cannot follow fails the analysis, which the policy
//! counts as an allowlist miss. What the plan runs is exactly the segments judged here.

use std::path::Path;

use crate::allowlist::{path_is_relative, resolve, Executable};
use crate::identity::{classify, Kind};
use crate::plan::{Command, List, Plan, Script, Step};
use crate::script::{self, Word};
use crate::shell_options;
use crate::wrappers::{self, Layer};

/// Wrappers unwrapped at most, and shells nested at most, before giving up.
const MAX_WRAPPERS: usize = 4;
const MAX_SHELL_DEPTH: usize = 2;
/// `find` actions that run commands.
const FIND_EXEC: &[&str] = &["-exec", "-execdir", "-ok", "-okdir"];
/// Shell builtins with no program of their own, that assign, evaluate or run code, or whose
/// effect a node-run script cannot carry (`exit`, `wait`): a script using one is a miss.
const SHELL_BUILTINS: &[&str] = &[
    ".",
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "compgen",
    "complete",
    "compopt",
    "continue",
    "declare",
    "dirs",
    "disown",
    "enable",
    "eval",
    "exit",
    "export",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "pushd",
    "read",
    "readarray",
    "readonly",
    "return",
    "shift",
    "shopt",
    "source",
    "suspend",
    "times",
    "trap",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "wait",
];

/// What the analysis knows of the node it runs on.
pub struct Context<'a> {
    pub path_env: &'a str,
    pub cwd: &'a Path,
}

/// One program a command runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub exe: Executable,
    pub args: Vec<String>,
    /// A shell whose script could not be read: only an argPattern entry or `*` admits it.
    pub opaque_shell: bool,
    /// False after a `cd`: entries bound to the request's directory do not apply.
    pub in_request_cwd: bool,
}

/// The analysed command.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Every program it runs.
    pub segments: Vec<Segment>,
    /// What the node executes when the allowlist admits it.
    pub plan: Plan,
}

pub fn analyse(argv: &[String], cx: &Context) -> Result<Analysis, String> {
    let words: Vec<Word> = argv
        .iter()
        .map(|a| Word {
            text: a.clone(),
            literal: true,
        })
        .collect();
    let mut walk = Walk {
        cx,
        segments: Vec::new(),
        changes_dir: false,
        names_relative: false,
    };
    let plan = match walk.command(&words, 0, false)? {
        Resolved::Program(step) => Plan::Program(step),
        Resolved::Shell(script) => Plan::Script(script),
    };
    if walk.changes_dir && (walk.names_relative || path_is_relative(cx.path_env)) {
        return Err("`cd` would change which programs the script runs".into());
    }
    Ok(Analysis {
        segments: walk.segments,
        plan,
    })
}

/// What one command resolves to.
enum Resolved {
    Program(Step),
    Shell(Script),
}

/// The state of one analysis.
struct Walk<'a> {
    cx: &'a Context<'a>,
    segments: Vec<Segment>,
    /// A script changes its directory somewhere.
    changes_dir: bool,
    /// A program is named by a path relative to the directory somewhere (resolved where the
    /// run starts, where a shell would look after a `cd`).
    names_relative: bool,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Walk<'_> {
    fn segment(&mut self, exe: &Executable, args: &[String], opaque_shell: bool) {
        self.segments.push(Segment {
            exe: exe.clone(),
            args: args.to_vec(),
            opaque_shell,
            in_request_cwd: !self.changes_dir,
        });
    }

    /// Analyses one command (its words): the program it runs, with wrappers dropped, or the
    /// script of the shell it starts. `in_script` is true inside a script, where `command` and
    /// `exec` are the shell's builtins.
    fn command(
        &mut self,
        words: &[Word],
        depth: usize,
        in_script: bool,
    ) -> Result<Resolved, String> {
        let mut start = 0;
        for layer in 0..=MAX_WRAPPERS {
            let rest = &words[start..];
            let first = rest.first().ok_or("no command")?;
            if let Some(w) = rest.iter().find(|w| !w.literal) {
                return Err(format!("`{}` is expanded by the shell", w.text));
            }
            let texts: Vec<String> = rest.iter().map(|w| w.text.clone()).collect();
            let argv0 = &first.text;
            if argv0.starts_with('~') || argv0.contains('=') || argv0.is_empty() {
                return Err(format!(
                    "`{argv0}` is not a program the allowlist can judge"
                ));
            }
            let builtin_carrier =
                in_script && layer == 0 && matches!(argv0.as_str(), "command" | "exec");
            let kind = match builtin_carrier {
                true => None,
                false => {
                    self.names_relative |= argv0.contains('/') && !argv0.starts_with('/');
                    let exe = resolve(argv0, self.cx.path_env, self.cx.cwd)
                        .ok_or_else(|| format!("{argv0}: no such executable"))?;
                    Some((classify(&exe.path), exe))
                }
            };
            let wrapper = match &kind {
                None => argv0.as_str(),
                Some((Kind::Wrapper(name), _)) => *name,
                Some((Kind::Refused(name), _)) => {
                    return Err(format!("{name} is not allowlisted through"))
                }
                Some((Kind::ScriptShell(shell), exe)) => {
                    return self.shell(shell, exe, &texts, depth)
                }
                Some((Kind::OpaqueShell(_), exe)) => {
                    self.segment(exe, &texts[1..], true);
                    return Ok(Resolved::Program(step(exe, texts)));
                }
                Some((Kind::Find, _)) if texts.iter().any(|a| FIND_EXEC.contains(&a.as_str())) => {
                    return Err("find -exec runs commands the allowlist cannot see".into())
                }
                Some((Kind::Program | Kind::Find, exe)) => {
                    self.segment(exe, &texts[1..], false);
                    return Ok(Resolved::Program(step(exe, texts)));
                }
            };
            match wrappers::unwrap(wrapper, &texts) {
                Layer::NotWrapper => return Err(format!("{wrapper} is not a wrapper")),
                Layer::Blocked { wrapper, why } => return Err(format!("{wrapper}: {why}")),
                Layer::Unwrapped {
                    wrapper,
                    transparent: false,
                    ..
                } => return Err(format!("{wrapper} changes how the command runs")),
                Layer::Unwrapped { .. } if layer == MAX_WRAPPERS => {
                    return Err("too many wrappers".into())
                }
                Layer::Unwrapped { index, .. } => start += index,
            }
        }
        Err("too many wrappers".into())
    }

    /// A script shell started with `argv`: its script, read and analysed, or an opaque shell
    /// when it reads no `-c` script.
    fn shell(
        &mut self,
        shell: &'static str,
        exe: &Executable,
        argv: &[String],
        depth: usize,
    ) -> Result<Resolved, String> {
        let Some((options, text)) = shell_options::invocation(shell, &argv[1..])? else {
            self.segment(exe, &argv[1..], true);
            return Ok(Resolved::Program(step(exe, argv.to_vec())));
        };
        if depth >= MAX_SHELL_DEPTH {
            return Err("shells nested too deep".into());
        }
        let mut lists = Vec::new();
        for and_or in script::lists(&text)? {
            let mut list = List {
                joins: and_or.joins,
                ..List::default()
            };
            for pipeline in &and_or.pipelines {
                let commands = pipeline
                    .iter()
                    .map(|words| self.script_command(shell, words, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                list.pipelines.push(commands);
            }
            lists.push(list);
        }
        Ok(Resolved::Shell(Script {
            shell,
            text,
            options,
            lists,
        }))
    }

    /// One simple command of a script.
    fn script_command(
        &mut self,
        shell: &str,
        words: &[Word],
        depth: usize,
    ) -> Result<Command, String> {
        if let Some(w) = words.iter().find(|w| !w.literal) {
            return Err(format!("`{}` is expanded by the shell", w.text));
        }
        let texts: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
        match texts[0].as_str() {
            ":" => return Ok(Command::Noop(texts)),
            "cd" => {
                return match &texts[1..] {
                    [dir] if !dir.is_empty() && !dir.starts_with('-') => {
                        self.changes_dir = true;
                        Ok(Command::Cd(dir.clone()))
                    }
                    _ => Err("cd takes one directory here".into()),
                }
            }
            "set" => {
                shell_options::set_builtin(shell, &texts[1..])?;
                return Ok(Command::Set(texts[1..].to_vec()));
            }
            name if SHELL_BUILTINS.contains(&name) => {
                return Err(format!("the shell builtin {name} is not allowlisted"))
            }
            _ => {}
        }
        let exec = texts[0] == "exec";
        Ok(match self.command(words, depth, true)? {
            Resolved::Shell(script) => Command::Shell(script),
            Resolved::Program(step) if exec => Command::Exec(step),
            Resolved::Program(step) => Command::Run(step),
        })
    }
}

fn step(exe: &Executable, argv: Vec<String>) -> Step {
    Step {
        program: exe.path.clone(),
        argv,
    }
}

/// Walks `argv` through its wrappers, each recognised by its file, or by its name where the
/// file is a plain program or none: the core command (`None` when a wrapper is refused, or there are
/// too many) and the names every `env` prelude on the way assigns.
fn peel<'a>(argv: &'a [String], cx: &Context) -> (Option<(&'a [String], Kind)>, Vec<String>) {
    let mut keys = Vec::new();
    let mut rest = argv;
    for _ in 0..=MAX_WRAPPERS {
        let Some(first) = rest.first() else { break };
        // The file decides; where it says "a program", the name may still say more (these
        // rules only ever get stricter for a shell or a wrapper).
        let by_name = crate::identity::kind_of_name(&file_name(Path::new(first)));
        let kind = match resolve(first, cx.path_env, cx.cwd).map(|exe| classify(&exe.path)) {
            Some(Kind::Program) | None => by_name,
            Some(kind) => kind,
        };
        let name = match kind {
            Kind::Wrapper(name) => name,
            Kind::Refused(_) => break,
            other => return (Some((rest, other)), keys),
        };
        match wrappers::unwrap(name, rest) {
            Layer::NotWrapper | Layer::Blocked { .. } => break,
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

/// Every simple command `argv` runs, as far as it can be read whatever the allowlist says:
/// under its wrappers, and inside the `-c` scripts of the shells it starts (a script that
/// cannot be read gives nothing). Each with the real file's name where its word resolves.
pub fn simple_commands(argv: &[String], cx: &Context) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    gather(argv, cx, 0, &mut out);
    out
}

fn gather(argv: &[String], cx: &Context, depth: usize, out: &mut Vec<(Vec<String>, String)>) {
    let (core, kind) = match peel(argv, cx).0 {
        Some((core, kind)) => (core, Some(kind)),
        None => (argv, None),
    };
    let Some(first) = core.first() else { return };
    if let (Some(Kind::ScriptShell(shell)), true) = (kind, depth <= MAX_SHELL_DEPTH) {
        let text = shell_options::invocation(shell, &core[1..]).ok().flatten();
        if let Some(lists) = text.and_then(|(_, text)| script::lists(&text).ok()) {
            let commands = lists.into_iter().flat_map(|l| l.pipelines).flatten();
            for words in commands {
                let texts: Vec<String> = words.into_iter().map(|w| w.text).collect();
                gather(&texts, cx, depth + 1, out);
            }
            return;
        }
    }
    let real = resolve(first, cx.path_env, cx.cwd)
        .map(|exe| file_name(&exe.path))
        .unwrap_or_else(|| file_name(Path::new(first)));
    out.push((core.to_vec(), real));
}

/// Is `argv` (through any wrappers) a shell? Such a command gets only the shell-safe
/// environment overrides.
pub fn runs_a_shell(argv: &[String], cx: &Context) -> bool {
    peel(argv, cx).0.is_some_and(|(_, kind)| kind.is_shell())
}

/// Is `argv` (through any wrappers) a shell given no `-c` script? What it runs (a script
/// file, stdin) is not in the command text, so no approval can be bound to it.
pub fn shell_without_script(argv: &[String], cx: &Context) -> bool {
    let Some((core, kind)) = peel(argv, cx).0 else {
        return false;
    };
    if !kind.is_shell() {
        return false;
    }
    let mut args = core[1..].iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--" => return true,
            "-o" | "+o" => {
                args.next();
            }
            flag if flag.starts_with('-') && !flag.starts_with("--") && flag.contains('c') => {
                return args.next().is_none();
            }
            flag if flag.starts_with('-') || flag.starts_with('+') => {}
            _ => return true,
        }
    }
    true
}

/// The names an `env` prelude assigns, through every wrapper layer.
pub fn env_assignments(argv: &[String], cx: &Context) -> Vec<String> {
    peel(argv, cx).1
}
