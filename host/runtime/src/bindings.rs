//! Host bindings of the `openclaw:plugin` world.

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "node-plugin",
    imports: { default: async },
    exports: { default: async },
});

pub use exports::openclaw::plugin::plugin::{Call, Failure, Surface};
