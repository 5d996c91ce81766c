//! What the benches share: percentiles of latency samples.

use std::time::Duration;

/// p50 and p99 of `samples`, in microseconds (sorts them).
pub fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let pct = |p: f64| {
        samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1e6
    };
    (pct(0.5), pct(0.99))
}
