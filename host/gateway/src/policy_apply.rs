//! A reloaded `gateway.nodes` section applied: to the command policy, every connected node's
//! surface and invoke fast path, and the trusted networks.

use crate::pairing::surface::readmit;
use crate::state::Gateway;

/// Applies an edit of `gateway.nodes.commands` or `gateway.nodes.pairing.autoApproveCidrs`
/// in the config file, if there was one: to the policy, every connected node's invoke fast
/// path, and the trusted networks. A bad edit keeps the last good settings.
pub fn refresh_policy(gw: &Gateway) {
    let Some(watch) = &gw.config_watch else {
        return;
    };
    match watch.changed() {
        None => {}
        Some(Ok(live)) => {
            let commands = live.commands;
            tracing::info!(file = %watch.path().display(), allow = ?commands.allow, deny = ?commands.deny, cidrs = ?live.trusted_cidrs, "gateway.nodes reloaded");
            *gw.trusted_cidrs.write().unwrap() = live.trusted_cidrs;
            gw.policy.replace(commands);
            for node in gw.node_sessions() {
                if let Err(e) = readmit(gw, &node) {
                    tracing::warn!("could not apply the reloaded command policy: {e}");
                }
            }
        }
        Some(Err(e)) => tracing::error!(
            "config reload skipped, keeping the last good gateway.nodes settings: {}: {e}",
            watch.path().display()
        ),
    }
}
