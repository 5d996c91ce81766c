//! `system.notify`: a desktop notification through the host's `notify` capability (the
//! freedesktop service on the session D-Bus). No service is a failure, never a silent success.

use openclaw_plugin_sdk::notify::{self, Notification, Urgency};
use openclaw_plugin_sdk::{plugin, Call, Failure};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyParams {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    sound: Option<String>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    delivery: Option<Delivery>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum Priority {
    Passive,
    Active,
    TimeSensitive,
}

#[derive(Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
enum Delivery {
    System,
    Overlay,
    Auto,
}

fn notify(_call: &Call, p: NotifyParams) -> Result<Value, Failure> {
    let title = p.title.unwrap_or_default();
    let body = p.body.unwrap_or_default();
    if title.trim().is_empty() && body.trim().is_empty() {
        return Err(Failure::invalid("title or body required"));
    }
    if p.delivery == Some(Delivery::Overlay) {
        return Err(Failure::invalid(
            "delivery overlay needs an app window; this headless node delivers through the system notification service (use system or auto)",
        ));
    }
    let urgency = match p.priority {
        Some(Priority::Passive) => Urgency::Low,
        None | Some(Priority::Active) => Urgency::Normal,
        Some(Priority::TimeSensitive) => Urgency::Critical,
    };
    let id = notify::send(&Notification {
        title,
        body,
        sound: p.sound,
        urgency,
    })?;
    Ok(json!({ "ok": true, "delivery": "system", "id": id }))
}

plugin! {
    caps: ["system"],
    commands: {
        "system.notify" => notify: "Shows a desktop notification (freedesktop service on the session D-Bus)",
    }
}
