//! How a `system.run` argv is shown as text, and the `rawCommand` consistency check (spec §5.2).

/// Joins argv for display: an arg with whitespace or `"` is quoted (inner `"` escaped), an empty
/// arg becomes `""`.
pub fn format_exec_command(argv: &[String]) -> String {
    argv.iter()
        .map(|arg| {
            if arg.is_empty() {
                "\"\"".to_string()
            } else if arg.chars().any(|c| c.is_whitespace() || c == '"') {
                format!("\"{}\"", arg.replace('"', "\\\""))
            } else {
                arg.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The script of a recognized `sh -c` / `sh -lc` wrapper (`bash` is deliberately not one).
pub fn shell_wrapper_script(argv: &[String]) -> Option<&str> {
    match argv {
        [shell, flag, script] if basename(shell) == "sh" && (flag == "-c" || flag == "-lc") => {
            Some(script.as_str())
        }
        _ => None,
    }
}

/// `rawCommand` must equal the formatted argv, or the trimmed script of a shell wrapper.
/// On mismatch returns the text that would have matched.
pub fn check_raw_command(argv: &[String], raw: &str) -> Result<(), String> {
    let formatted = format_exec_command(argv);
    if raw == formatted {
        return Ok(());
    }
    if let Some(script) = shell_wrapper_script(argv) {
        if raw.trim() == script.trim() {
            return Ok(());
        }
    }
    Err(formatted)
}

fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn vector_6_format() {
        assert_eq!(
            format_exec_command(&argv(&["echo", "hello world"])),
            "echo \"hello world\""
        );
        assert_eq!(
            format_exec_command(&argv(&["ls", "-la", ""])),
            "ls -la \"\""
        );
        assert_eq!(
            format_exec_command(&argv(&["sh", "-c", "echo \"hi\" && ls"])),
            "sh -c \"echo \\\"hi\\\" && ls\""
        );
        assert_eq!(
            format_exec_command(&argv(&["/usr/bin/uname", "-a"])),
            "/usr/bin/uname -a"
        );
    }

    #[test]
    fn vector_7_raw_command() {
        assert!(check_raw_command(&argv(&["sh", "-c", "echo hi"]), "echo hi").is_ok());
        assert!(check_raw_command(&argv(&["/bin/sh", "-lc", "echo hi"]), "echo hi").is_ok());
        assert_eq!(
            check_raw_command(&argv(&["bash", "-lc", "echo hi"]), "echo hi"),
            Err("bash -lc \"echo hi\"".to_string())
        );
        assert!(check_raw_command(&argv(&["uname", "-a"]), "uname  -a").is_err());
        assert!(check_raw_command(&argv(&["uname", "-a"]), "uname -a").is_ok());
    }
}
