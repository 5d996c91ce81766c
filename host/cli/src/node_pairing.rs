//! `node run --pair` and `--pair-if-needed`: a setup code names the gateway and carries the
//! bootstrap token for the first connection. `node install` takes neither, as in the real: a
//! short-lived bearer must not be written into a service's arguments.

use anyhow::Result;
use clap::Args;
use openclaw_node::files::GatewayEndpoint;
use openclaw_protocol::setup_code::{self, SetupPayload};

use crate::node_run_args::RunArgs;

#[derive(Args)]
pub struct NodeRunArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Pair with a setup code or oc-pair URL; explicit gateway flags take precedence
    #[arg(long, value_name = "CODE_OR_URL", conflicts_with = "pair_if_needed")]
    pub pair: Option<String>,
    /// Use the saved device token when available; otherwise pair with this setup code
    #[arg(long, value_name = "CODE_OR_URL")]
    pub pair_if_needed: Option<String>,
}

impl NodeRunArgs {
    /// The setup code of `--pair` or `--pair-if-needed`, read and checked.
    pub fn pairing(&self) -> Result<Option<Pairing>, String> {
        let (code, prefer) = match (&self.pair, &self.pair_if_needed) {
            (Some(code), _) => (code, true),
            (None, Some(code)) => (code, false),
            (None, None) => return Ok(None),
        };
        let payload = setup_code::decode(code, openclaw_protocol::now_ms())?;
        Ok(Some(Pairing {
            payload,
            prefer,
            stop_after_first_connect: false,
        }))
    }
}

/// A setup code to connect with.
pub struct Pairing {
    pub payload: SetupPayload,
    /// Use the bootstrap token even where a device token for this gateway is saved (`--pair`).
    pub prefer: bool,
    /// Stop once paired (`connect --service` installs the service next).
    pub stop_after_first_connect: bool,
}

impl Pairing {
    /// The gateway the code names, with its certificate pin.
    pub fn endpoint(&self) -> Result<GatewayEndpoint> {
        let url = &self.payload.url;
        let e = setup_code::endpoint_of(url)
            .ok_or_else(|| anyhow::anyhow!("Invalid pairing setup payload."))?;
        Ok(GatewayEndpoint {
            host: e.host,
            port: e.port,
            tls: e.tls || self.payload.tls_fingerprint.is_some(),
            tls_fingerprint: self.payload.tls_fingerprint.clone(),
            context_path: e.context_path,
        })
    }

    pub fn bootstrap(&self) -> openclaw_node::Bootstrap {
        openclaw_node::Bootstrap {
            token: self.payload.bootstrap_token.clone(),
            prefer: self.prefer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing(url: &str, pin: Option<&str>) -> Pairing {
        Pairing {
            payload: SetupPayload {
                url: url.into(),
                bootstrap_token: "t".into(),
                tls_fingerprint: pin.map(String::from),
                ..Default::default()
            },
            prefer: true,
            stop_after_first_connect: false,
        }
    }

    #[test]
    fn the_code_names_the_gateway_and_explicit_flags_win() {
        let pin = "ab".repeat(32);
        let code = pairing("wss://gw.example/openclaw", Some(&pin));
        let endpoint = code.endpoint().unwrap();
        assert_eq!((endpoint.host.as_str(), endpoint.port), ("gw.example", 443));
        assert!(endpoint.tls);
        assert_eq!(endpoint.context_path.as_deref(), Some("/openclaw"));
        assert_eq!(endpoint.tls_fingerprint.as_deref(), Some(pin.as_str()));
        // Another port on the command line: that gateway, without the code's path.
        let args = RunArgs {
            port: Some(18789),
            ..RunArgs::default()
        };
        let chosen = args.endpoint(Some(&endpoint));
        assert_eq!((chosen.host.as_str(), chosen.port), ("gw.example", 18789));
        assert_eq!(chosen.context_path, None);
    }
}
