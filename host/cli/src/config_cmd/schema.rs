//! The keys of `openclaw.json` this project reads, and those the real docs tell node users to
//! set, with their types: what `config set` and `config validate` check (check.rs, with the
//! real CLI's messages), what `config get|unset` accept as a path, and what `config schema`
//! prints. The real's other keys, at the levels typed here, are carried with any value, so a
//! file the real OpenClaw wrote stays valid; a key neither knows is refused, as the real
//! refuses it. Fields are in the real schema's order, which is the order issues come in.

use serde_json::Value;

use super::path::Segment;

pub enum Shape {
    /// An object with these keys only.
    Object(&'static [(&'static str, Shape)]),
    /// An object with these keys typed and any others let through.
    Open(&'static [(&'static str, Shape)]),
    /// Any keys, each of one shape (`agents.entries.<id>`).
    Map(&'static Shape),
    /// Keys that must pass `Key`, each of one shape.
    Record(&'static Key, &'static Shape),
    Str,
    /// An `http://` or `https://` URL.
    Url,
    Number(&'static Bounds),
    Bool,
    Strings,
    List(&'static Shape),
    /// A string enum (`Invalid option: expected one of ...`).
    OneOf(&'static [&'static str]),
    /// A union of string literals (`Invalid input (allowed: ...)`).
    Literals(&'static [&'static str]),
    /// A string or a SecretRef object.
    Secret,
    /// A string, number or boolean.
    Scalar,
    /// One of two shapes, told apart by the value's JSON type.
    Either(&'static Shape, &'static Shape),
    /// A shape with a further check once it holds: issues as (path below, message).
    Rule(&'static Shape, Refine),
    Any,
}

pub type Refine = fn(&Value) -> Vec<(Vec<&'static str>, String)>;

pub struct Key {
    pub pattern: &'static str,
    pub ok: fn(&str) -> bool,
}

pub struct Bounds {
    pub int: bool,
    pub min: Min,
    pub max: Option<i64>,
}

pub enum Min {
    None,
    AtLeast(i64),
    Above(i64),
}

use Shape::*;

const NUM: Shape = Number(&Bounds {
    int: false,
    min: Min::None,
    max: None,
});
const POSITIVE: Shape = Number(&Bounds {
    int: false,
    min: Min::Above(0),
    max: None,
});
const POS_INT: Shape = Number(&Bounds {
    int: true,
    min: Min::Above(0),
    max: None,
});
const NONNEG_INT: Shape = Number(&Bounds {
    int: true,
    min: Min::AtLeast(0),
    max: None,
});
pub const PORT: Shape = Number(&Bounds {
    int: true,
    min: Min::AtLeast(1),
    max: Some(65535),
});

const EXEC_FIELDS: Shape = Object(&[
    ("host", OneOf(&["auto", "sandbox", "gateway", "node"])),
    ("mode", OneOf(&["deny", "allowlist", "ask", "auto", "full"])),
    ("security", OneOf(&["deny", "allowlist", "full"])),
    ("ask", OneOf(&["off", "on-miss", "always"])),
    ("node", Str),
    ("pathPrepend", Strings),
    ("safeBins", Strings),
    ("strictInlineEval", Bool),
    ("commandHighlighting", Bool),
    ("grantExpiryDays", Any),
    ("safeBinTrustedDirs", Strings),
    ("safeBinProfiles", Map(&SAFE_BIN_PROFILE)),
    ("reviewer", Any),
    ("backgroundMs", POS_INT),
    ("approvalRunningNoticeMs", NONNEG_INT),
    ("timeoutSeconds", POS_INT),
    ("cleanupMs", POS_INT),
    ("notifyOnExit", Bool),
    ("notifyOnExitEmptySuccess", Bool),
    ("applyPatch", Any),
]);

/// `tools.exec`: `mode` may not stand beside `security`/`ask`.
const EXEC: Shape = Rule(&EXEC_FIELDS, |exec| {
    openclaw_exec::mode_conflict(exec)
        .map(|why| (vec!["mode"], why))
        .into_iter()
        .collect()
});

const SAFE_BIN_PROFILE: Shape = Object(&[
    ("minPositional", NONNEG_INT),
    ("maxPositional", NONNEG_INT),
    ("allowedValueFlags", Strings),
    ("deniedFlags", Strings),
]);

/// An agent entry: its exec settings typed, its many other keys carried.
const AGENT: Shape = Open(&[("tools", Open(&[("exec", EXEC)]))]);

const AGENT_ID: Key = Key {
    pattern: "^[a-z0-9_][a-z0-9_-]{0,63}$",
    ok: |id| {
        let mut chars = id.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && id.len() <= 64
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    },
};

const PROFILE_NAME: Key = Key {
    pattern: "^[a-z0-9-]+$",
    ok: |name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    },
};

/// Node host MCP server names: not empty, no surrounding whitespace.
const MCP_NAME: Key = Key {
    pattern: "^\\S(.*\\S)?$",
    ok: |name| !name.is_empty() && name == name.trim() && name != "__proto__",
};

const BROWSER_PROFILE: Shape = Rule(
    &Object(&[
        ("cdpPort", PORT),
        ("cdpUrl", Str),
        ("userDataDir", Str),
        ("mcpCommand", Str),
        ("mcpArgs", Strings),
        (
            "driver",
            Literals(&["openclaw", "clawd", "existing-session", "extension"]),
        ),
        ("headless", Bool),
        ("executablePath", Str),
        ("attachOnly", Bool),
    ]),
    super::rules::browser_profile,
);

const MCP_SERVER: Shape = Rule(
    &Open(&[
        ("enabled", Bool),
        ("command", Str),
        ("args", Strings),
        ("env", Map(&Scalar)),
        ("cwd", Str),
        ("url", Url),
        ("transport", Literals(&["stdio", "sse", "streamable-http"])),
        ("headers", Map(&Scalar)),
        ("connectionTimeoutMs", POSITIVE),
        ("requestTimeoutMs", POSITIVE),
        ("supportsParallelToolCalls", Bool),
        ("auth", Literals(&["oauth"])),
        ("oauth", Any),
        ("sslVerify", Bool),
        ("clientCert", Str),
        ("clientKey", Str),
        ("toolFilter", Any),
        ("codex", Any),
    ]),
    super::rules::mcp_server,
);

const SSH_VERIFY: Shape = Either(
    &Bool,
    &Object(&[
        ("user", Str),
        ("identity", Str),
        ("timeoutMs", POS_INT),
        ("cidrs", Strings),
    ]),
);

const GATEWAY: Shape = Open(&[
    ("port", PORT),
    ("mode", Literals(&["local", "remote"])),
    (
        "bind",
        Literals(&["auto", "lan", "loopback", "custom", "tailnet"]),
    ),
    ("customBindHost", Any),
    ("publicOrigin", Any),
    ("portals", Any),
    ("controlUi", Any),
    ("cliAgents", Any),
    ("terminal", Any),
    (
        "auth",
        Object(&[
            (
                "mode",
                Literals(&["none", "token", "password", "trusted-proxy"]),
            ),
            ("token", Secret),
            ("password", Secret),
            ("allowTailscale", Bool),
            ("identityScopes", Any),
            (
                "rateLimit",
                Object(&[
                    ("maxAttempts", NUM),
                    ("windowMs", NUM),
                    ("lockoutMs", NUM),
                    ("exemptLoopback", Bool),
                ]),
            ),
            ("trustedProxy", Any),
        ]),
    ),
    ("roles", Any),
    ("trustedProxies", Strings),
    ("allowRealIpFallback", Bool),
    ("tools", Any),
    ("tailscale", Any),
    (
        "remote",
        Object(&[
            ("url", Str),
            ("transport", Literals(&["ssh", "direct"])),
            ("remotePort", PORT),
            ("token", Secret),
            ("password", Secret),
            ("edgeAuth", Any),
            ("tlsFingerprint", Str),
            ("sshTarget", Any),
            ("sshIdentity", Any),
            ("sshHostKeyPolicy", Any),
        ]),
    ),
    ("reload", Any),
    (
        "tls",
        Open(&[
            ("enabled", Bool),
            ("autoGenerate", Bool),
            ("certPath", Str),
            ("keyPath", Str),
            ("caPath", Str),
        ]),
    ),
    ("http", Any),
    ("push", Any),
    (
        "nodes",
        Object(&[
            (
                "browser",
                Object(&[
                    ("mode", Literals(&["auto", "manual", "off"])),
                    ("node", Str),
                ]),
            ),
            (
                "pairing",
                Object(&[
                    ("autoApproveLocal", Bool),
                    ("autoApproveCidrs", Strings),
                    ("sshVerify", SSH_VERIFY),
                ]),
            ),
            ("pluginTools", Object(&[("enabled", Bool)])),
            ("allowSkills", Bool),
            ("commands", Object(&[("allow", Strings), ("deny", Strings)])),
        ]),
    ),
]);

const NODE_HOST: Shape = Object(&[
    ("autoUpdate", Object(&[("enabled", Bool)])),
    ("agentRuns", Any),
    ("workerRuns", Any),
    (
        "browserProxy",
        Object(&[("enabled", Bool), ("allowProfiles", Strings)]),
    ),
    (
        "mcp",
        Object(&[("servers", Record(&MCP_NAME, &MCP_SERVER))]),
    ),
    ("skills", Object(&[("enabled", Bool)])),
    // This project's own node settings (the real has no canvas or location host here).
    ("canvas", Object(&[("root", Str)])),
    (
        "location",
        Object(&[
            ("enabled", Bool),
            ("gpsd", Str),
            (
                "fixed",
                Object(&[("lat", NUM), ("lon", NUM), ("accuracyMeters", NUM)]),
            ),
        ]),
    ),
]);

const BROWSER: Shape = Object(&[
    ("enabled", Bool),
    ("allowSystemProfileImport", Bool),
    ("evaluateEnabled", Bool),
    ("cdpUrl", Str),
    ("executablePath", Str),
    ("headless", Bool),
    ("noSandbox", Bool),
    ("attachOnly", Bool),
    ("defaultProfile", Str),
    ("snapshotDefaults", Any),
    ("ssrfPolicy", Any),
    ("profiles", Record(&PROFILE_NAME, &BROWSER_PROFILE)),
    ("extraArgs", Strings),
    ("tabCleanup", Object(&[("enabled", Bool)])),
    ("extensionRelay", Any),
]);

const TOOLS: Shape = Object(&[
    ("profile", Any),
    ("allow", Any),
    ("alsoAllow", Any),
    ("deny", Any),
    ("byProvider", Any),
    ("toolsBySender", Any),
    ("web", Any),
    ("github", Any),
    ("media", Any),
    ("links", Any),
    ("sessions", Any),
    ("loopDetection", Any),
    ("toolSearch", Any),
    ("codeMode", Any),
    ("swarm", Any),
    ("message", Any),
    ("agentToAgent", Any),
    ("elevated", Any),
    ("exec", EXEC),
    ("fs", Any),
    ("subagents", Any),
    ("sandbox", Any),
    ("sessions_spawn", Any),
    ("updatePlan", Any),
]);

pub const ROOT: Shape = Object(&[
    ("$schema", Str),
    ("meta", Any),
    ("env", Any),
    ("wizard", Any),
    ("diagnostics", Any),
    ("logging", Any),
    ("update", Any),
    ("telemetry", Any),
    ("browser", BROWSER),
    ("ui", Any),
    ("secrets", Any),
    ("auth", Any),
    ("accessGroups", Any),
    ("acp", Any),
    ("models", Any),
    ("nodeHost", NODE_HOST),
    (
        "agents",
        Object(&[
            ("ownership", Any),
            ("defaults", Any),
            ("entries", Record(&AGENT_ID, &AGENT)),
        ]),
    ),
    ("worktreeRoot", Any),
    ("worktreeAcceleration", Any),
    ("tools", TOOLS),
    ("security", Any),
    ("bindings", Any),
    ("broadcast", Any),
    ("attachments", Any),
    ("messages", Any),
    ("tts", Any),
    ("commands", Any),
    ("approvals", Any),
    ("session", Any),
    ("cron", Any),
    ("transcripts", Any),
    ("hooks", Any),
    ("channels", Any),
    ("discovery", Any),
    ("talk", Any),
    ("gateway", GATEWAY),
    ("cloudWorkers", Any),
    ("desktop", Any),
    ("memory", Any),
    ("mcp", Any),
    ("skills", Any),
    ("plugins", Any),
    ("surfaces", Any),
    ("proxy", Any),
]);

/// Whether `path` names a place the schema has.
pub fn knows(path: &[Segment]) -> bool {
    knows_at(&ROOT, path)
}

fn knows_at(shape: &Shape, path: &[Segment]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return true;
    };
    match (shape, first) {
        (Any, _) => true,
        (Rule(inner, _), _) => knows_at(inner, path),
        (Either(a, b), _) => knows_at(a, path) || knows_at(b, path),
        (Object(fields) | Open(fields), Segment::Key(k)) => {
            match fields.iter().find(|(name, _)| name == k) {
                Some((_, inner)) => knows_at(inner, rest),
                // An open object lets other keys through.
                None => matches!(shape, Open(_)),
            }
        }
        (Map(inner) | Record(_, inner), Segment::Key(_)) => knows_at(inner, rest),
        (Strings, Segment::Index(_)) => knows_at(&Str, rest),
        (List(inner), Segment::Index(_)) => knows_at(inner, rest),
        _ => false,
    }
}
