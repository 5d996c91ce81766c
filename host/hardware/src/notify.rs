//! Desktop notifications through the freedesktop notification service
//! (`org.freedesktop.Notifications`) on the session D-Bus.

use std::collections::HashMap;
use std::time::Duration;

use openclaw_protocol::errors::ErrorCode;
use zbus::zvariant::Value;

use crate::HardwareError;

const SERVICE: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
/// How long the bus gets to answer.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub title: String,
    pub body: String,
    /// A freedesktop sound name (`message-new-instant`, ...).
    pub sound: Option<String>,
    pub urgency: Urgency,
}

/// Shows `n`; answers the id the notification service gave it.
pub async fn send(n: &Notification) -> Result<u32, HardwareError> {
    let call = async {
        let bus = session_bus().await?;
        let urgency: u8 = match n.urgency {
            Urgency::Low => 0,
            Urgency::Normal => 1,
            Urgency::Critical => 2,
        };
        let mut hints: HashMap<&str, Value> = HashMap::new();
        hints.insert("urgency", Value::from(urgency));
        if let Some(sound) = &n.sound {
            hints.insert("sound-name", Value::from(sound.as_str()));
        }
        let actions: Vec<&str> = Vec::new();
        let body = (
            "OpenClaw",
            0u32,
            "",
            n.title.as_str(),
            n.body.as_str(),
            actions,
            hints,
            -1i32,
        );
        let reply = bus
            .call_method(Some(SERVICE), PATH, Some(SERVICE), "Notify", &body)
            .await
            .map_err(|e| match e {
                zbus::Error::MethodError(name, _, _)
                    if name.as_str() == "org.freedesktop.DBus.Error.ServiceUnknown" =>
                {
                    HardwareError::unavailable(
                        "no notification service on the session D-Bus (nothing owns org.freedesktop.Notifications); start one, such as dunst or a desktop's",
                    )
                }
                other => HardwareError::unavailable(format!("the notification service failed: {other}")),
            })?;
        reply.body().deserialize::<u32>().map_err(|e| {
            HardwareError::unavailable(format!("odd answer from the notification service: {e}"))
        })
    };
    tokio::time::timeout(CALL_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| {
            Err(HardwareError::new(
                ErrorCode::Timeout,
                "the notification service did not answer",
            ))
        })
}

/// Whether a notification service is on the session bus right now.
pub async fn works() -> bool {
    let check = async {
        let bus = session_bus().await.ok()?;
        let dbus = zbus::fdo::DBusProxy::new(&bus).await.ok()?;
        let name = zbus::names::BusName::try_from(SERVICE).ok()?;
        dbus.name_has_owner(name).await.ok()
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), check).await,
        Ok(Some(true))
    )
}

async fn session_bus() -> Result<zbus::Connection, HardwareError> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|a| a.is_empty()) {
        return Err(HardwareError::unavailable(
            "no session D-Bus on this node (DBUS_SESSION_BUS_ADDRESS is not set), so there is no notification service to show system.notify",
        ));
    }
    zbus::Connection::session()
        .await
        .map_err(|e| HardwareError::unavailable(format!("cannot reach the session D-Bus: {e}")))
}
