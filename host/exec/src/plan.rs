//! What the node executes once the allowlist admits a command: exact programs with exact
//! argv, and for a shell script the script's own structure (pipelines, `&&`, `||`, `;`), which
//! the node runs itself (`plan_runner`). No string is ever handed back to a shell.

use std::path::PathBuf;

pub use crate::script::Join;

/// A resolved program and the argv it gets (`argv[0]` as the command wrote it).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub program: PathBuf,
    pub argv: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Program(Step),
    Script(Script),
}

/// A shell script, as the node will run it.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The shell it was written for (`bash`, `dash`, ...), known by its file.
    pub shell: &'static str,
    /// The script's text, echoed under `verbose`.
    pub text: String,
    /// The options the shell was started with.
    pub options: Options,
    /// The and-or lists, run one after another.
    pub lists: Vec<List>,
}

/// Pipelines joined by `&&` and `||`; `joins[i]` stands between pipelines `i` and `i + 1`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct List {
    pub pipelines: Vec<Vec<Command>>,
    pub joins: Vec<Join>,
}

/// One command of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Run(Step),
    /// `exec PROGRAM`: the script ends with the program's status.
    Exec(Step),
    /// A nested shell's script, run by the node as well.
    Shell(Script),
    /// `:` and its (literal, unused) words.
    Noop(Vec<String>),
    /// `cd DIR`.
    Cd(String),
    /// `set` with the arguments it was judged with: harmless options only.
    Set(Vec<String>),
}

/// The shell options a script may use: none of them changes what runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellOption {
    Errexit,
    Nounset,
    Pipefail,
    Noglob,
    Noclobber,
    Xtrace,
    Verbose,
}

impl ShellOption {
    /// The option of a `-x` style letter.
    pub fn from_letter(c: char) -> Option<ShellOption> {
        Some(match c {
            'e' => ShellOption::Errexit,
            'u' => ShellOption::Nounset,
            'f' => ShellOption::Noglob,
            'C' => ShellOption::Noclobber,
            'x' => ShellOption::Xtrace,
            'v' => ShellOption::Verbose,
            _ => return None,
        })
    }

    /// The option of a `-o NAME`.
    pub fn from_name(name: &str) -> Option<ShellOption> {
        Some(match name {
            "errexit" => ShellOption::Errexit,
            "nounset" => ShellOption::Nounset,
            "pipefail" => ShellOption::Pipefail,
            "noglob" => ShellOption::Noglob,
            "noclobber" => ShellOption::Noclobber,
            "xtrace" => ShellOption::Xtrace,
            "verbose" => ShellOption::Verbose,
            _ => return None,
        })
    }
}

/// The options in force. `nounset`, `noglob` and `noclobber` change nothing in a script the
/// node runs (it has no expansions and no redirections); they are kept for what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub errexit: bool,
    pub nounset: bool,
    pub pipefail: bool,
    pub noglob: bool,
    pub noclobber: bool,
    pub xtrace: bool,
    pub verbose: bool,
}

impl Options {
    pub fn set(&mut self, option: ShellOption, on: bool) {
        let flag = match option {
            ShellOption::Errexit => &mut self.errexit,
            ShellOption::Nounset => &mut self.nounset,
            ShellOption::Pipefail => &mut self.pipefail,
            ShellOption::Noglob => &mut self.noglob,
            ShellOption::Noclobber => &mut self.noclobber,
            ShellOption::Xtrace => &mut self.xtrace,
            ShellOption::Verbose => &mut self.verbose,
        };
        *flag = on;
    }
}

impl Plan {
    /// What will run, as text: each program by its resolved path, a script's structure kept
    /// (a nested shell's script in parentheses).
    pub fn preview(&self) -> String {
        match self {
            Plan::Program(step) => step.preview(),
            Plan::Script(script) => script.preview(),
        }
    }
}

impl Step {
    fn preview(&self) -> String {
        let mut argv = self.argv.clone();
        argv[0] = self.program.display().to_string();
        openclaw_protocol::exec_command::format_exec_command(&argv)
    }
}

impl Script {
    fn preview(&self) -> String {
        let lists: Vec<String> = self.lists.iter().map(List::preview).collect();
        lists.join("; ")
    }
}

impl List {
    fn preview(&self) -> String {
        let mut text = String::new();
        for (i, pipeline) in self.pipelines.iter().enumerate() {
            if let Some(join) = i.checked_sub(1).map(|j| self.joins[j]) {
                text.push_str(if join == Join::And { " && " } else { " || " });
            }
            let commands: Vec<String> = pipeline.iter().map(Command::preview).collect();
            text.push_str(&commands.join(" | "));
        }
        text
    }
}

impl Command {
    fn preview(&self) -> String {
        let words = |first: &str, rest: &[String]| {
            let mut argv = vec![first.to_string()];
            argv.extend(rest.iter().cloned());
            openclaw_protocol::exec_command::format_exec_command(&argv)
        };
        match self {
            Command::Run(step) => step.preview(),
            Command::Exec(step) => format!("exec {}", step.preview()),
            Command::Shell(script) => format!("({})", script.preview()),
            Command::Noop(w) => words(":", &w[1..]),
            Command::Cd(dir) => words("cd", std::slice::from_ref(dir)),
            Command::Set(args) => words("set", args),
        }
    }
}
