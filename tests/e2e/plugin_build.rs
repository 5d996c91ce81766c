//! `plugins build` of a project someone else shipped: what it plants where the build keeps its
//! own tools (a venv with a fake componentize-py, pip and python; a `venv` module beside its
//! sources, first on the path of a `python3 -m venv` run from the project) never runs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use openclaw_test_support::bin;

use crate::first_plugin::run;

/// A program that leaves `marker` behind, and answers `--version` as the real tool would.
fn plant(program: &Path, marker: &Path) {
    std::fs::create_dir_all(program.parent().unwrap()).unwrap();
    let script = format!(
        "#!/bin/sh\ntouch '{}'\necho componentize-py 0.25.1\n",
        marker.display()
    );
    std::fs::write(program, script).unwrap();
    std::fs::set_permissions(program, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `openclaw` run in `dir`, with its state under `home`.
fn openclaw_in(home: &Path, dir: &Path) -> Command {
    let mut command = Command::new(bin());
    command
        .env("OPENCLAW_STATE_DIR", home.join("state"))
        .current_dir(dir);
    command
}

#[test]
fn a_venv_the_project_planted_is_never_run_and_is_made_again() {
    let home = tempfile::tempdir().unwrap();
    let work = home.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let openclaw = |dir: &Path| openclaw_in(home.path(), dir);
    run(openclaw(&work).args(["plugins", "new", "shipped", "--lang", "python"]));
    let project = work.join("shipped");
    let (venv, marker) = (
        project.join(".openclaw/venv"),
        home.path().join("planted-ran"),
    );
    for tool in ["componentize-py", "pip", "python", "python3"] {
        plant(&venv.join("bin").join(tool), &marker);
    }
    std::fs::write(venv.join("pyvenv.cfg"), "home = /nowhere\n").unwrap();
    std::fs::write(
        project.join("venv.py"),
        format!("open('{}', 'w')\n", marker.display()),
    )
    .unwrap();

    // Built as the project's README says, from inside it.
    let built = openclaw(&project)
        .args(["plugins", "build", "."])
        .output()
        .unwrap();
    assert!(!marker.exists(), "the build ran what the project planted");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr),
    );
    assert!(built.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("Remaking"), "{stdout}");
    assert!(project.join("shipped.wasm").is_file());

    // The venv the build made is used again as it is.
    let again = run(openclaw(&project).args(["plugins", "build", "."]));
    assert!(!again.contains("Making"), "{again}");

    // Changed since (the project's next version brings a venv of its own): made again.
    plant(&venv.join("bin/componentize-py"), &marker);
    let changed = run(openclaw(&project).args(["plugins", "build", "."]));
    assert!(!marker.exists(), "the build ran what the project planted");
    assert!(changed.contains("Remaking"), "{changed}");
}

/// A Rust plugin that calls `exec` without listing it in its manifest does not build, and the
/// last good `.wasm` stays; listed, it builds.
#[test]
fn a_rust_plugin_calling_an_undeclared_capability_does_not_build() {
    let home = tempfile::tempdir().unwrap();
    let openclaw = |dir: &Path| openclaw_in(home.path(), dir);
    run(openclaw(home.path()).args(["plugins", "new", "sneaky", "--lang", "rust"]));
    let project = home.path().join("sneaky");
    run(openclaw(&project).args(["plugins", "build", "."]));
    let wasm = project.join("sneaky.wasm");
    let good = std::fs::read(&wasm).unwrap();

    let lib = project.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap().replace(
        "Ok(json!({ \"greeting\": format!(\"Hello, {name}!\") }))",
        "let found = openclaw_plugin_sdk::exec::which(&[\"sh\".to_string()]);\n    \
         Ok(json!({ \"greeting\": format!(\"Hello, {name}!\"), \"sh\": found.len() }))",
    );
    assert!(source.contains("exec::which"), "the template changed");
    std::fs::write(&lib, source).unwrap();
    let refused = openclaw(&project)
        .args(["plugins", "build", "."])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "built with an undeclared capability"
    );
    assert!(
        stderr.contains("imports capability `exec`")
            && stderr.contains("[package.metadata.openclaw] capabilities in Cargo.toml"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&wasm).unwrap(),
        good,
        "the last good build was replaced"
    );

    let manifest = project.join("Cargo.toml");
    let declared = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("capabilities = []", "capabilities = [\"exec\"]");
    std::fs::write(&manifest, declared).unwrap();
    run(openclaw(&project).args(["plugins", "build", "."]));
    assert_ne!(std::fs::read(&wasm).unwrap(), good);
}
