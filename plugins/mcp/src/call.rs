//! `mcp.tools.call.v1 {server, tool, arguments?}`: the params checked as the real node host
//! checks them, the tool looked up among those published, the call made within
//! `min(timeoutMs, requestTimeoutMs)`, and the result bounded.

use serde_json::{Map, Value};

/// What a call asks for, or the real's words for what is wrong with it.
#[derive(Debug, PartialEq)]
pub struct CallParams {
    pub server: String,
    pub tool: String,
    pub arguments: Map<String, Value>,
}

fn invalid(what: &str) -> String {
    format!("Error: INVALID_REQUEST: {what}")
}

pub fn decode(params_json: Option<&str>) -> Result<CallParams, String> {
    let text = params_json.ok_or_else(|| invalid("paramsJSON required"))?;
    let value: Value =
        serde_json::from_str(text).map_err(|_| invalid("paramsJSON malformed JSON"))?;
    let Value::Object(params) = value else {
        return Err(invalid("MCP tool params must be an object"));
    };
    let field = |key: &str| {
        params
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let (Some(server), Some(tool)) = (field("server"), field("tool")) else {
        return Err(invalid("server and tool required"));
    };
    let arguments = match params.get("arguments") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(args)) => args.clone(),
        Some(_) => return Err(invalid("arguments must be an object")),
    };
    Ok(CallParams {
        server,
        tool,
        arguments,
    })
}

/// The real node host's default for a tool call, and the most any call waits.
pub const DEFAULT_TIMEOUT_MS: u64 = 120_000;

/// How long the call may take: the invoke's time, within the server's `requestTimeoutMs`.
pub fn timeout_ms(invoke_ms: u64, server_ms: Option<u64>) -> u64 {
    invoke_ms.min(server_ms.unwrap_or(DEFAULT_TIMEOUT_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_checked_with_the_real_words() {
        let cases = [
            (None, "Error: INVALID_REQUEST: paramsJSON required"),
            (
                Some("{"),
                "Error: INVALID_REQUEST: paramsJSON malformed JSON",
            ),
            (
                Some("[1]"),
                "Error: INVALID_REQUEST: MCP tool params must be an object",
            ),
            (
                Some(r#"{"server":" ","tool":"t"}"#),
                "Error: INVALID_REQUEST: server and tool required",
            ),
            (
                Some(r#"{"server":"s","tool":"t","arguments":[1]}"#),
                "Error: INVALID_REQUEST: arguments must be an object",
            ),
        ];
        for (params, message) in cases {
            assert_eq!(decode(params).unwrap_err(), message);
        }
        let ok = decode(Some(r#"{"server":" s ","tool":"t","arguments":{"a":1}}"#)).unwrap();
        assert_eq!(
            (ok.server.as_str(), ok.arguments["a"].as_i64()),
            ("s", Some(1))
        );
        assert_eq!(timeout_ms(30_000, None), 30_000);
        assert_eq!(timeout_ms(300_000, None), 120_000);
        assert_eq!(timeout_ms(30_000, Some(500)), 500);
    }
}
