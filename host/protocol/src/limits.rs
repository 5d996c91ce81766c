//! Frame size and timing limits of the protocol (spec §1).

/// Largest frame accepted before `hello-ok` (bigger closes with 1009).
pub const MAX_PRE_HELLO_FRAME_BYTES: usize = 65_536;
/// Largest frame after `hello-ok` (`policy.maxPayload`).
pub const MAX_PAYLOAD_BYTES: usize = 26_214_400;
/// Outbound bytes a slow consumer may have buffered (`policy.maxBufferedBytes`).
pub const MAX_BUFFERED_BYTES: usize = 52_428_800;
/// Interval of the server's `tick` broadcast (`policy.tickIntervalMs`).
pub const TICK_INTERVAL_MS: u64 = 30_000;
/// Allowed clock skew of `device.signedAt` against server time.
pub const SIGNATURE_SKEW_MS: u64 = 120_000;
/// Default `node.invoke` timeout.
pub const DEFAULT_INVOKE_TIMEOUT_MS: u64 = 30_000;
/// How long a device pairing request stays pending.
pub const DEVICE_PAIR_REQUEST_TTL_MS: u64 = 5 * 60 * 1000;
