//! The emergency override of a read-only stage (cpi-admin only, PRODUCT.md): explicit, with a
//! reason, and time-boxed. One type for the console and the client, on the wire's clock
//! ([`Timestamp`]), so both agree on when it ends.

use std::time::Duration;

use crate::wire::Timestamp;

/// The longest an override lasts.
pub const OVERRIDE_MAX: Duration = Duration::from_secs(10 * 60);
const MAX_REASON_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emergency {
    /// Trimmed, non-empty, at most 500 characters when built with [`Emergency::starting_at`].
    pub reason: String,
    /// The override is over from this instant on.
    pub until: Timestamp,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("an emergency override needs a reason (it goes into the audit log)")]
    NoReason,
    #[error("the reason is too long (at most {MAX_REASON_CHARS} characters)")]
    TooLong,
}

impl Emergency {
    /// An override from `now` lasting `duration`, capped at [`OVERRIDE_MAX`].
    pub fn starting_at(
        reason: &str,
        duration: Duration,
        now: Timestamp,
    ) -> Result<Emergency, OverrideError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(OverrideError::NoReason);
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(OverrideError::TooLong);
        }
        // The cap fits chrono's range; the fallback only guards the conversion.
        let length = chrono::Duration::from_std(duration.min(OVERRIDE_MAX))
            .unwrap_or_else(|_| chrono::Duration::minutes(10));
        Ok(Emergency {
            reason: reason.to_string(),
            until: Timestamp(now.0 + length),
        })
    }

    /// [`Emergency::starting_at`] on this machine's clock.
    pub fn new(reason: &str, duration: Duration) -> Result<Emergency, OverrideError> {
        Emergency::starting_at(reason, duration, Timestamp::now())
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn is_active(&self, now: Timestamp) -> bool {
        now < self.until
    }

    /// Time left from `now` (zero once over).
    pub fn remaining(&self, now: Timestamp) -> Duration {
        (self.until.0 - now.0).to_std().unwrap_or(Duration::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(
            Emergency::new("  ", OVERRIDE_MAX),
            Err(OverrideError::NoReason)
        );
        assert_eq!(
            Emergency::new(&"x".repeat(501), OVERRIDE_MAX),
            Err(OverrideError::TooLong)
        );
        let e = Emergency::new(" INC-42 \n", OVERRIDE_MAX).expect("a reason");
        assert_eq!(e.reason(), "INC-42");
    }

    #[test]
    fn never_longer_than_ten_minutes() {
        let now = Timestamp::now();
        let e = Emergency::starting_at("incident", Duration::from_secs(3600), now).expect("ok");
        assert_eq!(e.remaining(now), OVERRIDE_MAX);
        assert!(e.is_active(now));
        let later = Timestamp(now.0 + chrono::Duration::seconds(601));
        assert!(!e.is_active(later));
        assert_eq!(e.remaining(later), Duration::ZERO);
        let ended = Emergency::starting_at("incident", Duration::ZERO, now).expect("ok");
        assert!(!ended.is_active(now));
    }
}
