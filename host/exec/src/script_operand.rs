//! The script an approved command runs, bound by its content. A person approves
//! `python3 build.py` or `./deploy.sh` by its text; the file behind it can change before the
//! run. As the real node host does, `system.run.prepare` records the script's real path and
//! SHA-256 (`mutableFileOperand`), and the approved run starts only if both still hold.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::approved_paths::{has_mutable_link, mutable_by_us};

/// `{argvIndex, path, sha256}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptOperand {
    pub argv_index: usize,
    pub path: PathBuf,
    pub sha256: String,
}

pub const CHANGED: &str = "SYSTEM_RUN_DENIED: approval script operand changed before execution";
pub const MISSING: &str = "SYSTEM_RUN_DENIED: approval missing script operand binding";

/// Interpreters whose first argument, when not an option, is the script they run.
fn runs_script_argument(name: &str) -> bool {
    let python = name
        .strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    python || matches!(name, "node" | "nodejs" | "perl" | "php" | "ruby")
}

/// Which argument of `argv` (after `wrapped` leading wrapper words) names a script the
/// command runs: an interpreter's script, or the program itself when it is a file anyone
/// but root could change.
pub fn index(argv: &[String], wrapped: usize, cwd: &Path) -> Option<usize> {
    let program = argv.get(wrapped)?;
    let name = program.rsplit('/').next().unwrap_or(program);
    if runs_script_argument(name) {
        let operand = argv.get(wrapped + 1)?.trim();
        return (!operand.is_empty() && operand != "-" && !operand.starts_with('-'))
            .then_some(wrapped + 1);
    }
    let path = cwd.join(program);
    (program.contains('/') && path.is_file() && mutable(&path)).then_some(wrapped)
}

/// Could this node's user change what the file holds, by its name or by its real path?
fn mutable(path: &Path) -> bool {
    let changeable =
        |p: &Path| mutable_by_us(p) || p.parent().is_none_or(mutable_by_us) || has_mutable_link(p);
    changeable(path) || std::fs::canonicalize(path).map_or(true, |real| changeable(&real))
}

impl ScriptOperand {
    /// The script at `argv[argv_index]`, resolved in `cwd`, or the real refusal.
    pub fn capture(
        argv: &[String],
        argv_index: usize,
        cwd: &Path,
    ) -> Result<ScriptOperand, &'static str> {
        let operand = argv
            .get(argv_index)
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .ok_or("SYSTEM_RUN_DENIED: approval requires a stable script operand")?;
        let real = std::fs::canonicalize(cwd.join(operand))
            .map_err(|_| "SYSTEM_RUN_DENIED: approval requires an existing script operand")?;
        if !real.is_file() {
            return Err("SYSTEM_RUN_DENIED: approval requires a file script operand");
        }
        let bytes = std::fs::read(&real)
            .map_err(|_| "SYSTEM_RUN_DENIED: approval requires a readable script operand")?;
        Ok(ScriptOperand {
            argv_index,
            path: real,
            sha256: openclaw_protocol::identity::hex(&Sha256::digest(&bytes)),
        })
    }

    /// Does `argv` in `cwd` still name this very content?
    pub fn still_holds(&self, argv: &[String], cwd: &Path) -> bool {
        ScriptOperand::capture(argv, self.argv_index, cwd).is_ok_and(|now| now == *self)
    }

    pub fn to_value(&self) -> Value {
        json!({"argvIndex": self.argv_index, "path": self.path, "sha256": self.sha256})
    }

    pub fn from_value(value: &Value) -> Option<ScriptOperand> {
        let text = |k: &str| value[k].as_str().map(str::trim).filter(|s| !s.is_empty());
        Some(ScriptOperand {
            argv_index: usize::try_from(value["argvIndex"].as_u64()?).ok()?,
            path: PathBuf::from(text("path")?),
            sha256: text("sha256")?.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_is_bound_by_its_real_path_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(cwd.join("build.py"), "print(1)\n").unwrap();
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(index(&argv(&["python3", "build.py"]), 0, &cwd), Some(1));
        assert_eq!(
            index(&argv(&["nice", "python3.12", "build.py"]), 1, &cwd),
            Some(2)
        );
        assert_eq!(index(&argv(&["python3", "-V"]), 0, &cwd), None);
        assert_eq!(index(&argv(&["./build.py"]), 0, &cwd), Some(0));
        // A system program is no script, unless this process could rewrite it (root can).
        // SAFETY: geteuid(2) has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        assert_eq!(
            index(&argv(&["/usr/bin/uname"]), 0, &cwd),
            root.then_some(0)
        );

        let run = argv(&["python3", "build.py"]);
        let bound = ScriptOperand::capture(&run, 1, &cwd).unwrap();
        assert_eq!(bound.path, cwd.join("build.py"));
        assert_eq!(
            ScriptOperand::from_value(&bound.to_value()),
            Some(bound.clone())
        );
        assert!(bound.still_holds(&run, &cwd));
        std::fs::write(cwd.join("build.py"), "import os\n").unwrap();
        assert!(!bound.still_holds(&run, &cwd));
        assert_eq!(
            ScriptOperand::capture(&argv(&["python3", "gone.py"]), 1, &cwd),
            Err("SYSTEM_RUN_DENIED: approval requires an existing script operand")
        );
    }
}
