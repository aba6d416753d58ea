//! The emergency override on the wire: while it is active the write guard is asked with the
//! override on, and every write carries the reason in [`OVERRIDE_HEADER`] so that the server
//! can put it in the audit entry. The override itself is `domain::policy::Emergency`; the
//! client ends it by itself when its time is up (on `Timestamp::now()`), the console also on
//! idle.

pub use crate::domain::policy::{Emergency, OVERRIDE_MAX, OverrideError};

/// The header carrying the reason, percent-encoded UTF-8 (RFC 3986 unreserved kept as is).
pub const OVERRIDE_HEADER: &str = "X-Envdeck-Override-Reason";

/// The header value: percent-encoded, so any reason is a valid header.
pub fn header_value(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    for byte in reason.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_encoded() {
        let e = Emergency::new("hotfix INC-42: ü\r\n", OVERRIDE_MAX).expect("a reason");
        assert_eq!(header_value(e.reason()), "hotfix%20INC-42%3A%20%C3%BC");
    }
}
