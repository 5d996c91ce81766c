//! Config paths as the real CLI reads them: dots and brackets (`a.b`, `list[0]`,
//! `map["key.with.dots"]`, `map['k']`), `\.` for a dot inside a key, with its error messages.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

const MAX_INDEX: usize = 100_000;
const BLOCKED: &[&str] = &["__proto__", "prototype", "constructor"];

pub fn parse(path: &str) -> Result<Vec<Segment>, String> {
    if path.trim().is_empty() {
        return Err("Path is empty.".into());
    }
    let chars: Vec<char> = path.chars().collect();
    let mut segments = Vec::new();
    let mut key = String::new();
    let mut i = 0;
    // Whether the text so far ends a segment that a `.` or `[` must follow.
    let mut after_bracket = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1) == Some(&'.') => {
                key.push('.');
                i += 2;
                continue;
            }
            '.' => {
                if key.is_empty() && !after_bracket {
                    return Err(format!("Invalid path (empty segment): {path}"));
                }
                if !key.is_empty() {
                    segments.push(Segment::Key(std::mem::take(&mut key)));
                }
                after_bracket = false;
                if i + 1 == chars.len() {
                    return Err(format!("Invalid path (empty segment): {path}"));
                }
            }
            '[' => {
                if !key.is_empty() {
                    segments.push(Segment::Key(std::mem::take(&mut key)));
                }
                let close = find_close(&chars, i + 1)
                    .ok_or_else(|| format!("Invalid path (missing \"]\"): {path}"))?;
                let inner: String = chars[i + 1..close].iter().collect();
                if inner.trim().is_empty() {
                    return Err(format!("Invalid path (empty \"[]\"): {path}"));
                }
                segments.push(bracket(&inner, path)?);
                i = close + 1;
                if let Some(next) = chars.get(i) {
                    if *next != '.' && *next != '[' {
                        return Err(format!(
                            "Invalid path (missing separator after bracket): {path}"
                        ));
                    }
                }
                after_bracket = true;
                continue;
            }
            _ => {
                if after_bracket {
                    return Err(format!(
                        "Invalid path (missing separator after bracket): {path}"
                    ));
                }
                key.push(c);
            }
        }
        i += 1;
    }
    if !key.is_empty() {
        segments.push(Segment::Key(key));
    }
    for segment in &segments {
        if let Segment::Key(k) = segment {
            if BLOCKED.contains(&k.as_str()) {
                return Err(format!("Invalid path segment: {k}"));
            }
        }
    }
    Ok(segments)
}

/// The `]` closing a bracket, past any quoted text in it.
fn find_close(chars: &[char], from: usize) -> Option<usize> {
    let mut quote = None;
    let mut i = from;
    while i < chars.len() {
        match (chars[i], quote) {
            ('\\', Some(_)) => i += 1,
            (q @ ('"' | '\''), None) => quote = Some(q),
            (q, Some(open)) if q == open => quote = None,
            (']', None) => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// A bracket's content: a canonical index, or a quoted (or bare) key.
fn bracket(inner: &str, path: &str) -> Result<Segment, String> {
    let inner = inner.trim();
    let canonical =
        inner == "0" || (!inner.starts_with('0') && inner.bytes().all(|b| b.is_ascii_digit()));
    if canonical {
        return match inner.parse::<usize>() {
            Ok(n) if n <= MAX_INDEX => Ok(Segment::Index(n)),
            _ => Err(format!("Invalid path segment: {inner}")),
        };
    }
    if let Some(body) = inner.strip_prefix('"').and_then(|b| b.strip_suffix('"')) {
        return serde_json::from_str::<String>(&format!("\"{body}\""))
            .map(Segment::Key)
            .map_err(|_| format!("Invalid path segment: {inner} in {path}"));
    }
    if let Some(body) = inner.strip_prefix('\'').and_then(|b| b.strip_suffix('\'')) {
        return Ok(Segment::Key(body.replace("\\'", "'").replace("\\\\", "\\")));
    }
    Ok(Segment::Key(inner.to_string()))
}

/// The path as the messages name it: `a.b[0]`.
pub fn show(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(n) => out.push_str(&format!("[{n}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(path: &str) -> Vec<Segment> {
        parse(path).unwrap()
    }

    #[test]
    fn paths_read_as_the_real_cli_reads_them() {
        use Segment::*;
        assert_eq!(
            keys("a.b.c"),
            [Key("a".into()), Key("b".into()), Key("c".into())]
        );
        assert_eq!(
            keys("list[0].x"),
            [Key("list".into()), Index(0), Key("x".into())]
        );
        assert_eq!(
            keys(r#"map["key.with.dots"]"#),
            [Key("map".into()), Key("key.with.dots".into())]
        );
        assert_eq!(keys("map['k']"), [Key("map".into()), Key("k".into())]);
        assert_eq!(keys(r"a\.b.c"), [Key("a.b".into()), Key("c".into())]);
        assert_eq!(keys(r#"m["07"]"#), [Key("m".into()), Key("07".into())]);
        for (bad, message) in [
            (
                "gateway..port",
                "Invalid path (empty segment): gateway..port",
            ),
            (
                "gateway.port[",
                "Invalid path (missing \"]\"): gateway.port[",
            ),
            ("a[]", "Invalid path (empty \"[]\"): a[]"),
            (
                "a[0]b",
                "Invalid path (missing separator after bracket): a[0]b",
            ),
            ("", "Path is empty."),
            ("a.__proto__", "Invalid path segment: __proto__"),
        ] {
            assert_eq!(parse(bad).unwrap_err(), message, "{bad}");
        }
    }
}
