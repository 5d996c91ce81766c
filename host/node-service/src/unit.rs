//! The node's systemd user unit: rendered from the install's inputs, and read back for `status`.
//! Quoting follows systemd's own rules, so the argv systemd runs is the argv we meant.

use std::path::Path;

/// The unit's name in the user manager.
pub const UNIT_NAME: &str = "openclaw-node.service";

/// What a unit runs: the program and its arguments, fixed environment, and the env file that
/// carries the secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSpec {
    pub program_arguments: Vec<String>,
    pub environment: Vec<(String, String)>,
    pub environment_file: String,
}

/// The unit file's text.
pub fn render(spec: &UnitSpec) -> Result<String, String> {
    for arg in &spec.program_arguments {
        refuse_line_breaks(arg, "Service argument")?;
    }
    for (key, value) in &spec.environment {
        refuse_line_breaks(key, "Environment variable name")?;
        refuse_line_breaks(value, &format!("Environment variable {key}"))?;
    }
    refuse_line_breaks(&spec.environment_file, "EnvironmentFile path")?;
    let exec_start: Vec<String> = spec
        .program_arguments
        .iter()
        .map(|a| exec_word(a))
        .collect();
    let mut text = String::from(
        "[Unit]\n\
         Description=OpenClaw Node Host\n\
         After=network-online.target\n\
         Wants=network-online.target\n\
         StartLimitBurst=10\n\
         StartLimitIntervalSec=300\n\
         \n\
         [Service]\n",
    );
    text += &format!("ExecStart={}\n", exec_start.join(" "));
    // 78 is EX_CONFIG: `node run` exits with it when its configuration cannot work, and
    // restarting would only fail the same way.
    text += "Restart=always\n\
             RestartSec=5\n\
             RestartPreventExitStatus=78\n\
             TimeoutStopSec=330\n\
             TimeoutStartSec=30\n\
             SuccessExitStatus=0 143\n\
             OOMPolicy=continue\n\
             KillMode=mixed\n";
    text += &format!(
        "EnvironmentFile=-{}\n",
        escape_specifiers(&spec.environment_file)
    );
    for (key, value) in spec.environment.iter().filter(|(_, v)| !v.is_empty()) {
        text += &format!("Environment={}\n", environment_word(key, value));
    }
    text += "\n[Install]\nWantedBy=default.target\n";
    Ok(text)
}

/// A line break would end the setting and start another one of the value's choosing.
fn refuse_line_breaks(value: &str, what: &str) -> Result<(), String> {
    if value.contains(['\r', '\n']) {
        return Err(format!("{what} cannot contain CR or LF characters."));
    }
    Ok(())
}

/// `%` starts a specifier in every unit setting.
fn escape_specifiers(value: &str) -> String {
    value.replace('%', "%%")
}

fn needs_quotes(value: &str) -> bool {
    value.is_empty() || value.contains(|c: char| c.is_whitespace() || "\"'\\;".contains(c))
}

fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One ExecStart word: quoted when needed, `%` and `$` (variable expansion) doubled.
fn exec_word(arg: &str) -> String {
    let word = if needs_quotes(arg) {
        quote(arg)
    } else {
        arg.to_string()
    };
    escape_specifiers(&word).replace('$', "$$")
}

/// One `Environment=` assignment; `Environment=` does no `$` expansion.
fn environment_word(key: &str, value: &str) -> String {
    let assignment = format!("{key}={value}");
    escape_specifiers(&if needs_quotes(&assignment) {
        quote(&assignment)
    } else {
        assignment
    })
}

/// What `status` reads back from an installed unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstalledUnit {
    pub program_arguments: Vec<String>,
    pub environment: Vec<(String, String)>,
    pub environment_files: Vec<String>,
    pub working_directory: Option<String>,
}

/// Reads the `[Service]` settings `status` shows, unquoted as systemd unquotes them.
pub fn parse(text: &str) -> InstalledUnit {
    let mut unit = InstalledUnit::default();
    let mut in_service = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_service = line == "[Service]";
            continue;
        }
        let Some((key, value)) = line.split_once('=').filter(|_| in_service) else {
            continue;
        };
        match key.trim() {
            "ExecStart" => {
                unit.program_arguments = split_words(value, true);
            }
            "Environment" => {
                for word in split_words(value, false) {
                    if let Some((k, v)) = word.split_once('=') {
                        unit.environment.push((k.into(), v.into()));
                    }
                }
            }
            "EnvironmentFile" => {
                let path = unescape_specifiers(value.trim());
                unit.environment_files
                    .push(path.trim_start_matches('-').to_string());
            }
            "WorkingDirectory" => unit.working_directory = Some(unescape_specifiers(value.trim())),
            _ => {}
        }
    }
    unit
}

fn unescape_specifiers(value: &str) -> String {
    value.replace("%%", "%")
}

/// systemd's word splitting: whitespace separates, double or single quotes group, backslash
/// escapes; `%%` is a literal `%`, and in ExecStart `$$` a literal `$`.
fn split_words(value: &str, exec: bool) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = value.trim().chars().peekable();
    while chars.peek().is_some() {
        let mut word = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(next) = chars.next() {
                        word.push(match next {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                '%' if chars.peek() == Some(&'%') => {
                    chars.next();
                    word.push('%');
                }
                '$' if exec && chars.peek() == Some(&'$') => {
                    chars.next();
                    word.push('$');
                }
                q @ ('"' | '\'') if quote.is_none() => quote = Some(q),
                q if quote == Some(q) => quote = None,
                c if c.is_whitespace() && quote.is_none() => break,
                c => word.push(c),
            }
        }
        words.push(word);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    }
    words
}

/// `~/.config/systemd/user/openclaw-node.service` under `home`.
pub fn unit_path(home: &Path) -> std::path::PathBuf {
    home.join(".config/systemd/user").join(UNIT_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(args: &[&str]) -> UnitSpec {
        UnitSpec {
            program_arguments: args.iter().map(|s| s.to_string()).collect(),
            environment: vec![
                ("HOME".into(), "/home/alice".into()),
                ("TASK".into(), "OpenClaw Node".into()),
                ("EMPTY".into(), String::new()),
            ],
            environment_file: "/home/alice/.openclaw/node.systemd.env".into(),
        }
    }

    #[test]
    fn tricky_arguments_come_back_as_they_went_in() {
        let args = [
            "/opt/open claw/openclaw",
            "node",
            "run",
            "--display-name",
            "Build \"Node\" 100% $HOME \\ 'x' ; y",
            "",
        ];
        let text = render(&spec(&args)).unwrap();
        let unit = parse(&text);
        assert_eq!(unit.program_arguments, args);
        assert_eq!(
            unit.environment,
            [
                ("HOME".to_string(), "/home/alice".to_string()),
                ("TASK".into(), "OpenClaw Node".into())
            ]
        );
        assert_eq!(
            unit.environment_files,
            ["/home/alice/.openclaw/node.systemd.env"]
        );
    }

    #[test]
    fn renders_the_real_unit_for_plain_arguments() {
        let text = render(&spec(&["/usr/bin/openclaw", "node", "run", "--host", "gw"])).unwrap();
        assert!(text.contains("\nExecStart=/usr/bin/openclaw node run --host gw\n"));
        assert!(text.contains("\nEnvironment=HOME=/home/alice\n"));
        assert!(text.contains("\nEnvironment=\"TASK=OpenClaw Node\"\n"));
        assert!(!text.contains("EMPTY"));
        assert!(text.ends_with("[Install]\nWantedBy=default.target\n"));
    }

    #[test]
    fn a_line_break_cannot_smuggle_a_directive() {
        let err = render(&spec(&["/usr/bin/openclaw", "x\nExecStartPre=/bin/sh"])).unwrap_err();
        assert_eq!(err, "Service argument cannot contain CR or LF characters.");
        let mut s = spec(&["/usr/bin/openclaw"]);
        s.environment.push(("PATH".into(), "/bin\r".into()));
        assert_eq!(
            render(&s).unwrap_err(),
            "Environment variable PATH cannot contain CR or LF characters."
        );
    }
}
