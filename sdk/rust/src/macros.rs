//! `format!`-style lines for the host log: `log_info!("took {} ms", ms)`.

/// A debug line for the host log, `format!`-style.
#[macro_export]
macro_rules! log_debug {
    ($($arg:tt)*) => { $crate::log::debug(&::std::format!($($arg)*)) };
}

/// An info line for the host log, `format!`-style.
#[macro_export]
macro_rules! log_info {
    ($($arg:tt)*) => { $crate::log::info(&::std::format!($($arg)*)) };
}

/// A warning for the host log, `format!`-style.
#[macro_export]
macro_rules! log_warn {
    ($($arg:tt)*) => { $crate::log::warn(&::std::format!($($arg)*)) };
}

/// An error line for the host log, `format!`-style.
#[macro_export]
macro_rules! log_error {
    ($($arg:tt)*) => { $crate::log::error(&::std::format!($($arg)*)) };
}
