//! Host bindings of the `openclaw:plugin` world.

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "node-plugin",
    imports: { default: async },
    exports: { default: async },
});

use openclaw_protocol::errors::ErrorCode;

pub use exports::openclaw::plugin::plugin::{Call, Failure, Surface};

/// A failure from a host capability, worded by the protocol's rule for node errors.
pub fn host_failure(code: ErrorCode, message: impl Into<String>) -> Failure {
    Failure {
        code: code.into(),
        message: code.node_message(message),
    }
}

/// The `tool-plugin` world, read for its `tools` export: its imports are the `node-plugin`
/// world's, the types above.
pub mod tool_plugin {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "tool-plugin",
        imports: { default: async },
        exports: { default: async },
        with: { "openclaw:plugin": crate::bindings::openclaw::plugin },
    });
}
