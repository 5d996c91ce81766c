//! Names in the downloads dir: the page's suggestion made safe, or the operator's choice.

use std::path::Path;

use crate::BrowserError;

/// The message a bad waiter's file name gets, as the real service words it.
const OUTSIDE_DOWNLOADS: &str = "Invalid path: must stay within downloads directory";

/// One plain file name, as a waiter's download may be called.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0'])
}

/// A page's suggested name made safe for the downloads dir: its last part, without the
/// characters file systems or shells trip on, at most 180 bytes; `download` when none is left.
pub(super) fn sanitize(suggested: &str) -> String {
    let base = suggested.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = base
        .chars()
        .filter(|c| !c.is_control() && !"<>:\"/\\|?*".contains(*c))
        .collect();
    let mut end = name.len().min(180);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.truncate(end);
    let name = name.trim().trim_end_matches(['.', ' ']).to_string();
    if plain_name(&name) {
        name
    } else {
        "download".into()
    }
}

/// A waiter's file name: a plain name, or an absolute path directly in `dir`.
pub(super) fn in_dir(dir: &Path, requested: &str) -> Result<String, BrowserError> {
    let path = Path::new(requested);
    let name = if path.is_absolute() {
        path.parent()
            .filter(|parent| *parent == dir)
            .and_then(|_| path.file_name()?.to_str())
    } else {
        Some(requested)
    };
    name.filter(|n| plain_name(n))
        .map(String::from)
        .ok_or_else(|| BrowserError::invalid(OUTSIDE_DOWNLOADS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggested_name_cannot_leave_the_downloads_dir() {
        assert_eq!(sanitize("report.txt"), "report.txt");
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("..\\..\\x.bat"), "x.bat");
        assert_eq!(sanitize(".."), "download");
        assert_eq!(sanitize("a<b>:c|?.txt"), "abc.txt");
        assert_eq!(sanitize("bell\u{7}.txt. "), "bell.txt");
        assert_eq!(sanitize(""), "download");
        assert_eq!(sanitize(&"é".repeat(200)).len(), 180);
    }

    #[test]
    fn a_chosen_name_is_one_name_in_the_downloads_dir() {
        let dir = Path::new("/state/browser/downloads");
        assert_eq!(in_dir(dir, "my-report.txt").unwrap(), "my-report.txt");
        assert_eq!(
            in_dir(dir, "/state/browser/downloads/a.txt").unwrap(),
            "a.txt"
        );
        for bad in [
            "../x",
            "sub/x",
            "/elsewhere/x",
            "/state/browser/downloads/sub/x",
            "..",
            "",
        ] {
            assert_eq!(
                in_dir(dir, bad).unwrap_err().message,
                OUTSIDE_DOWNLOADS,
                "{bad}"
            );
        }
    }
}
