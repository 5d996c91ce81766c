//! The line of `openclaw.json` (JSON5 text) a config path's value starts on, for issue lines
//! (`openclaw.json:4 — gateway.port: ...`). A light scanner: strings, comments, nesting; a
//! key given twice counts at its last place, as JSON5 reads it.

use super::path::Segment;

struct Scan<'a> {
    text: &'a [char],
    pos: usize,
}

impl Scan<'_> {
    fn at(&self) -> Option<char> {
        self.text.get(self.pos).copied()
    }

    fn skip_trivia(&mut self) {
        while let Some(c) = self.at() {
            let next = self.text.get(self.pos + 1).copied();
            if c.is_whitespace() {
                self.pos += 1;
            } else if c == '/' && next == Some('/') {
                while self
                    .at()
                    .is_some_and(|c| !"\n\r\u{2028}\u{2029}".contains(c))
                {
                    self.pos += 1;
                }
            } else if c == '/' && next == Some('*') {
                self.pos += 2;
                while self.pos < self.text.len()
                    && !(self.at() == Some('*') && self.text.get(self.pos + 1) == Some(&'/'))
                {
                    self.pos += 1;
                }
                self.pos = (self.pos + 2).min(self.text.len());
            } else {
                return;
            }
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_trivia();
        if self.at() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn quoted(&mut self) -> String {
        let quote = self.text[self.pos];
        self.pos += 1;
        let mut out = String::new();
        while let Some(c) = self.at() {
            self.pos += 1;
            if c == '\\' {
                if let Some(escaped) = self.at() {
                    out.push(escaped);
                    self.pos += 1;
                }
            } else if c == quote {
                break;
            } else {
                out.push(c);
            }
        }
        out
    }

    fn key(&mut self) -> Option<String> {
        self.skip_trivia();
        match self.at()? {
            '"' | '\'' => Some(self.quoted()),
            _ => {
                let start = self.pos;
                while self.at().is_some_and(|c| !c.is_whitespace() && c != ':') {
                    self.pos += 1;
                }
                (self.pos > start).then(|| self.text[start..self.pos].iter().collect())
            }
        }
    }

    fn skip_value(&mut self) {
        self.skip_trivia();
        match self.at() {
            Some('"' | '\'') => {
                self.quoted();
            }
            Some(open @ ('{' | '[')) => {
                let close = if open == '{' { '}' } else { ']' };
                self.pos += 1;
                while self.pos < self.text.len() {
                    self.skip_trivia();
                    if self.at() == Some(close) {
                        self.pos += 1;
                        return;
                    }
                    if open == '{' && (self.key().is_none() || !self.eat(':')) {
                        return;
                    }
                    self.skip_value();
                    self.skip_trivia();
                    if self.at() == Some(',') {
                        self.pos += 1;
                    }
                }
            }
            _ => {
                while self
                    .at()
                    .is_some_and(|c| !",}]".contains(c) && !c.is_whitespace())
                {
                    self.pos += 1;
                }
            }
        }
    }

    /// Where the value at `path` starts.
    fn find(&mut self, path: &[Segment]) -> Option<usize> {
        let (first, rest) = path.split_first()?;
        match first {
            Segment::Index(n) => {
                if !self.eat('[') {
                    return None;
                }
                for i in 0.. {
                    self.skip_trivia();
                    if self.at().is_none_or(|c| c == ']') {
                        return None;
                    }
                    if i == *n {
                        return if rest.is_empty() {
                            Some(self.pos)
                        } else {
                            self.find(rest)
                        };
                    }
                    self.skip_value();
                    if !self.eat(',') {
                        return None;
                    }
                }
                None
            }
            Segment::Key(wanted) => {
                if !self.eat('{') {
                    return None;
                }
                let mut found = None;
                loop {
                    self.skip_trivia();
                    if self.at().is_none_or(|c| c == '}') {
                        return found;
                    }
                    let key = self.key();
                    if key.is_none() || !self.eat(':') {
                        return found;
                    }
                    self.skip_trivia();
                    let start = self.pos;
                    if key.as_deref() == Some(wanted) {
                        found = if rest.is_empty() {
                            Some(start)
                        } else {
                            self.find(rest)
                        };
                    }
                    self.pos = start;
                    self.skip_value();
                    if !self.eat(',') {
                        return found;
                    }
                }
            }
        }
    }
}

/// The 1-based line `path`'s value starts on, when the scanner finds it.
pub fn line_of(raw: &str, path: &[Segment]) -> Option<usize> {
    if path.is_empty() || raw.trim().is_empty() {
        return None;
    }
    let text: Vec<char> = raw.chars().collect();
    let offset = Scan {
        text: &text,
        pos: 0,
    }
    .find(path)?;
    let mut line = 1;
    let mut i = 0;
    while i < offset {
        match text[i] {
            '\r' => {
                line += 1;
                if text.get(i + 1) == Some(&'\n') {
                    i += 1;
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => line += 1,
            _ => {}
        }
        i += 1;
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn finds_the_line_of_a_value_past_comments_and_nesting() {
        let raw = "{\n  // c\n  gateway: {\n    port: \"x\",\n    nodes: {allow: [1, 2]},\n  },\n  \"tools\": {\"exec\": {}}\n}\n";
        assert_eq!(line_of(raw, &[key("gateway"), key("port")]), Some(4));
        assert_eq!(
            line_of(
                raw,
                &[
                    key("gateway"),
                    key("nodes"),
                    key("allow"),
                    Segment::Index(1)
                ]
            ),
            Some(5)
        );
        assert_eq!(line_of(raw, &[key("tools"), key("exec")]), Some(7));
        assert_eq!(line_of(raw, &[key("nope")]), None);
    }
}
