//! The agent an invoke is for: the `agentId` string of its params object, as `system.run`
//! carries it. The node binds the plugin's call to it, so that whatever the plugin runs is
//! under that agent's exec approvals, and a plugin cannot pick an agent with a wider policy.

use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    #[serde(rename = "agentId")]
    agent_id: Option<String>,
}

/// `None` when the params are not an object, or name no agent as a string.
pub fn invoke_agent(params_json: Option<&str>) -> Option<String> {
    // Params can be megabytes of a file's content: most name no agent, and are not read
    // again; the others' fields are skipped unread.
    let params = params_json.filter(|p| p.contains("\"agentId\""))?;
    serde_json::from_str::<Params>(params).ok()?.agent_id
}

#[cfg(test)]
mod tests {
    use super::invoke_agent;

    #[test]
    fn the_agent_is_the_agent_id_string_of_the_params_object() {
        let agent = |params: &str| invoke_agent(Some(params));
        assert_eq!(
            agent(r#"{"command": ["id"], "agentId": "main"}"#).as_deref(),
            Some("main")
        );
        assert_eq!(
            agent(r#"{"agentId": "", "x": {"agentId": "main"}}"#).as_deref(),
            Some("")
        );
        for none in [
            r#"{"command": ["id"]}"#,
            r#"{"agentId": null}"#,
            r#"{"agentId": 7}"#,
            r#"[{"agentId": "main"}]"#,
            r#""main""#,
            r#"{"agentId": "main""#,
        ] {
            assert_eq!(agent(none), None, "{none}");
        }
        assert_eq!(invoke_agent(None), None);
    }
}
