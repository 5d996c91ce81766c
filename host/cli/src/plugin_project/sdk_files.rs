//! The Rust SDK as this binary carries it, written into each new project.

/// Each file of `sdk/rust` a project needs, by its path inside the SDK.
pub const SDK_FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../../../sdk/rust/Cargo.toml"),
    ),
    ("README.md", include_str!("../../../../sdk/rust/README.md")),
    (
        "wit/plugin.wit",
        include_str!("../../../../sdk/rust/wit/plugin.wit"),
    ),
    (
        "src/lib.rs",
        include_str!("../../../../sdk/rust/src/lib.rs"),
    ),
    (
        "src/failure.rs",
        include_str!("../../../../sdk/rust/src/failure.rs"),
    ),
    (
        "src/macros.rs",
        include_str!("../../../../sdk/rust/src/macros.rs"),
    ),
    (
        "src/browser.rs",
        include_str!("../../../../sdk/rust/src/browser.rs"),
    ),
    (
        "src/browser_automation.rs",
        include_str!("../../../../sdk/rust/src/browser_automation.rs"),
    ),
    (
        "src/camera.rs",
        include_str!("../../../../sdk/rust/src/camera.rs"),
    ),
    (
        "src/exec.rs",
        include_str!("../../../../sdk/rust/src/exec.rs"),
    ),
    (
        "src/exec_approvals.rs",
        include_str!("../../../../sdk/rust/src/exec_approvals.rs"),
    ),
    ("src/fs.rs", include_str!("../../../../sdk/rust/src/fs.rs")),
    (
        "src/location.rs",
        include_str!("../../../../sdk/rust/src/location.rs"),
    ),
    (
        "src/log.rs",
        include_str!("../../../../sdk/rust/src/log.rs"),
    ),
    (
        "src/notify.rs",
        include_str!("../../../../sdk/rust/src/notify.rs"),
    ),
    (
        "src/screen.rs",
        include_str!("../../../../sdk/rust/src/screen.rs"),
    ),
    (
        "src/uploads.rs",
        include_str!("../../../../sdk/rust/src/uploads.rs"),
    ),
];

#[cfg(test)]
mod tests {
    use super::SDK_FILES;

    /// A file added to the SDK must be carried too, or new projects would not build.
    #[test]
    fn every_file_of_the_sdk_is_carried() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sdk/rust");
        let mut on_disk = vec!["Cargo.toml".to_string(), "README.md".to_string()];
        for dir in ["src", "wit"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                on_disk.push(format!("{dir}/{name}"));
            }
        }
        on_disk.sort();
        let mut carried: Vec<String> = SDK_FILES.iter().map(|(p, _)| p.to_string()).collect();
        carried.sort();
        assert_eq!(carried, on_disk);
    }
}
