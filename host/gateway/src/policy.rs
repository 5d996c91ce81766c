//! Which node commands the gateway routes (spec §4.5): platform defaults, the configured
//! allow/deny lists, dangerous commands only on explicit opt-in.

use std::collections::BTreeSet;
use std::sync::{RwLock, RwLockReadGuard};

use crate::config::CommandsConfig;

const SYSTEM_RUN: &[&str] = &["system.run", "system.run.prepare", "system.which"];
const EXEC_APPROVALS: &[&str] = &["system.execApprovals.get", "system.execApprovals.set"];
const FILE: &[&str] = &["fs.listDir", "terminal.upload"];
const BROWSER_PROXY: &[&str] = &["browser.proxy", "browser.proxy.upload.v1"];
const MCP: &str = "mcp.tools.call.v1";
const CLAUDE_RUN: &str = "agent.cli.claude.run.v1";
const NOTIFY: &str = "system.notify";
const SCREEN: &[&str] = &["screen.snapshot", "desktop.stream"];
const COMPUTER: &str = "computer.act";
const CAMERA: &str = "camera.list";
const LOCATION: &str = "location.get";
const DEVICE: &[&str] = &["device.info", "device.status"];

/// Commands that are routed only when `gateway.nodes.commands.allow` lists them.
pub const DANGEROUS: &[&str] = &[
    "camera.snap",
    "camera.clip",
    "camera.ptz.control",
    "screen.record",
    "contacts.add",
    "calendar.add",
    "reminders.add",
    "sms.send",
    "sms.search",
    "health.summary",
];

/// Commands of the real node host's file-transfer plugin, which it registers as dangerous: in
/// no platform's defaults, declared or routed only when `gateway.nodes.commands.allow` names
/// them exactly.
pub const FILE_TRANSFER: &[&str] = &[
    "file.stat",
    "file.fetch",
    "file.write",
    "file.create",
    "dir.list",
    "dir.fetch",
];

/// Command families whose plugins ship with this project, routed on every platform but watchOS
/// (the real gateway admits them through its own canvas and browser plugins).
const PLUGIN_DEFAULTS: &[&str] = &[
    "canvas.present",
    "canvas.hide",
    "canvas.navigate",
    "canvas.eval",
    "canvas.snapshot",
    "canvas.a2ui.push",
    "canvas.a2ui.pushJSONL",
    "canvas.a2ui.reset",
];

/// Commands an operator can reach only with `operator.admin`.
pub const ADMIN_ONLY: &[&str] = &[
    "browser.proxy",
    "browser.proxy.upload.v1",
    "fs.listDir",
    "terminal.upload",
];

/// Commands whose approval in a node surface needs `operator.admin`.
pub const ADMIN_APPROVAL: &[&str] = &[
    "system.run",
    "system.run.prepare",
    "system.which",
    "browser.proxy",
    "browser.proxy.upload.v1",
    "fs.listDir",
    "terminal.upload",
    "system.execApprovals.get",
    "system.execApprovals.set",
];

fn is_desktop_host(command: &str) -> bool {
    SYSTEM_RUN.contains(&command)
        || EXEC_APPROVALS.contains(&command)
        || FILE.contains(&command)
        || BROWSER_PROXY.contains(&command)
        || SCREEN.contains(&command)
        || command == MCP
        || command == CLAUDE_RUN
}

/// The policy platform of a client: an exact platform counts only with a matching device family.
pub fn platform_id(platform: &str, device_family: &str) -> &'static str {
    let p = platform.trim().to_lowercase();
    let f = device_family.trim().to_lowercase();
    let exact = match p.as_str() {
        "ios" => Some((
            "ios",
            f.is_empty() || ["iphone", "ipad", "ios"].contains(&f.as_str()),
        )),
        "watchos" => Some(("watchos", f == "apple watch" || f == "watchos")),
        "android" => Some(("android", f.is_empty() || f == "android")),
        "macos" => Some(("macos", f == "mac")),
        "windows" => Some(("windows", f == "windows")),
        "linux" => Some(("linux", f == "linux")),
        _ => None,
    };
    if let Some((id, family_matches)) = exact {
        return if family_matches { id } else { "unknown" };
    }
    if let Some(version) = p.strip_prefix("macos ") {
        if f == "mac" && version.split('.').all(|n| n.parse::<u32>().is_ok()) {
            return "macos";
        }
    }
    if !p.is_empty() {
        return "unknown";
    }
    [
        ("ios", &["iphone", "ipad", "ios"][..]),
        ("watchos", &["apple watch", "watchos"]),
        ("android", &["android"]),
        ("macos", &["mac"]),
        ("windows", &["windows"]),
        ("linux", &["linux"]),
    ]
    .into_iter()
    .find(|(_, tokens)| tokens.iter().any(|t| f.contains(t)))
    .map(|(id, _)| id)
    .unwrap_or("unknown")
}

/// A node-host on Linux/macOS/Windows that omits its family gets the canonical pair.
pub fn canonical_node_host_platform<'a>(
    client_id: &str,
    platform: &'a str,
    family: &'a str,
) -> (&'a str, &'a str) {
    if client_id == "node-host" && family.trim().is_empty() {
        match platform.trim() {
            "linux" => return ("linux", "Linux"),
            "darwin" => return ("macos", "Mac"),
            "win32" => return ("windows", "Windows"),
            _ => {}
        }
    }
    (platform, family)
}

fn platform_defaults(platform: &str) -> Vec<&'static str> {
    let system: Vec<&str> = [SYSTEM_RUN, EXEC_APPROVALS, FILE, BROWSER_PROXY]
        .concat()
        .into_iter()
        .chain([NOTIFY, MCP, CLAUDE_RUN])
        .collect();
    let desktop: Vec<&str> = system
        .iter()
        .copied()
        .chain(SCREEN.iter().copied())
        .chain([COMPUTER])
        .collect();
    match platform {
        "linux" => desktop,
        "macos" | "windows" => desktop
            .into_iter()
            .chain([CAMERA, LOCATION])
            .chain(DEVICE.iter().copied())
            .collect(),
        "ios" => [CAMERA, LOCATION, NOTIFY]
            .into_iter()
            .chain(DEVICE.iter().copied())
            .collect(),
        "watchos" => [NOTIFY].into_iter().chain(DEVICE.iter().copied()).collect(),
        "android" => [CAMERA, LOCATION, NOTIFY]
            .into_iter()
            .chain(DEVICE.iter().copied())
            .collect(),
        _ => vec![CAMERA, LOCATION, NOTIFY],
    }
}

/// Why a command is refused for a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAllowlisted,
    NotDeclared,
    NoCommands,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::NotAllowlisted => "command not allowlisted",
            Refusal::NotDeclared => "command not declared by node",
            Refusal::NoCommands => "node did not declare commands",
        }
    }
}

/// The command policy of one gateway; its lists can be replaced while it runs.
#[derive(Debug)]
pub struct CommandPolicy {
    config: RwLock<CommandsConfig>,
}

/// When the allowlist is asked: declaring a surface (pairing) or routing an invoke (runtime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Pairing,
    Runtime,
}

impl CommandPolicy {
    pub fn new(config: CommandsConfig) -> Self {
        CommandPolicy {
            config: RwLock::new(config),
        }
    }

    /// Takes new allow/deny lists (the config file changed).
    pub fn replace(&self, config: CommandsConfig) {
        *self.config.write().unwrap() = config;
    }

    fn config(&self) -> RwLockReadGuard<'_, CommandsConfig> {
        self.config.read().unwrap()
    }

    /// The allowlist for a node on `platform`. At runtime desktop host commands count only when
    /// the approved surface holds them, and dangerous commands only when `allow` lists them.
    pub fn allowlist(&self, platform: &str, stage: Stage, approved: &[String]) -> BTreeSet<String> {
        let desktop = matches!(platform, "linux" | "macos" | "windows");
        let mut allow: BTreeSet<String> = platform_defaults(platform)
            .into_iter()
            .filter(|c| stage == Stage::Pairing || !desktop || !is_desktop_host(c))
            .map(String::from)
            .collect();
        if platform != "watchos" {
            allow.extend(PLUGIN_DEFAULTS.iter().map(|c| c.to_string()));
        }
        if desktop {
            allow.extend(approved.iter().filter(|c| is_desktop_host(c)).cloned());
        }
        if stage == Stage::Runtime {
            allow.retain(|c| !DANGEROUS.contains(&c.as_str()));
        } else {
            allow.extend(DANGEROUS.iter().map(|c| c.to_string()));
        }
        allow.extend(
            self.config()
                .allow
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
        );
        for denied in &self.config().deny {
            let denied = denied.trim();
            if stage == Stage::Runtime || !DANGEROUS.contains(&denied) {
                allow.remove(denied);
            }
        }
        allow
    }

    /// Is `command` in `allowlist`, or matched by a wildcard of `gateway.nodes.commands.allow`
    /// (`demo.*` for a family, `*` for every command)? Wildcards never admit a dangerous
    /// command or one that `deny` lists.
    pub fn admits(&self, allowlist: &BTreeSet<String>, command: &str) -> bool {
        if allowlist.contains(command) {
            return true;
        }
        let denied = DANGEROUS.contains(&command)
            || FILE_TRANSFER.contains(&command)
            || self.config().deny.iter().any(|d| d.trim() == command);
        !denied
            && self.config().allow.iter().map(|a| a.trim()).any(|a| {
                a == "*"
                    || a.strip_suffix('*')
                        .is_some_and(|prefix| prefix.ends_with('.') && command.starts_with(prefix))
            })
    }

    /// Declared commands admitted to a surface: trimmed, deduplicated, in the pairing allowlist.
    pub fn admit_declared(
        &self,
        platform: &str,
        declared: &[String],
    ) -> (Vec<String>, Vec<String>) {
        let allow = self.allowlist(platform, Stage::Pairing, &[]);
        let mut seen = BTreeSet::new();
        let (mut admitted, mut withheld) = (Vec::new(), Vec::new());
        for c in declared.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if !seen.insert(c.to_string()) {
                continue;
            }
            if self.admits(&allow, c) {
                admitted.push(c.to_string());
            } else {
                withheld.push(c.to_string());
            }
        }
        (admitted, withheld)
    }

    /// May an operator invoke `command` on a node whose effective commands are `effective`?
    pub fn check_invoke(
        &self,
        platform: &str,
        effective: &[String],
        command: &str,
    ) -> Result<(), Refusal> {
        let allow = self.allowlist(platform, Stage::Runtime, effective);
        if command.starts_with("worker.") || !self.admits(&allow, command) {
            return Err(Refusal::NotAllowlisted);
        }
        if effective.is_empty() {
            return Err(Refusal::NoCommands);
        }
        if !effective.iter().any(|c| c == command) {
            return Err(Refusal::NotDeclared);
        }
        Ok(())
    }

    /// The operator-facing text for a refusal, as the real gateway words it.
    pub fn refusal_message(
        &self,
        refusal: Refusal,
        command: &str,
        platform: &str,
        pending: bool,
    ) -> String {
        match refusal {
            Refusal::NotDeclared => {
                format!("node command not allowed: the node (platform: {platform}) does not support \"{command}\"")
            }
            Refusal::NotAllowlisted if self.config().deny.iter().any(|d| d.trim() == command) => {
                format!("node command not allowed: \"{command}\" is blocked by gateway.nodes.commands.deny")
            }
            Refusal::NotAllowlisted if DANGEROUS.contains(&command) => format!(
                "node command not allowed: \"{command}\" requires explicit gateway.nodes.commands.allow opt-in"
            ),
            Refusal::NotAllowlisted => {
                format!("node command not allowed: \"{command}\" is not in the allowlist for platform \"{platform}\"")
            }
            Refusal::NoCommands if pending => "node command not allowed: the node's declared command surface is pending approval; run `openclaw nodes pending`, then `openclaw nodes approve <requestId>`".to_string(),
            Refusal::NoCommands => "node command not allowed: the node did not declare any supported commands".to_string(),
        }
    }
}

/// Scopes an operator needs to approve a surface with these commands.
pub fn required_approve_scopes(commands: &[String]) -> Vec<String> {
    let mut scopes = vec!["operator.pairing".to_string()];
    if commands
        .iter()
        .any(|c| ADMIN_APPROVAL.contains(&c.as_str()))
    {
        scopes.push("operator.admin".into());
    } else if !commands.is_empty() {
        scopes.push("operator.write".into());
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &[&str], deny: &[&str]) -> CommandPolicy {
        CommandPolicy::new(CommandsConfig {
            allow: allow.iter().map(|s| s.to_string()).collect(),
            deny: deny.iter().map(|s| s.to_string()).collect(),
        })
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn platform_needs_matching_family() {
        assert_eq!(platform_id("linux", "Linux"), "linux");
        assert_eq!(platform_id("linux", ""), "unknown");
        assert_eq!(platform_id("macos 15.1", "Mac"), "macos");
        assert_eq!(platform_id("", "iPhone"), "ios");
        assert_eq!(platform_id("ios", ""), "ios");
        assert_eq!(
            canonical_node_host_platform("node-host", "linux", ""),
            ("linux", "Linux")
        );
    }

    #[test]
    fn real_node_surface_is_admitted_like_the_real_gateway() {
        let declared = strings(&[
            "browser.proxy",
            "dir.list",
            "file.fetch",
            "system.run",
            "system.which",
            "desktop.stream",
            "mcp.tools.call.v1",
        ]);
        let (admitted, withheld) = policy(&[], &[]).admit_declared("linux", &declared);
        assert_eq!(
            admitted,
            strings(&[
                "browser.proxy",
                "system.run",
                "system.which",
                "desktop.stream",
                "mcp.tools.call.v1"
            ])
        );
        assert_eq!(withheld, strings(&["dir.list", "file.fetch"]));
    }

    #[test]
    fn invoke_checks_allowlist_then_declaration() {
        let p = policy(&[], &[]);
        let effective = strings(&["system.which"]);
        assert_eq!(p.check_invoke("linux", &effective, "system.which"), Ok(()));
        assert_eq!(
            p.check_invoke("linux", &effective, "system.run"),
            Err(Refusal::NotAllowlisted)
        );
        assert_eq!(
            p.check_invoke("linux", &effective, "no.such"),
            Err(Refusal::NotAllowlisted)
        );
        assert_eq!(
            p.check_invoke("linux", &effective, "canvas.eval"),
            Err(Refusal::NotDeclared)
        );
        assert_eq!(
            p.check_invoke("linux", &[], "system.notify"),
            Err(Refusal::NoCommands)
        );
    }

    #[test]
    fn dangerous_needs_allow_and_deny_wins() {
        let declared = strings(&["screen.record"]);
        assert_eq!(
            policy(&[], &[]).check_invoke("linux", &declared, "screen.record"),
            Err(Refusal::NotAllowlisted)
        );
        assert_eq!(
            policy(&["screen.record"], &[]).check_invoke("linux", &declared, "screen.record"),
            Ok(())
        );
        let p = policy(&[], &["system.notify"]);
        let notify = strings(&["system.notify"]);
        assert_eq!(
            p.check_invoke("linux", &notify, "system.notify"),
            Err(Refusal::NotAllowlisted)
        );
        assert!(p
            .refusal_message(Refusal::NotAllowlisted, "system.notify", "linux", false)
            .contains("commands.deny"));
    }

    #[test]
    fn wildcards_admit_families_but_never_dangerous_or_denied_commands() {
        let p = policy(&["demo.*"], &["demo.secret"]);
        let declared = strings(&["demo.greet", "demo.secret", "other.x"]);
        assert_eq!(
            p.admit_declared("linux", &declared).0,
            strings(&["demo.greet"])
        );
        assert_eq!(
            p.check_invoke("linux", &strings(&["demo.greet"]), "demo.greet"),
            Ok(())
        );
        let all = policy(&["*"], &[]);
        assert_eq!(
            all.check_invoke("linux", &strings(&["anything.x"]), "anything.x"),
            Ok(())
        );
        assert_eq!(
            all.check_invoke("linux", &strings(&["screen.record"]), "screen.record"),
            Err(Refusal::NotAllowlisted)
        );
        assert_eq!(
            all.check_invoke("linux", &strings(&["file.fetch"]), "file.fetch"),
            Err(Refusal::NotAllowlisted)
        );
    }

    #[test]
    fn file_transfer_commands_are_declared_and_routed_only_when_allow_names_them() {
        let declared = strings(&["file.fetch", "dir.list", "fs.listDir"]);
        assert_eq!(
            policy(&[], &[]).admit_declared("linux", &declared),
            (
                strings(&["fs.listDir"]),
                strings(&["file.fetch", "dir.list"])
            )
        );
        let p = policy(&["file.fetch"], &[]);
        assert_eq!(
            p.admit_declared("linux", &declared).0,
            strings(&["file.fetch", "fs.listDir"])
        );
        assert_eq!(p.check_invoke("linux", &declared, "file.fetch"), Ok(()));
        assert_eq!(
            p.check_invoke("linux", &declared, "dir.list"),
            Err(Refusal::NotAllowlisted)
        );
        assert!(p
            .refusal_message(Refusal::NotAllowlisted, "dir.list", "linux", false)
            .contains("is not in the allowlist for platform \"linux\""));
    }

    #[test]
    fn approve_scopes_follow_commands() {
        assert_eq!(required_approve_scopes(&[]), strings(&["operator.pairing"]));
        assert_eq!(
            required_approve_scopes(&strings(&["canvas.eval"])),
            strings(&["operator.pairing", "operator.write"])
        );
        assert_eq!(
            required_approve_scopes(&strings(&["system.run"])),
            strings(&["operator.pairing", "operator.admin"])
        );
        assert_eq!(
            required_approve_scopes(&strings(&["terminal.upload"])),
            strings(&["operator.pairing", "operator.admin"])
        );
    }
}
