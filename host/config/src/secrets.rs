//! The shared secrets, resolved from flags, the environment and the file as the real resolves
//! them. A blank secret is an error, never "no secret".

use crate::Config;

/// The gateway token: flag, then `OPENCLAW_GATEWAY_TOKEN`, then `gateway.auth.token`. The
/// first source that is set decides; an empty or blank token is an error, never "no token".
pub fn gateway_token(flag: Option<String>, config: &Config) -> anyhow::Result<Option<String>> {
    first_secret(
        "token",
        vec![
            (flag, "--token".into()),
            (
                std::env::var("OPENCLAW_GATEWAY_TOKEN").ok(),
                "OPENCLAW_GATEWAY_TOKEN".into(),
            ),
            (
                config.str("gateway.auth.token"),
                format!("gateway.auth.token in {}", config.path.display()),
            ),
        ],
    )
}

/// The first set value of `sources` (value, where it came from); a blank one is an error.
fn first_secret(
    what: &str,
    sources: Vec<(Option<String>, String)>,
) -> anyhow::Result<Option<String>> {
    for (value, source) in sources {
        if let Some(value) = value {
            if value.trim().is_empty() {
                anyhow::bail!(
                    "the gateway {what} from {source} is empty; set a {what} that is not blank"
                );
            }
            return Ok(Some(value));
        }
    }
    Ok(None)
}

/// `gateway.mode` is `remote`: this machine's CLI and node talk to a gateway elsewhere.
pub fn is_remote(config: &Config) -> bool {
    config.str("gateway.mode").as_deref() == Some("remote")
}

/// The gateway's own password, as the real gateway resolves it: `--password`, then
/// `gateway.auth.password`, then `OPENCLAW_GATEWAY_PASSWORD`.
pub fn gateway_password(flag: Option<String>, config: &Config) -> anyhow::Result<Option<String>> {
    first_secret(
        "password",
        vec![
            (flag, "--password".into()),
            (
                config.str("gateway.auth.password"),
                format!("gateway.auth.password in {}", config.path.display()),
            ),
            (
                std::env::var("OPENCLAW_GATEWAY_PASSWORD").ok(),
                "OPENCLAW_GATEWAY_PASSWORD".into(),
            ),
        ],
    )
}

/// The shared secrets a client presents (token, password), as the real resolves them.
/// Explicit flags win and then nothing else is read. Otherwise, with `gateway.mode=remote`:
/// the token from `gateway.remote.token`, `OPENCLAW_GATEWAY_TOKEN`, `gateway.auth.token`
/// (`env_first`: the environment first, as the node host reads it), and the password from
/// `OPENCLAW_GATEWAY_PASSWORD`, `gateway.remote.password`, `gateway.auth.password`. In local mode
/// `gateway.remote.*` is never read: the token as [`gateway_token`], the password from
/// `OPENCLAW_GATEWAY_PASSWORD`, then `gateway.auth.password`.
pub fn client_secrets(
    token_flag: Option<String>,
    password_flag: Option<String>,
    config: &Config,
    env_first: bool,
) -> anyhow::Result<(Option<String>, Option<String>)> {
    if token_flag.is_some() || password_flag.is_some() {
        return Ok((
            first_secret("token", vec![(token_flag, "--token".into())])?,
            first_secret("password", vec![(password_flag, "--password".into())])?,
        ));
    }
    let env = |key: &str| (std::env::var(key).ok(), key.to_string());
    let cfg = |key: &str| {
        (
            config.str(key),
            format!("{key} in {}", config.path.display()),
        )
    };
    if !is_remote(config) {
        return Ok((
            gateway_token(None, config)?,
            first_secret(
                "password",
                vec![
                    env("OPENCLAW_GATEWAY_PASSWORD"),
                    cfg("gateway.auth.password"),
                ],
            )?,
        ));
    }
    let token_sources = if env_first {
        vec![
            env("OPENCLAW_GATEWAY_TOKEN"),
            cfg("gateway.remote.token"),
            cfg("gateway.auth.token"),
        ]
    } else {
        vec![
            cfg("gateway.remote.token"),
            env("OPENCLAW_GATEWAY_TOKEN"),
            cfg("gateway.auth.token"),
        ]
    };
    Ok((
        first_secret("token", token_sources)?,
        first_secret(
            "password",
            vec![
                env("OPENCLAW_GATEWAY_PASSWORD"),
                cfg("gateway.remote.password"),
                cfg("gateway.auth.password"),
            ],
        )?,
    ))
}
