//! Host bindings of the `openclaw:plugin` world.

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "node-plugin",
    imports: { default: async },
    exports: { default: async },
});

pub use exports::openclaw::plugin::plugin::{Call, Failure, Surface};

/// A failure from a host capability: the same code, and a caller's mistake reads
/// `INVALID_REQUEST: ...` as on the real node host.
pub fn host_failure(code: &str, message: String) -> Failure {
    let message = if code == "INVALID_REQUEST" {
        format!("INVALID_REQUEST: {message}")
    } else {
        message
    };
    Failure {
        code: code.into(),
        message,
    }
}
