//! The emergency override of a read-only stage (cpi-admin only, PRODUCT.md): explicit, with a
//! reason, and time-boxed. While it is active the write guard is asked with the override on,
//! and every write carries the reason in [`OVERRIDE_HEADER`] so that the server can put it in
//! the audit entry. The client ends it by itself when its time is up; the console also ends
//! it on idle.

use std::time::{Duration, Instant};

/// The header carrying the reason, percent-encoded UTF-8 (RFC 3986 unreserved kept as is).
pub const OVERRIDE_HEADER: &str = "X-Envdeck-Override-Reason";
/// The longest an override lasts.
pub const OVERRIDE_MAX: Duration = Duration::from_secs(10 * 60);
const MAX_REASON_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    reason: String,
    until: Instant,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("an emergency override needs a reason (it goes into the audit log)")]
    NoReason,
    #[error("the reason is too long (at most {MAX_REASON_CHARS} characters)")]
    TooLong,
}

impl Override {
    /// An override lasting `duration` (at most ten minutes) from now.
    pub fn new(reason: &str, duration: Duration) -> Result<Override, OverrideError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(OverrideError::NoReason);
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(OverrideError::TooLong);
        }
        Ok(Override {
            reason: reason.to_string(),
            until: Instant::now() + duration.min(OVERRIDE_MAX),
        })
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn active_at(&self, now: Instant) -> bool {
        now < self.until
    }

    /// Time left from `now` (zero once over).
    pub fn remaining(&self, now: Instant) -> Duration {
        self.until.saturating_duration_since(now)
    }

    /// The header value: percent-encoded, so any reason is a valid header.
    pub fn header_value(&self) -> String {
        let mut out = String::with_capacity(self.reason.len());
        for byte in self.reason.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_bounded_and_encoded() {
        assert_eq!(
            Override::new("  ", OVERRIDE_MAX),
            Err(OverrideError::NoReason)
        );
        assert_eq!(
            Override::new(&"x".repeat(501), OVERRIDE_MAX),
            Err(OverrideError::TooLong)
        );
        let o = Override::new("hotfix INC-42: ü\r\n", OVERRIDE_MAX).unwrap();
        assert_eq!(o.header_value(), "hotfix%20INC-42%3A%20%C3%BC");
    }

    #[test]
    fn never_longer_than_ten_minutes() {
        let o = Override::new("incident", Duration::from_secs(3600)).unwrap();
        let now = Instant::now();
        assert!(o.remaining(now) <= OVERRIDE_MAX);
        assert!(o.active_at(now));
        assert!(!o.active_at(now + OVERRIDE_MAX + Duration::from_secs(1)));
    }
}
