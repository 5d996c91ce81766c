//! Sorting as the real node host sorts names (JavaScript's `localeCompare`, ICU's root
//! collation), for the characters tool and server names use: punctuation before digits before
//! letters, letters case-blind first, lowercase before uppercase on a tie. Other characters
//! sort after these, by code point.

use std::cmp::Ordering;

/// ICU root order of printable ASCII, letters folded to lowercase.
const ORDER: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

fn primary(c: char) -> u32 {
    let folded = c.to_ascii_lowercase();
    match ORDER.find(folded) {
        Some(at) => at as u32,
        None => 0x100 + c as u32,
    }
}

/// `a.localeCompare(b)` for these names.
pub fn compare(a: &str, b: &str) -> Ordering {
    let primaries = |s: &str| s.chars().map(primary).collect::<Vec<_>>();
    primaries(a)
        .cmp(&primaries(b))
        .then_with(|| {
            // Lowercase first where the letters differ only by case.
            let cases = |s: &str| {
                s.chars()
                    .map(|c| c.is_ascii_uppercase())
                    .collect::<Vec<_>>()
            };
            cases(a).cmp(&cases(b))
        })
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn orders_as_javascripts_locale_compare() {
        let mut names = vec![
            "z", "b", "A", "a1", "a_b", "a.b", "mcp_x", "a-b", "ab", "Z", "_x", "B", "-y", "a",
        ];
        names.sort_by(|a, b| super::compare(a, b));
        // Node 24: [...].sort((a, b) => a.localeCompare(b))
        assert_eq!(
            names,
            ["_x", "-y", "a", "A", "a_b", "a-b", "a.b", "a1", "ab", "b", "B", "mcp_x", "z", "Z"]
        );
    }
}
