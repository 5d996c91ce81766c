//! `openclaw connect <target>`: one pasted command enrolls this machine as a node. The target is
//! a join URL (`https://<gateway>/j/<shortcode>`, fetched once), an `oc-pair://` URL or a bare
//! setup code; then the node runs as `node run` does, or, with `--service`, pairs once and
//! installs the service, which reconnects with the saved device token.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{bail, Result};
use clap::Args;
use openclaw_client::join_fetch;
use openclaw_protocol::setup_code::{self, SetupPayload};

use crate::node_cmd::{self, Pairing, RunArgs};

/// The largest `--target-file` read, as the real's.
const MAX_TARGET_FILE_BYTES: u64 = 64 * 1024;

#[derive(Args)]
pub struct ConnectArgs {
    /// oc-pair URL, setup code, or HTTPS Gateway join URL
    target: Option<String>,
    /// Install and run the node host as an OS service
    #[arg(long)]
    service: bool,
    /// Read the connect target from a private file and remove it
    #[arg(long, value_name = "PATH")]
    target_file: Option<std::path::PathBuf>,
    /// Override the node display name
    #[arg(long)]
    display_name: Option<String>,
    /// Advertise only these exact command ids (comma-separated; repeatable), saved for later runs
    #[arg(long, value_name = "IDS", value_parser = node_cmd::command_ids)]
    commands: Vec<String>,
    /// Advertise every command and forget any saved --commands allowlist
    #[arg(long, conflicts_with = "commands")]
    all_commands: bool,
}

pub async fn run(args: ConnectArgs) -> Result<()> {
    let target = target(args.target.as_deref(), args.target_file.as_deref())?;
    let payload = payload(&target).await?;
    let run = RunArgs {
        display_name: args.display_name.clone(),
        commands: args.commands.clone(),
        all_commands: args.all_commands,
        ..RunArgs::default()
    };
    let pairing = Pairing {
        payload,
        prefer: true,
        stop_after_first_connect: args.service,
    };
    node_cmd::run_with_pairing(run, Some(pairing)).await?;
    if !args.service {
        return Ok(());
    }
    // Paired: the service reconnects to the saved gateway with the saved device token, and
    // the bootstrap token, used up, is in neither the unit nor the config.
    let install = RunArgs {
        display_name: args.display_name,
        commands: args.commands,
        all_commands: args.all_commands,
        ..RunArgs::default()
    };
    match crate::node_service::install(install, true) {
        0 => Ok(()),
        code => std::process::exit(code.into()),
    }
}

/// The target from the argument or the file (read, then removed), never both.
fn target(arg: Option<&str>, file: Option<&Path>) -> Result<String> {
    match (arg, file) {
        (Some(_), Some(_)) => bail!("Provide the connect target or --target-file, not both."),
        (Some(target), None) => Ok(target.to_string()),
        (None, None) => bail!("Connect target is required."),
        (None, Some(path)) => {
            let text = read_target_file(path).map_err(|e| {
                anyhow::anyhow!(
                    "Could not read --target-file {} (max {MAX_TARGET_FILE_BYTES} bytes): {e}",
                    path.display()
                )
            })?;
            let value = text.trim().to_string();
            if value.is_empty() {
                bail!("Connect target file is empty.");
            }
            // A link is removed, its target kept, as the real does.
            std::fs::remove_file(path).ok();
            Ok(value)
        }
    }
}

/// A regular file of at most 64 KiB, through a link if need be; a FIFO or a device is refused
/// without blocking on it.
fn read_target_file(path: &Path) -> std::io::Result<String> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_TARGET_FILE_BYTES {
        return Err(std::io::Error::other("file too large"));
    }
    let mut text = String::new();
    file.take(MAX_TARGET_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_TARGET_FILE_BYTES {
        return Err(std::io::Error::other("file too large"));
    }
    Ok(text)
}

async fn payload(target: &str) -> Result<SetupPayload> {
    let now = openclaw_protocol::now_ms();
    match join_fetch::parse_join_url(target).map_err(anyhow::Error::msg)? {
        Some(url) => {
            let value = join_fetch::fetch_join_payload(&url)
                .await
                .map_err(anyhow::Error::msg)?;
            setup_code::from_value(&value, now).map_err(|_| anyhow::anyhow!(join_fetch::INVALID))
        }
        None => setup_code::decode(target, now).map_err(anyhow::Error::msg),
    }
}
