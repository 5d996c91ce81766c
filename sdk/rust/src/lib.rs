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
        // The crate's own copy of `wit/`, so that it builds where it is published; a test in
        // the runtime keeps the two the same.
        path: "wit",
        world: "node-plugin",
        pub_export_macro: true,
        default_bindings_module: "openclaw_plugin_sdk::bindings",
    });
}

pub mod browser;
#[deprecated(
    since = "0.1.8",
    note = "split into browser_tabs, browser_page, browser_downloads and browser_files"
)]
pub mod browser_automation;
pub mod browser_downloads;
pub mod browser_files;
pub mod browser_page;
pub mod browser_tabs;
pub mod camera;
pub mod exec;
pub mod exec_approvals;
pub mod fs;
pub mod location;
pub mod log;
pub mod mcp;
pub mod notify;
pub mod screen;
pub mod uploads;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

mod failure;
mod macros;

pub use failure::{code, Failure};

pub use bindings::openclaw::plugin::types::{Call, CommandInfo, Surface};

/// The params of a command that takes none: any object (its keys are ignored), or no params.
/// A handler may as well take `()`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct NoParams {}

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
    let value = match params_json {
        Some(text) => {
            serde_json::from_str(text).map_err(|_| Failure::invalid("paramsJSON malformed JSON"))?
        }
        None => serde_json::Value::Object(serde_json::Map::new()),
    };
    // The value is consumed, so its strings move into the params: a 16 MiB upload is not
    // held twice.
    let is_object = value.is_object();
    let params = match P::deserialize(value) {
        Ok(params) => params,
        // A handler that takes `()` takes no params: any object, or none at all.
        Err(e) if is_object => {
            P::deserialize(serde_json::Value::Null).map_err(|_| Failure::invalid(e))?
        }
        Err(e) => return Err(Failure::invalid(e)),
    };
    handler(call, params)?.into_json()
}

impl Call {
    /// The call a plugin's own tests pass: ids `local`, 30 s left, no idempotency key.
    pub fn local() -> Call {
        Call {
            invoke_id: "local".into(),
            node_id: "local".into(),
            timeout_ms: 30_000,
            idempotency_key: None,
        }
    }
}

/// Declares a plugin's caps and commands and exports it. See the crate docs.
///
/// Every path in the expansion is absolute, so a plugin's own `Result`, `String` or `Option`
/// (a `type Result<T> = ...`, `use anyhow::Result`) does not change what it means.
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
                    caps: ::std::vec![$(::std::string::String::from($cap)),*],
                    commands: ::std::vec![$($crate::CommandInfo {
                        name: ::std::string::String::from($name),
                        summary: ::std::string::String::from($summary),
                    }),*],
                }
            }

            fn invoke(
                call: $crate::Call,
                command: ::std::string::String,
                params_json: ::core::option::Option<::std::string::String>,
            ) -> ::core::result::Result<
                ::std::string::String,
                $crate::bindings::openclaw::plugin::types::Failure,
            > {
                match command.as_str() {
                    $($name => $crate::dispatch(&call, params_json.as_deref(), $handler),)*
                    _ => ::core::result::Result::Err($crate::Failure::unavailable("command not supported")),
                }
                .map_err($crate::Failure::on_the_wire)
            }
        }

        $crate::bindings::export!(__OpenclawPlugin with_types_in $crate::bindings);
    };
}
