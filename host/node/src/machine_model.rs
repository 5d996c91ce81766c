//! The machine's model, sent as `client.modelIdentifier` in `connect` (the gateway lists it as
//! `modelIdentifier`, the CLI as `hw:`). Read as the real Linux node host reads it: the DMI
//! product name, else the device-tree model, trimmed, trailing NULs dropped, at most 64 UTF-16
//! units; nothing when neither file has text.

use std::path::Path;
use std::sync::OnceLock;

/// Where the model may be written, tried in order, relative to the filesystem root.
const SOURCES: [&str; 2] = [
    "sys/devices/virtual/dmi/id/product_name",
    "proc/device-tree/model",
];

/// The limit the real applies, in UTF-16 code units.
const MAX_UTF16: usize = 64;

/// This machine's model, read once per process as the real caches it.
pub fn model_identifier() -> Option<String> {
    static MODEL: OnceLock<Option<String>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            if cfg!(target_os = "linux") {
                read_model(Path::new("/"))
            } else {
                None
            }
        })
        .clone()
}

/// The model as the files under `root` give it.
pub fn read_model(root: &Path) -> Option<String> {
    SOURCES.iter().find_map(|source| {
        let bytes = std::fs::read(root.join(source)).ok()?;
        normalize(&String::from_utf8_lossy(&bytes))
    })
}

/// `trim`, drop trailing NULs, `trim` again (JavaScript's whitespace), cut to 64 UTF-16 units
/// without splitting a surrogate pair.
fn normalize(raw: &str) -> Option<String> {
    let value = raw.trim_matches(js_space).trim_end_matches('\0');
    let value = value.trim_matches(js_space);
    if value.is_empty() {
        return None;
    }
    let mut units = 0;
    let cut: String = value
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= MAX_UTF16
        })
        .collect();
    Some(cut)
}

/// What `String.prototype.trim` removes: Unicode white space (but not U+0085) and U+FEFF.
fn js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, body) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, body).unwrap();
        }
        dir
    }

    #[test]
    fn the_dmi_product_name_comes_first() {
        let root = root_with(&[
            (SOURCES[0], b"  ThinkPad X1 Carbon Gen 9\n"),
            (SOURCES[1], b"Raspberry Pi 4 Model B Rev 1.4\0"),
        ]);
        assert_eq!(
            read_model(root.path()).as_deref(),
            Some("ThinkPad X1 Carbon Gen 9")
        );
    }

    #[test]
    fn the_device_tree_model_when_dmi_is_missing_or_blank() {
        // The device-tree string ends in a NUL; a blank DMI name does not count.
        let model = b"Raspberry Pi 4 Model B Rev 1.4\0";
        let only_tree = root_with(&[(SOURCES[1], model)]);
        assert_eq!(
            read_model(only_tree.path()).as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
        let blank_dmi = root_with(&[(SOURCES[0], b" \n"), (SOURCES[1], model)]);
        assert_eq!(
            read_model(blank_dmi.path()).as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
    }

    #[test]
    fn nothing_when_no_file_has_text() {
        assert_eq!(read_model(root_with(&[]).path()), None);
        let nuls = root_with(&[(SOURCES[0], b"\0\0"), (SOURCES[1], b"\n")]);
        assert_eq!(read_model(nuls.path()), None);
    }

    #[test]
    fn trailing_nuls_then_white_space_go() {
        assert_eq!(normalize("Pi 5\n\0\0").as_deref(), Some("Pi 5"));
        assert_eq!(normalize("\u{feff}Box\u{a0}").as_deref(), Some("Box"));
        // NEL is not white space to JavaScript.
        assert_eq!(normalize("Box\u{85}").as_deref(), Some("Box\u{85}"));
    }

    #[test]
    fn long_names_stop_at_64_utf16_units_without_splitting_a_pair() {
        let long = "x".repeat(80);
        assert_eq!(normalize(&long).unwrap().len(), 64);
        // 63 units, then a pair that would end at 65: the pair goes whole.
        let straddling = format!("{}\u{1F600}tail", "y".repeat(63));
        assert_eq!(normalize(&straddling).unwrap(), "y".repeat(63));
        let fits = format!("{}\u{1F600}tail", "y".repeat(62));
        assert_eq!(
            normalize(&fits).unwrap(),
            format!("{}\u{1F600}", "y".repeat(62))
        );
    }
}
