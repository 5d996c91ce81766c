//! The SDK for OpenClaw node plugins.
//!
//! A plugin is a WebAssembly component built for `wasm32-wasip2`. Declare its commands with
//! [`plugin!`]; each handler takes typed params (any `serde` type) and returns a typed payload
//! or a [`Failure`]:
//!
//! ```ignore
//! use openclaw_plugin_sdk::{plugin, Call, Failure};
//!
//! #[derive(serde::Deserialize)]
//! struct Greet { name: String }
//!
//! fn greet(_call: &Call, p: Greet) -> Result<serde_json::Value, Failure> {
//!     Ok(serde_json::json!({ "greeting": format!("hello {}", p.name) }))
//! }
//!
//! plugin! {
//!     caps: ["demo"],
//!     commands: {
//!         "demo.greet" => greet: "Greets someone by name",
//!     }
//! }
//! ```

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "node-plugin",
        pub_export_macro: true,
        default_bindings_module: "openclaw_plugin_sdk::bindings",
    });
}

pub mod browser;
pub mod browser_automation;
pub mod camera;
pub mod exec;
pub mod exec_approvals;
pub mod fs;
pub mod location;
pub mod log;
pub mod notify;
pub mod screen;
pub mod uploads;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use bindings::openclaw::plugin::types::{Call, CommandInfo, Failure, Surface};

impl Failure {
    pub fn new(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// `INVALID_REQUEST`, with the message prefixed as the real node host does.
    pub fn invalid(message: impl std::fmt::Display) -> Failure {
        Failure::new("INVALID_REQUEST", format!("INVALID_REQUEST: {message}"))
    }

    pub fn unavailable(message: impl Into<String>) -> Failure {
        Failure::new("UNAVAILABLE", message)
    }
}

/// What a handler answers: any `serde` type, or [`JsonText`] that is already the payload.
pub trait Payload {
    fn into_json(self) -> Result<String, Failure>;
}

impl<T: Serialize> Payload for T {
    fn into_json(self) -> Result<String, Failure> {
        serde_json::to_string(&self)
            .map_err(|e| Failure::unavailable(format!("payload did not serialize: {e}")))
    }
}

/// A payload that is already JSON text, passed on without another copy (for large answers).
/// The plugin vouches that it is valid JSON.
pub struct JsonText(pub String);

impl Payload for JsonText {
    fn into_json(self) -> Result<String, Failure> {
        Ok(self.0)
    }
}

/// Parses the params, runs the handler, serializes its payload. Used by [`plugin!`].
#[doc(hidden)]
pub fn dispatch<P, R>(
    call: &Call,
    params_json: Option<&str>,
    handler: impl Fn(&Call, P) -> Result<R, Failure>,
) -> Result<String, Failure>
where
    P: DeserializeOwned,
    R: Payload,
{
    let params = match params_json {
        Some(text) => {
            let value: serde_json::Value = serde_json::from_str(text)
                .map_err(|_| Failure::invalid("paramsJSON malformed JSON"))?;
            serde_json::from_value(value).map_err(Failure::invalid)?
        }
        None => serde_json::from_str("{}").map_err(|_| Failure::invalid("paramsJSON required"))?,
    };
    handler(call, params)?.into_json()
}

/// Declares a plugin's caps and commands and exports it. See the crate docs.
#[macro_export]
macro_rules! plugin {
    (
        caps: [$($cap:literal),* $(,)?],
        commands: { $($name:literal => $handler:path : $summary:literal),* $(,)? } $(,)?
    ) => {
        struct __OpenclawPlugin;

        impl $crate::bindings::exports::openclaw::plugin::plugin::Guest for __OpenclawPlugin {
            fn describe() -> $crate::Surface {
                $crate::Surface {
                    caps: vec![$($cap.to_string()),*],
                    commands: vec![$($crate::CommandInfo { name: $name.to_string(), summary: $summary.to_string() }),*],
                }
            }

            fn invoke(
                call: $crate::Call,
                command: String,
                params_json: Option<String>,
            ) -> Result<String, $crate::Failure> {
                match command.as_str() {
                    $($name => $crate::dispatch(&call, params_json.as_deref(), $handler),)*
                    _ => Err($crate::Failure::unavailable("command not supported")),
                }
            }
        }

        $crate::bindings::export!(__OpenclawPlugin with_types_in $crate::bindings);
    };
}
