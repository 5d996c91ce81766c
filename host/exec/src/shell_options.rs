//! The options of a shell's command line and of the `set` builtin, read against a fixed list
//! of harmless ones (`errexit`, `nounset`, `pipefail`, `noglob`, `noclobber`, `xtrace`,
//! `verbose`). Any other option (`-k`, `-o keyword`, `-O extglob`, `-i`, `--rcfile`, ...) can
//! change the grammar or run code, so a script that uses one is a miss.

use crate::plan::{Options, ShellOption};

/// Shells that know `pipefail` (dash does not: it refuses the option).
const PIPEFAIL_SHELLS: &[&str] = &["bash", "ksh", "mksh"];

fn option_named(shell: &str, name: &str) -> Result<ShellOption, String> {
    match ShellOption::from_name(name) {
        Some(ShellOption::Pipefail) if !PIPEFAIL_SHELLS.contains(&shell) => {
            Err(format!("{shell} has no pipefail"))
        }
        Some(option) => Ok(option),
        None => Err(format!("the shell option {name:?} is not allowlisted")),
    }
}

/// A shell started with `args` (after its name): the options and the `-c` script, `None` when
/// the shell reads no `-c` script (a script file, stdin), or why it is a miss. `-l`/`--login`
/// is accepted: no shell runs, so no profile is read.
pub fn invocation(shell: &str, args: &[String]) -> Result<Option<(Options, String)>, String> {
    let mut options = Options::default();
    let mut command = false;
    let mut i = 0;
    let bash = shell == "bash";
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "--" => {
                i += 1;
                break;
            }
            "--norc" | "--noprofile" | "--login" if bash => i += 1,
            long if long.starts_with("--") => {
                return Err(format!("the shell option {long} is not allowlisted"))
            }
            cluster if cluster.len() > 1 && cluster.starts_with(['-', '+']) => {
                let on = cluster.starts_with('-');
                let mut values = 0;
                for c in cluster[1..].chars() {
                    match c {
                        'c' if on => command = true,
                        'l' if on => {}
                        'o' => {
                            values += 1;
                            let name = args.get(i + values).ok_or("-o needs an option name")?;
                            options.set(option_named(shell, name)?, on);
                        }
                        other => match ShellOption::from_letter(other) {
                            Some(option) => options.set(option, on),
                            None => {
                                return Err(format!(
                                    "the shell option {}{other} is not allowlisted",
                                    if on { '-' } else { '+' }
                                ))
                            }
                        },
                    }
                }
                i += 1 + values;
            }
            _ => break,
        }
    }
    if !command {
        return Ok(None);
    }
    let script = args.get(i).ok_or("-c without a script")?;
    Ok(Some((options, script.clone())))
}

/// The `set` builtin's arguments: harmless options only, and no positional parameters.
pub fn set_builtin(shell: &str, args: &[String]) -> Result<Vec<(ShellOption, bool)>, String> {
    let mut changes = Vec::new();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let on = arg.starts_with('-');
        if arg.len() < 2 || !arg.starts_with(['-', '+']) || arg == "--" {
            return Err("set changes the positional parameters".into());
        }
        let mut values = 0;
        for c in arg[1..].chars() {
            let option = match c {
                'o' => {
                    values += 1;
                    let name = args.get(i + values).ok_or("set -o lists the options")?;
                    option_named(shell, name)?
                }
                other => ShellOption::from_letter(other)
                    .ok_or_else(|| format!("set {arg} is not allowlisted"))?,
            };
            changes.push((option, on));
        }
        i += 1 + values;
    }
    if changes.is_empty() {
        return Err("set without options prints the variables".into());
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn harmless_options_pass_and_the_others_are_misses() {
        let (options, script) =
            invocation("bash", &args(&["-eu", "-o", "pipefail", "-c", "ls", "x"]))
                .unwrap()
                .unwrap();
        assert!(options.errexit && options.nounset && options.pipefail && !options.xtrace);
        assert_eq!(script, "ls");
        let (options, _) = invocation("bash", &args(&["-c", "-x", "ls"]))
            .unwrap()
            .unwrap();
        assert!(options.xtrace, "options may follow -c");
        assert_eq!(invocation("bash", &args(&["script.sh"])).unwrap(), None);
        assert_eq!(
            invocation("bash", &args(&["--", "-c", "ls"])).unwrap(),
            None
        );
        assert!(invocation("bash", &args(&["-lc", "ls"])).unwrap().is_some());
        for refused in [
            &["-o", "keyword", "-c", "ls"][..],
            &["-k", "-c", "ls"],
            &["-O", "extglob", "-c", "ls"],
            &["-ic", "ls"],
            &["--rcfile", "x", "-c", "ls"],
            &["-a", "-c", "ls"],
            &["-c"],
        ] {
            assert!(invocation("bash", &args(refused)).is_err(), "{refused:?}");
        }
        assert!(invocation("dash", &args(&["-o", "pipefail", "-c", "ls"])).is_err());
        assert!(invocation("dash", &args(&["--norc", "-c", "ls"])).is_err());

        assert_eq!(
            set_builtin(
                "bash",
                &args(&["-eu", "+x", "-o", "pipefail", "-eo", "xtrace"])
            )
            .unwrap(),
            vec![
                (ShellOption::Errexit, true),
                (ShellOption::Nounset, true),
                (ShellOption::Xtrace, false),
                (ShellOption::Pipefail, true),
                (ShellOption::Errexit, true),
                (ShellOption::Xtrace, true)
            ]
        );
        for refused in [&["-k"][..], &["--", "a"], &["a"], &[], &["-o", "keyword"]] {
            assert!(set_builtin("bash", &args(refused)).is_err(), "{refused:?}");
        }
    }
}
