//! End-to-end tests: the real `openclaw` binary as a gateway process, real WebSocket clients on
//! loopback, a real SQLite file that survives `kill -9`.

mod canvas;
mod canvas_escape;
mod cli;
mod device_procs;
mod devices;
mod durability;
#[path = "../../host/runtime/tests/fixtures/mod.rs"]
mod fixtures;
mod flood;
mod handshake;
mod invoke;
mod node;
mod node_proc;
mod pairing;
mod secrets;
mod support;
