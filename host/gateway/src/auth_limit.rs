//! Failed shared-secret attempts per client address, as the real gateway counts them
//! (`src/gateway/auth-rate-limit.ts`): a sliding window of failures; reaching `max_attempts`
//! locks the address out for `lockout`. Loopback is exempt from the lockout by default, but each
//! failure from it is answered after an escalating delay (250 ms doubling to 5 s).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimitConfig;

const LOOPBACK_DELAY_BASE_MS: u64 = 250;
const LOOPBACK_DELAY_MAX_MS: u64 = 5_000;
/// ceil(log2(5000 / 250)) + 1
const LOOPBACK_HISTORY_LIMIT: usize = 6;
/// Entries kept at most; past that, stale ones are pruned first.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
struct Entry {
    attempts: Vec<Instant>,
    locked_until: Option<Instant>,
}

pub struct AuthLimiter {
    policy: RateLimitConfig,
    entries: Mutex<HashMap<String, Entry>>,
}

/// `check`'s verdict when the address is locked out.
pub struct Locked {
    pub retry_after: Duration,
}

impl AuthLimiter {
    pub fn new(policy: RateLimitConfig) -> AuthLimiter {
        AuthLimiter {
            policy,
            entries: Mutex::default(),
        }
    }

    fn key(ip: &str) -> String {
        // One representation for IPv4-mapped IPv6 and plain IPv4.
        match ip.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => v6.to_string(),
            },
            Ok(v4) => v4.to_string(),
            Err(_) => ip.to_string(),
        }
    }

    fn exempt(&self, key: &str) -> bool {
        self.policy.exempt_loopback && key.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    fn refresh(&self, entry: &mut Entry, now: Instant) {
        if entry.locked_until.is_some_and(|t| now >= t) {
            entry.locked_until = None;
            entry.attempts.clear();
        }
        let window = self.policy.window;
        entry
            .attempts
            .retain(|t| now.saturating_duration_since(*t) < window);
    }

    /// `Err` while the address is locked out.
    pub fn check(&self, ip: &str) -> Result<(), Locked> {
        let key = Self::key(ip);
        if self.exempt(&key) {
            return Ok(());
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap();
        let Some(entry) = entries.get_mut(&key) else {
            return Ok(());
        };
        self.refresh(entry, now);
        if entry.locked_until.is_none() && entry.attempts.len() >= self.policy.max_attempts {
            entry.locked_until = Some(now + self.policy.lockout);
        }
        match entry.locked_until {
            Some(until) if now < until => Err(Locked {
                retry_after: until - now,
            }),
            _ => Ok(()),
        }
    }

    /// Counts a failure. Returns how long to hold the answer back (loopback only).
    pub fn record_failure(&self, ip: &str) -> Duration {
        let key = Self::key(ip);
        let exempt = self.exempt(&key);
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.retain(|_, e| {
                e.locked_until.is_some_and(|t| now < t)
                    || e.attempts
                        .iter()
                        .any(|t| now.saturating_duration_since(*t) < self.policy.window)
            });
        }
        let entry = entries.entry(key).or_default();
        if !exempt && entry.locked_until.is_some_and(|t| now < t) {
            return Duration::ZERO;
        }
        self.refresh(entry, now);
        entry.attempts.push(now);
        if exempt {
            let excess = entry.attempts.len().saturating_sub(LOOPBACK_HISTORY_LIMIT);
            entry.attempts.drain(..excess);
            let n = entry.attempts.len() as u32;
            let ms = LOOPBACK_DELAY_BASE_MS.saturating_mul(1 << (n.max(1) - 1).min(30));
            return Duration::from_millis(ms.min(LOOPBACK_DELAY_MAX_MS));
        }
        if entry.attempts.len() >= self.policy.max_attempts {
            entry.locked_until = Some(now + self.policy.lockout);
        }
        Duration::ZERO
    }

    /// A success forgets the address's failures.
    pub fn reset(&self, ip: &str) {
        self.entries.lock().unwrap().remove(&Self::key(ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(exempt_loopback: bool) -> AuthLimiter {
        AuthLimiter::new(RateLimitConfig {
            exempt_loopback,
            ..RateLimitConfig::default()
        })
    }

    #[test]
    fn ten_failures_lock_an_address_out_for_five_minutes() {
        let l = limiter(true);
        for _ in 0..9 {
            assert_eq!(l.record_failure("10.0.0.7"), Duration::ZERO);
            assert!(l.check("10.0.0.7").is_ok());
        }
        l.record_failure("10.0.0.7");
        let locked = l.check("10.0.0.7").unwrap_err();
        assert!(locked.retry_after > Duration::from_secs(299));
        assert!(locked.retry_after <= Duration::from_secs(300));
        assert!(
            l.check("::ffff:10.0.0.7").is_err(),
            "mapped form is the same address"
        );
        assert!(l.check("10.0.0.8").is_ok(), "per address");
    }

    #[test]
    fn loopback_is_slowed_not_locked() {
        let l = limiter(true);
        let delays: Vec<u64> = (0..8)
            .map(|_| l.record_failure("127.0.0.1").as_millis() as u64)
            .collect();
        assert_eq!(delays, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
        assert!(l.check("127.0.0.1").is_ok());
        let strict = limiter(false);
        for _ in 0..10 {
            assert_eq!(strict.record_failure("::1"), Duration::ZERO);
        }
        assert!(strict.check("::1").is_err());
    }

    #[test]
    fn success_resets() {
        let l = limiter(false);
        for _ in 0..9 {
            l.record_failure("10.0.0.7");
        }
        l.reset("10.0.0.7");
        l.record_failure("10.0.0.7");
        assert!(l.check("10.0.0.7").is_ok());
    }
}
