//! The real CLI's own table layout (`renderTable` in its terminal core), for outputs that must
//! match it column for column: minimum widths, flexible columns that shrink first and take the
//! spare width, words wrapped at ` / - _ .`, and the home directory shown as `~`.

use unicode_width::UnicodeWidthStr;

pub struct Column {
    pub header: &'static str,
    pub min_width: usize,
    pub flex: bool,
}

/// The width a table may take: the terminal's, else 120 (output is often piped), at least 60.
pub fn terminal_width() -> usize {
    // SAFETY: TIOCGWINSZ fills a winsize on a terminal and fails harmlessly on anything else.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let on_terminal = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0
        && size.ws_col > 0;
    let columns = if on_terminal {
        size.ws_col as usize
    } else {
        120
    };
    columns.max(60)
}

/// Draws `rows` under `columns` in at most `width` columns, without a trailing newline.
pub fn render(columns: &[Column], rows: &[Vec<String>], width: usize) -> String {
    let home = home_display();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| shorten_home(cell, &home)).collect())
        .collect();
    let widths = layout(columns, &rows, width);
    let line = |left: &str, mid: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        format!("{left}{}{right}", parts.join(mid))
    };
    let mut lines = vec![line("┌", "┬", "┐")];
    let headers: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    draw_row(&mut lines, &headers, &widths);
    lines.push(line("├", "┼", "┤"));
    for row in &rows {
        draw_row(&mut lines, row, &widths);
    }
    lines.push(line("└", "┴", "┘"));
    lines.join("\n")
}

fn draw_row(lines: &mut Vec<String>, cells: &[String], widths: &[usize]) {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(cell, w)| wrap(cell, content_width(*w)))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    for i in 0..height {
        let parts: Vec<String> = wrapped
            .iter()
            .zip(widths)
            .map(|(cell, w)| {
                let text = cell.get(i).map(String::as_str).unwrap_or("");
                format!(" {} ", pad(text, content_width(*w)))
            })
            .collect();
        lines.push(format!("│{}│", parts.join("│")));
    }
}

fn content_width(width: usize) -> usize {
    width.saturating_sub(2).max(1)
}

fn pad(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(&" ".repeat(width - used));
    out
}

fn char_width(c: char) -> usize {
    UnicodeWidthStr::width(c.encode_utf8(&mut [0; 4]) as &str)
}

/// Column widths: content plus padding, at least each minimum; then narrowed (flexible columns
/// first, widest first) to fit, or widened (flexible columns, in even rounds) to fill.
fn layout(columns: &[Column], rows: &[Vec<String>], width: usize) -> Vec<usize> {
    let header_w: Vec<usize> = columns.iter().map(|c| c.header.width()).collect();
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cell_w = rows
                .iter()
                .map(|r| r.get(i).map_or(0, |s| s.width()))
                .max()
                .unwrap_or(0);
            (header_w[i].max(cell_w) + 2).max(c.min_width)
        })
        .collect();
    let separators = columns.len() + 1;
    let total: usize = widths.iter().sum::<usize>() + separators;
    let preferred: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| c.min_width.max(header_w[i] + 2).max(3))
        .collect();
    let absolute: Vec<usize> = header_w.iter().map(|h| (h + 2).max(3)).collect();
    if total > width {
        let mut over = total - width;
        let flex: Vec<usize> = (0..columns.len()).filter(|i| columns[*i].flex).collect();
        let fixed: Vec<usize> = (0..columns.len()).filter(|i| !columns[*i].flex).collect();
        for (set, floor) in [
            (&flex, &preferred),
            (&flex, &absolute),
            (&fixed, &preferred),
            (&fixed, &absolute),
        ] {
            while over > 0 {
                let mut widest: Option<usize> = None;
                for &i in set {
                    if widths[i] <= floor[i] {
                        continue;
                    }
                    if widest.is_none_or(|w| widths[i] > widths[w]) {
                        widest = Some(i);
                    }
                }
                let Some(i) = widest else { break };
                widths[i] -= 1;
                over -= 1;
            }
        }
    }
    let used: usize = widths.iter().sum::<usize>() + separators;
    let flex: Vec<usize> = (0..columns.len()).filter(|i| columns[*i].flex).collect();
    if width > used && !flex.is_empty() {
        let mut extra = width - used;
        while extra > 0 {
            let round = (extra / flex.len()).max(1);
            for &i in &flex {
                let amount = round.min(extra);
                widths[i] += amount;
                extra -= amount;
                if extra == 0 {
                    break;
                }
            }
        }
    }
    widths
}

/// Splits `text` into lines of at most `width` columns, after the last ` / - _ .` that fits,
/// else anywhere; leading spaces of a continued line are dropped, trailing ones trimmed.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let simple = text.len() <= width
        && text.bytes().all(|b| (b' '..=b'~').contains(&b))
        && !text.starts_with(' ')
        && !text.ends_with(' ');
    if simple || text.is_empty() {
        return vec![text.to_string()];
    }
    let mut lines = Vec::new();
    let mut buf: Vec<char> = Vec::new();
    let mut visible = 0;
    let mut last_break: Option<usize> = None;
    let flush = |buf: &mut Vec<char>,
                 visible: &mut usize,
                 last_break: &mut Option<usize>,
                 lines: &mut Vec<String>,
                 at: Option<usize>| {
        let at = at.filter(|a| *a > 0).unwrap_or(buf.len());
        let left: String = buf.drain(..at).collect();
        if *visible > 0 {
            lines.push(left.trim_end().to_string());
        }
        *visible = buf.iter().map(|c| char_width(*c)).sum();
        *last_break = None;
    };
    for c in text.chars() {
        let w = char_width(c);
        if visible + w > width && visible > 0 {
            let at = last_break;
            flush(&mut buf, &mut visible, &mut last_break, &mut lines, at);
            if visible + w > width && visible > 0 {
                flush(&mut buf, &mut visible, &mut last_break, &mut lines, None);
            }
        }
        if visible == 0 && c == ' ' {
            continue;
        }
        buf.push(c);
        visible += w;
        if matches!(c, ' ' | '/' | '-' | '_' | '.') {
            last_break = Some(buf.len());
        }
    }
    if visible > 0 {
        flush(&mut buf, &mut visible, &mut last_break, &mut lines, None);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The home directory and how the table shows it: `$OPENCLAW_HOME` when that is set, else `~`.
fn home_display() -> Option<(String, &'static str)> {
    let nonempty = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(home) = nonempty("OPENCLAW_HOME") {
        return Some((home.trim().to_string(), "$OPENCLAW_HOME"));
    }
    nonempty("HOME").map(|home| (home, "~"))
}

/// Replaces the home directory where it starts a token and is the whole path or its parent.
fn shorten_home(input: &str, home: &Option<(String, &'static str)>) -> String {
    let Some((home, prefix)) = home else {
        return input.to_string();
    };
    if home.is_empty() || home == "/" {
        return input.to_string();
    }
    let mut out = String::new();
    let mut cursor = 0;
    while let Some(found) = input[cursor..].find(home.as_str()) {
        let index = cursor + found;
        let end = index + home.len();
        let before = input[..index].chars().next_back();
        let starts_token = before.is_none_or(|c| c.is_whitespace() || "(\"'`:=[{,".contains(c));
        let rest = &input[end..];
        let punctuation = rest
            .find(|c: char| !")\"'`:,;.]}".contains(c))
            .unwrap_or(rest.len());
        let punctuation_ends_token = punctuation > 0
            && rest[punctuation..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace);
        let after = rest.chars().next();
        if starts_token && (after.is_none() || after == Some('/') || punctuation_ends_token) {
            out.push_str(&input[cursor..index]);
            out.push_str(prefix);
        } else {
            out.push_str(&input[cursor..end]);
        }
        cursor = end;
    }
    out.push_str(&input[cursor..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        let col = |header, min_width, flex| Column {
            header,
            min_width,
            flex,
        };
        vec![
            col("ID", 16, true),
            col("Kind", 12, false),
            col("Agent / Session", 16, true),
            col("Requested", 12, false),
            col("Expires In", 10, false),
            col("Command / Summary", 20, true),
        ]
    }

    #[test]
    fn lays_out_as_the_real_cli() {
        // Captured from the real CLI at 120 columns.
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let rows = vec![row(&[
            "appr-test-1",
            "exec",
            "main / agent:main:main",
            "just now",
            "10m",
            "uname -a",
        ])];
        let expected = "\
┌──────────────────────┬────────────┬──────────────────────────────┬────────────┬────────────┬─────────────────────────┐
│ ID                   │ Kind       │ Agent / Session              │ Requested  │ Expires In │ Command / Summary       │
├──────────────────────┼────────────┼──────────────────────────────┼────────────┼────────────┼─────────────────────────┤
│ appr-test-1          │ exec       │ main / agent:main:main       │ just now   │ 10m        │ uname -a                │
└──────────────────────┴────────────┴──────────────────────────────┴────────────┴────────────┴─────────────────────────┘";
        assert_eq!(render(&columns(), &rows, 120), expected);
    }

    #[test]
    fn long_cells_wrap_at_the_width_the_real_cli_gives_them() {
        let long = format!("{}...", "x".repeat(93));
        let rows = vec![
            vec![
                "appr-4".into(),
                "exec".into(),
                "main / agent:main:main".into(),
                "just now".into(),
                "10m".into(),
                long,
            ],
            vec![
                "appr-3".into(),
                "exec".into(),
                "main / agent:main:main".into(),
                "just now".into(),
                "10m".into(),
                "echo three".into(),
            ],
        ];
        let out = render(&columns(), &rows, 120);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "┌────────────────┬────────────┬────────────────────────┬────────────┬────────────┬─────────────────────────────────────┐");
        assert_eq!(lines[3], "│ appr-4         │ exec       │ main / agent:main:main │ just now   │ 10m        │ xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx │");
        assert_eq!(lines[5], "│                │            │                        │            │            │ xxxxxxxxxxxxxxxxxxxxxxx...          │");
    }

    #[test]
    fn wraps_after_break_characters() {
        assert_eq!(wrap("echo hello world", 10), vec!["echo", "hello", "world"]);
        assert_eq!(wrap("/usr/bin/python3", 9), vec!["/usr/bin/", "python3"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }

    #[test]
    fn the_home_directory_is_shown_as_a_tilde() {
        let home = Some(("/home/u".to_string(), "~"));
        assert_eq!(shorten_home("cat /home/u/notes", &home), "cat ~/notes");
        assert_eq!(shorten_home("cd /home/u", &home), "cd ~");
        assert_eq!(shorten_home("ls /home/user", &home), "ls /home/user");
        assert_eq!(shorten_home("x=/home/u.", &home), "x=~.");
        assert_eq!(shorten_home("a/home/u/b", &home), "a/home/u/b");
    }
}
