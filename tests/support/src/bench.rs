//! What the benches share: their runtime, and percentiles of latency samples.

use std::future::Future;
use std::time::Duration;

/// Runs a bench's `future` on a runtime of two workers, as the machines it is measured on
/// have two cores.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// p50 and p99 of `samples`, in microseconds (sorts them).
pub fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let pct = |p: f64| {
        samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1e6
    };
    (pct(0.5), pct(0.99))
}
