//! The node's built-in file commands, as the real node host serves them:
//! - `fs.listDir` lists the directories in one directory, under the roots of the plugin's
//!   `fs` grant (never the node's state dir);
//! - `terminal.upload` stages one file for a terminal, through the `uploads` capability.

mod list_dir;
mod terminal_upload;

use openclaw_plugin_sdk::{plugin, Failure};

/// A failure as the real node host reports a thrown error: `INVALID_REQUEST`, with the
/// error's text after `Error: `.
fn thrown(message: impl std::fmt::Display) -> Failure {
    Failure::new("INVALID_REQUEST", format!("Error: {message}"))
}

plugin! {
    caps: ["system"],
    commands: {
        "fs.listDir" => list_dir::list_dir: "Lists the directories in a directory under the granted roots",
        "terminal.upload" => terminal_upload::upload: "Stages a file for a terminal in a private temp dir for 24 hours",
    }
}
