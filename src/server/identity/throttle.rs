//! Brute-force throttling shaped like Keycloak's: a few failures per key are free, then each
//! attempt waits (1 s, doubling up to a cap). Attempts count as they start, so concurrent
//! guesses cannot all slip past the limit before the first one fails; a success gives its
//! attempt back (and forgets a user's failures). State is in memory and bounded.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Records kept at most; the least recently used are dropped beyond this.
const MAX_RECORDS: usize = 16_384;
/// Usernames are keyed by at most this many characters (bounds memory per record).
const MAX_KEY_CHARS: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Limits {
    /// Failures allowed before attempts must wait.
    free: u32,
    first_wait: Duration,
    max_wait: Duration,
    /// Failures are forgotten after this long without an attempt.
    window: Duration,
}

/// Guessing one user's password: a typo or two never waits, a guesser soon waits a minute.
const USER: Limits = Limits {
    free: 5,
    first_wait: Duration::from_secs(1),
    max_wait: Duration::from_secs(60),
    window: Duration::from_secs(15 * 60),
};
/// Spraying many usernames from one address (more room: addresses can be shared).
const ADDRESS: Limits = Limits { free: 20, ..USER };
/// Device user codes guessed from one address by a signed-in user.
const CODE: Limits = USER;

impl Limits {
    /// The wait armed by the `level`-th attempt past the free ones (1-based).
    fn wait(&self, level: u32) -> Duration {
        let factor = 1u32
            .checked_shl(level.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.first_wait.saturating_mul(factor).min(self.max_wait)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// Password attempts for a username (case-folded, truncated).
    User(String),
    /// Password attempts from an address; `None` when the server did not record one (a
    /// router mounted without `listen::serve`), so such requests share one budget.
    Address(Option<IpAddr>),
    /// Wrong device codes from an address.
    Code(Option<IpAddr>),
}

impl Key {
    pub fn user(name: &str) -> Key {
        Key::User(
            name.chars()
                .take(MAX_KEY_CHARS)
                .flat_map(char::to_lowercase)
                .collect(),
        )
    }

    fn limits(&self) -> Limits {
        match self {
            Key::User(_) => USER,
            Key::Address(_) => ADDRESS,
            Key::Code(_) => CODE,
        }
    }
}

struct Record {
    /// Attempts started and not given back by a success.
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

#[derive(Default)]
pub(crate) struct Throttle {
    records: Mutex<HashMap<Key, Record>>,
}

impl Throttle {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Record>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long until none of `keys` is locked (`Err`), without counting an attempt.
    pub fn check(&self, keys: &[Key], now: Instant) -> Result<(), Duration> {
        check(&self.lock(), keys, now)
    }

    /// Counts an attempt against every key, or refuses it (`Err(wait)`) if one is locked.
    /// The attempt that uses up the free ones arms the wait for the next.
    pub fn begin(&self, keys: &[Key], now: Instant) -> Result<(), Duration> {
        // One lock for the check and the count, so concurrent attempts are seen.
        let mut records = self.lock();
        check(&records, keys, now)?;
        for key in keys {
            let limits = key.limits();
            if !records.contains_key(key) && records.len() >= MAX_RECORDS {
                evict(&mut records, now);
            }
            let record = records.entry(key.clone()).or_insert(Record {
                failures: 0,
                last: now,
                locked_until: None,
            });
            if now.saturating_duration_since(record.last) > limits.window {
                record.failures = 0;
            }
            record.failures = record.failures.saturating_add(1);
            record.last = now;
            if record.failures >= limits.free {
                let level = record.failures + 1 - limits.free;
                record.locked_until = Some(now + limits.wait(level));
            }
        }
        Ok(())
    }

    /// The attempt begun with `keys` succeeded: a user's failures are forgotten; an address
    /// only gets this attempt back (a valid account must not wipe its other guesses).
    pub fn succeeded(&self, keys: &[Key]) {
        let mut records = self.lock();
        for key in keys {
            if let Key::User(_) = key {
                records.remove(key);
            } else if let Some(record) = records.get_mut(key) {
                record.failures = record.failures.saturating_sub(1);
                if record.failures < key.limits().free {
                    record.locked_until = None;
                }
            }
        }
    }
}

fn check(records: &HashMap<Key, Record>, keys: &[Key], now: Instant) -> Result<(), Duration> {
    let wait = keys
        .iter()
        .filter_map(|k| records.get(k)?.locked_until)
        .map(|until| until.saturating_duration_since(now))
        .max()
        .unwrap_or_default();
    if wait.is_zero() { Ok(()) } else { Err(wait) }
}

/// Drops records past their window; if that frees nothing, the least recent eighth.
fn evict(records: &mut HashMap<Key, Record>, now: Instant) {
    records.retain(|k, r| now.saturating_duration_since(r.last) <= k.limits().window);
    if records.len() < MAX_RECORDS {
        return;
    }
    let mut by_age: Vec<(Instant, Key)> =
        records.iter().map(|(k, r)| (r.last, k.clone())).collect();
    by_age.sort_unstable_by_key(|(last, _)| *last);
    for (_, key) in by_age.iter().take(MAX_RECORDS / 8) {
        records.remove(key);
    }
}

/// Whole seconds for `Retry-After`, never 0.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_and_address() -> [Key; 2] {
        [Key::user("Dave"), Key::Address(None)]
    }

    #[test]
    fn free_failures_then_doubling_waits_then_reset_on_success() {
        let throttle = Throttle::default();
        let keys = user_and_address();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(throttle.begin(&keys, t0), Ok(()));
        }
        assert_eq!(throttle.begin(&keys, t0), Err(Duration::from_secs(1)));
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(throttle.begin(&keys, t1), Ok(()));
        assert_eq!(throttle.begin(&keys, t1), Err(Duration::from_secs(2)));
        throttle.succeeded(&keys);
        assert_eq!(throttle.begin(&[Key::user("dave")], t1), Ok(()));
        assert_eq!(USER.wait(30), Duration::from_secs(60));
        assert_eq!(USER.wait(40), Duration::from_secs(60));
    }

    #[test]
    fn failures_are_forgotten_after_the_window() {
        let throttle = Throttle::default();
        let key = [Key::user("x")];
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(throttle.begin(&key, t0), Ok(()));
        }
        let later = t0 + USER.window + Duration::from_secs(1);
        assert_eq!(throttle.begin(&key, later), Ok(()));
        assert_eq!(throttle.begin(&key, later), Ok(()), "counting started over");
    }

    #[test]
    fn records_stay_bounded() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for i in 0..MAX_RECORDS + 100 {
            let _ = throttle.begin(&[Key::user(&format!("u{i}"))], t0);
        }
        assert!(throttle.lock().len() <= MAX_RECORDS);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
    }
}
