//! The host log (the `log` capability). Lines are tagged with the plugin's name.

use crate::bindings::openclaw::plugin::log::{write, Level};

pub fn debug(message: &str) {
    write(Level::Debug, message);
}

pub fn info(message: &str) {
    write(Level::Info, message);
}

pub fn warn(message: &str) {
    write(Level::Warn, message);
}

pub fn error(message: &str) {
    write(Level::Error, message);
}
