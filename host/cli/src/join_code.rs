//! `openclaw devices join-code`: asks the gateway for a single-use URL that enrolls one node,
//! and prints it with the command to paste on that machine.

use anyhow::{bail, Result};
use serde_json::json;

use crate::operator::Operator;

pub async fn mint(op: &Operator) -> Result<()> {
    let params = json!({"bootstrapProfile": "node", "includeQr": false, "joinUrl": true});
    let reply = op.call("device.pair.setupCode", params).await?;
    let Some(url) = reply["joinUrl"].as_str().filter(|u| !u.trim().is_empty()) else {
        bail!("Gateway did not return a device join URL.");
    };
    let command = format!("openclaw connect {url}");
    if op.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"joinUrl": url, "command": command}))?
        );
    } else {
        println!("{url}\n{command}");
    }
    Ok(())
}
