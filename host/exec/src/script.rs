//! Reads the script of `sh -c SCRIPT` the way a POSIX shell would, for the small language an
//! allowlist can judge and the node can run itself: simple commands joined by `&&`, `||`, `;`,
//! newlines and `|`, with quoting. Everything that makes the shell compute what runs
//! (expansions, substitutions, redirections, subshells, groups, background jobs, functions,
//! line continuations) is refused: such a script is never allowlisted.

/// One word of a command, with its quoting removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    /// False when the shell would still expand it (an unquoted `*`, `?`, `{`, `}`, `~`, or an
    /// unquoted `[` with a `]` after it): the word is right as a file name pattern but not as
    /// the argument that arrives.
    pub literal: bool,
}

/// How two pipelines of one list are joined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Join {
    And,
    Or,
}

/// One and-or list: pipelines (each a list of commands, each a list of words) joined by
/// `&&` and `||`; `joins[i]` stands between `pipelines[i]` and `pipelines[i + 1]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AndOr {
    pub pipelines: Vec<Vec<Vec<Word>>>,
    pub joins: Vec<Join>,
}

/// Longest script analysed; longer ones are refused.
const MAX_SCRIPT: usize = 128 * 1024;
/// Most commands in one script.
const MAX_COMMANDS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Sequence,
    Newline,
    End,
    And,
    Or,
    Pipe,
}

/// Words being read into commands.
#[derive(Default)]
struct Reader {
    word: Option<Word>,
    /// The current word holds an unquoted `[` that a later `]` would make a pattern.
    open_bracket: bool,
    words: Vec<Word>,
    commands: Vec<(Vec<Word>, Op)>,
}

impl Reader {
    /// The word being read, started by the first character (even a quote) that belongs to it.
    fn word(&mut self) -> &mut Word {
        self.word.get_or_insert_with(|| Word {
            text: String::new(),
            literal: true,
        })
    }

    /// Adds `c`; `quoted` when the shell takes it as it is.
    fn push(&mut self, c: char, quoted: bool) {
        let closes = c == ']' && self.open_bracket;
        self.open_bracket |= c == '[' && !quoted;
        let pattern = !quoted && matches!(c, '*' | '?' | '{' | '}' | '~');
        let word = self.word();
        word.text.push(c);
        word.literal &= !(pattern || closes);
    }

    fn end_word(&mut self) {
        self.open_bracket = false;
        if let Some(w) = self.word.take() {
            self.words.push(w);
        }
    }

    fn end_command(&mut self, op: Op) {
        self.end_word();
        self.commands.push((std::mem::take(&mut self.words), op));
    }
}

/// The and-or lists of `script`, in order, or why the script cannot be judged.
pub fn lists(script: &str) -> Result<Vec<AndOr>, String> {
    if script.len() > MAX_SCRIPT {
        return Err("the script is too long to analyse".into());
    }
    let mut r = Reader::default();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => r.end_word(),
            '#' if r.word.is_none() => while chars.next_if(|&c| c != '\n').is_some() {},
            '\n' => r.end_command(Op::Newline),
            ';' if chars.peek() == Some(&';') => return Err("`;;` outside a case".into()),
            ';' => r.end_command(Op::Sequence),
            '&' if chars.next_if_eq(&'&').is_some() => r.end_command(Op::And),
            '&' => return Err("`&` runs a command in the background, or redirects".into()),
            '|' if chars.next_if_eq(&'|').is_some() => r.end_command(Op::Or),
            '|' if chars.peek() == Some(&'&') => return Err("`|&` redirects".into()),
            '|' => r.end_command(Op::Pipe),
            '$' | '`' => return Err(format!("`{c}` expands to something computed when it runs")),
            '<' | '>' => return Err("redirections are not allowlisted".into()),
            '(' | ')' => {
                return Err("subshells and function definitions are not allowlisted".into())
            }
            '\\' => match chars.next() {
                None | Some('\n') => return Err("a line continuation".into()),
                Some(escaped) => r.push(escaped, true),
            },
            '\'' => {
                r.word();
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => r.push(ch, true),
                        None => return Err("an unterminated quote".into()),
                    }
                }
            }
            '"' => {
                r.word();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('$' | '`') => return Err("an expansion inside double quotes".into()),
                        Some('\\') => match chars.next() {
                            None | Some('\n') => return Err("a line continuation".into()),
                            Some(e @ ('"' | '\\' | '$' | '`')) => r.push(e, true),
                            Some(other) => {
                                r.push('\\', true);
                                r.push(other, true);
                            }
                        },
                        Some(ch) => r.push(ch, true),
                        None => return Err("an unterminated quote".into()),
                    }
                }
            }
            other => r.push(other, false),
        }
    }
    r.end_command(Op::End);
    check_structure(r.commands)
}

/// Words that are the shell's own grammar when they start a command.
const RESERVED: &[&str] = &[
    "!", "{", "}", "[[", "]]", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for",
    "function", "if", "in", "select", "then", "until", "while",
];

/// Every command must be complete (`a &&` or `; b` are syntax errors); an empty command is
/// only the end of a line. A command may not start with a reserved word or an assignment.
fn check_structure(parsed: Vec<(Vec<Word>, Op)>) -> Result<Vec<AndOr>, String> {
    let mut out = Vec::new();
    let mut list = AndOr::default();
    let mut pipeline = Vec::new();
    let mut count = 0;
    let mut before = Op::Newline;
    for (words, op) in parsed {
        if words.is_empty() {
            let blank_line =
                matches!(before, Op::Newline | Op::Sequence) && matches!(op, Op::Newline | Op::End);
            if !blank_line {
                return Err("an incomplete command".into());
            }
        } else {
            let first = &words[0];
            if RESERVED.contains(&first.text.as_str()) {
                return Err(format!("`{}` is shell grammar", first.text));
            }
            if first.text.contains('=') {
                return Err("a variable assignment before the command".into());
            }
            count += 1;
            pipeline.push(words);
            match op {
                Op::Pipe => {}
                Op::And | Op::Or => {
                    list.pipelines.push(std::mem::take(&mut pipeline));
                    list.joins
                        .push(if op == Op::And { Join::And } else { Join::Or });
                }
                Op::Sequence | Op::Newline | Op::End => {
                    list.pipelines.push(std::mem::take(&mut pipeline));
                    out.push(std::mem::take(&mut list));
                }
            }
        }
        before = op;
    }
    if count == 0 {
        return Err("an empty script".into());
    }
    if count > MAX_COMMANDS {
        return Err("too many commands to analyse".into());
    }
    Ok(out)
}

/// Every simple command of `script`, in order (for tests and callers that need no structure).
#[cfg(test)]
pub fn commands(script: &str) -> Result<Vec<Vec<Word>>, String> {
    Ok(lists(script)?
        .into_iter()
        .flat_map(|l| l.pipelines.into_iter().flatten())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<Vec<String>> {
        commands(script)
            .unwrap()
            .into_iter()
            .map(|c| c.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn commands_split_on_every_separator_with_quoting_removed() {
        assert_eq!(
            texts("echo 'a b' && ls -la; uname || true | wc\nid # note"),
            vec![
                vec!["echo", "a b"],
                vec!["ls", "-la"],
                vec!["uname"],
                vec!["true"],
                vec!["wc"],
                vec!["id"]
            ]
        );
        assert_eq!(
            texts("o'k'1 \"a\\b\" \"c\\\"d\" e\\ f \"\\$x\\`\""),
            vec![vec!["ok1", "a\\b", "c\"d", "e f", "$x`"]]
        );
        let globbed = &commands("ls *.txt ~ 'lit*' [ a] a[b] 'a['b] a\\[b] x]").unwrap()[0];
        let literal: Vec<bool> = globbed.iter().map(|w| w.literal).collect();
        assert_eq!(
            literal,
            vec![true, false, false, true, true, true, false, true, true, true]
        );
    }

    #[test]
    fn lists_keep_pipelines_and_their_joins() {
        let parsed = lists("a | b && c || d; e\nf").unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[0].pipelines.len(), 3);
        assert_eq!(parsed[0].pipelines[0].len(), 2);
        assert_eq!(parsed[0].joins, vec![Join::And, Join::Or]);
        assert_eq!(
            parsed[1].pipelines,
            vec![vec![vec![Word {
                text: "e".into(),
                literal: true
            }]]]
        );
    }

    #[test]
    fn what_a_shell_would_compute_is_refused() {
        for script in [
            "echo $(id)",
            "echo `id`",
            "echo \"$HOME\"",
            "cat < /etc/passwd",
            "ls > x",
            "ls &",
            "(id)",
            "f() { id; }",
            "X=1 ls",
            "if true; then id; fi",
            "! id",
            "ls &&",
            "; ls",
            "ls ;; id",
            "ls |& wc",
            "ls \\\nid",
            "'open",
            "",
        ] {
            assert!(commands(script).is_err(), "{script:?}");
        }
    }
}
