//! Which environment overrides a command may bring (spec §5.2).

/// Variables that change what runs or how the loader finds code.
const REFUSED: &[&str] = &[
    "PATH",
    "NODE_OPTIONS",
    "NODE_PATH",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "BASH_ENV",
    "ENV",
    "PERL5LIB",
    "PERL5OPT",
    "RUBYLIB",
    "RUBYOPT",
    "GCONV_PATH",
    "SHELLOPTS",
    "PS4",
    "IFS",
];
const REFUSED_PREFIXES: &[&str] = &["LD_", "DYLD_"];
/// The only overrides a shell wrapper may bring.
const SHELL_SAFE: &[&str] = &["TERM", "LANG", "COLORTERM", "NO_COLOR", "FORCE_COLOR"];

/// The first override that is not allowed, if any.
pub fn refused_override(env: &[(String, String)], shell_wrapper: bool) -> Option<&str> {
    env.iter().map(|(k, _)| k.as_str()).find(|k| {
        let upper = k.to_ascii_uppercase();
        REFUSED.contains(&upper.as_str())
            || REFUSED_PREFIXES.iter().any(|p| upper.starts_with(p))
            || (shell_wrapper && !SHELL_SAFE.contains(&upper.as_str()) && !upper.starts_with("LC_"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Vec<(String, String)> {
        vec![(k.to_string(), "x".to_string())]
    }

    #[test]
    fn loader_and_path_overrides_are_refused() {
        assert_eq!(refused_override(&env("PATH"), false), Some("PATH"));
        assert_eq!(
            refused_override(&env("LD_PRELOAD"), false),
            Some("LD_PRELOAD")
        );
        assert_eq!(refused_override(&env("FOO"), false), None);
        assert_eq!(refused_override(&env("FOO"), true), Some("FOO"));
        assert_eq!(refused_override(&env("LC_ALL"), true), None);
    }
}
