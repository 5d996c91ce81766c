//! `openclaw plugins new` and `openclaw plugins build`: a plugin project from nothing to a
//! `.wasm` file the node host loads, with no tool installed globally. The SDK goes into the
//! project itself (`.openclaw/sdk`), so the project needs no SDK from a registry and builds
//! against the contract this binary serves.

mod build;
mod new;
mod sdk_files;

pub use build::build;
pub use new::{new, Lang};

/// A plugin name: lowercase ASCII letters, digits and dashes, starting with a letter. It names
/// the project dir, the package, the `.wasm` file and the commands (`NAME.greet`).
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && name.len() <= 64
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn plugin_names_are_plain() {
        for good in ["hello", "my-plugin2", "a"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", "Hello", "1st", "my_plugin", "a-", "../x", "a b", "é"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
