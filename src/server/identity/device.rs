//! Device authorization grant (RFC 8628): pending codes live in memory (they last minutes).
//! Every method takes `now`, so the timing rules are tested without sleeping.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{Rng, RngCore};

use super::error::OAuthError;

/// RFC 8628 §6.1: no vowels (no words), no look-alikes; 20^8 codes.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LEN: usize = 8;
/// More pending codes than this means someone is flooding the endpoint.
const MAX_PENDING: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceTiming {
    /// The minimum time between two polls.
    pub interval: Duration,
    /// How long a code can be approved and redeemed.
    pub expires_in: Duration,
    /// Added to the interval on each `slow_down` (RFC 8628 says 5 seconds).
    pub slow_down_step: Duration,
}

impl Default for DeviceTiming {
    fn default() -> Self {
        DeviceTiming {
            interval: Duration::from_secs(5),
            expires_in: Duration::from_secs(600),
            slow_down_step: Duration::from_secs(5),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Pending,
    Approved { sub: String },
    Denied,
}

struct Entry {
    user_code: String,
    client_id: String,
    expires_at: Instant,
    interval: Duration,
    slow_down_step: Duration,
    last_poll: Option<Instant>,
    state: State,
}

/// A new code pair, as the device authorization endpoint answers it.
pub(crate) struct Issued {
    pub device_code: String,
    pub user_code: String,
    pub expires_in: Duration,
    pub interval: Duration,
}

/// Why the verification page could not act on a user code.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CodeError {
    #[error("That code is not valid. Check it and try again.")]
    Unknown,
    #[error("That code has expired. Start the sign-in again on your device.")]
    Expired,
    #[error("That code was already used.")]
    AlreadyUsed,
}

#[derive(Default)]
pub(crate) struct DeviceStore {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Upper-case letters of the alphabet only, so `wdjb-mjht`, `WDJB MJHT` and `WDJBMJHT` match.
pub(crate) fn normalize_user_code(raw: &str) -> String {
    raw.chars()
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| c.is_ascii() && USER_CODE_ALPHABET.contains(&(*c as u8)))
        .collect()
}

fn new_user_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let letters: String = (0..USER_CODE_LEN)
        .map(|_| USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

fn new_device_code() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl DeviceStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn start(
        &self,
        client_id: &str,
        timing: DeviceTiming,
        now: Instant,
    ) -> Result<Issued, OAuthError> {
        let mut entries = self.lock();
        entries.retain(|_, e| e.expires_at > now);
        if entries.len() >= MAX_PENDING {
            return Err(OAuthError::slow_down());
        }
        let user_code = loop {
            let candidate = new_user_code();
            if !entries.values().any(|e| e.user_code == candidate) {
                break candidate;
            }
        };
        let device_code = new_device_code();
        entries.insert(
            device_code.clone(),
            Entry {
                user_code: user_code.clone(),
                client_id: client_id.to_string(),
                expires_at: now + timing.expires_in,
                interval: timing.interval,
                slow_down_step: timing.slow_down_step,
                last_poll: None,
                state: State::Pending,
            },
        );
        Ok(Issued {
            device_code,
            user_code,
            expires_in: timing.expires_in,
            interval: timing.interval,
        })
    }

    /// One poll of the token endpoint; `Ok(sub)` once the user approved (the code is then spent).
    pub fn poll(
        &self,
        device_code: &str,
        client_id: &str,
        now: Instant,
    ) -> Result<String, OAuthError> {
        let mut entries = self.lock();
        let Some(entry) = entries.get_mut(device_code) else {
            return Err(OAuthError::invalid_grant("Device code not valid"));
        };
        if entry.client_id != client_id {
            return Err(OAuthError::invalid_grant(
                "Device code was issued to another client",
            ));
        }
        if now >= entry.expires_at {
            // Kept (until the next `start` purges it) so the page can still say "expired".
            return Err(OAuthError::expired_token());
        }
        let too_fast = entry
            .last_poll
            .is_some_and(|last| now.saturating_duration_since(last) < entry.interval);
        entry.last_poll = Some(now);
        match entry.state.clone() {
            // RFC 8628 §3.5: slow_down is a variant of pending; a decided code answers now.
            State::Pending if too_fast => {
                entry.interval += entry.slow_down_step;
                Err(OAuthError::slow_down())
            }
            State::Pending => Err(OAuthError::authorization_pending()),
            State::Denied => {
                entries.remove(device_code);
                Err(OAuthError::access_denied())
            }
            State::Approved { sub } => {
                entries.remove(device_code);
                Ok(sub)
            }
        }
    }

    /// Checks a user code without changing it (the page only acts on codes after sign-in).
    #[cfg(test)]
    pub fn check(&self, user_code: &str, now: Instant) -> Result<(), CodeError> {
        let mut entries = self.lock();
        Self::pending_entry(&mut entries, user_code, now).map(|_| ())
    }

    pub fn approve(&self, user_code: &str, sub: &str, now: Instant) -> Result<(), CodeError> {
        let mut entries = self.lock();
        let entry = Self::pending_entry(&mut entries, user_code, now)?;
        entry.state = State::Approved {
            sub: sub.to_string(),
        };
        Ok(())
    }

    pub fn deny(&self, user_code: &str, now: Instant) -> Result<(), CodeError> {
        let mut entries = self.lock();
        let entry = Self::pending_entry(&mut entries, user_code, now)?;
        entry.state = State::Denied;
        Ok(())
    }

    fn pending_entry<'a>(
        entries: &'a mut HashMap<String, Entry>,
        user_code: &str,
        now: Instant,
    ) -> Result<&'a mut Entry, CodeError> {
        let wanted = normalize_user_code(user_code);
        if wanted.len() != USER_CODE_LEN {
            return Err(CodeError::Unknown);
        }
        let entry = entries
            .values_mut()
            .find(|e| normalize_user_code(&e.user_code) == wanted)
            .ok_or(CodeError::Unknown)?;
        if now >= entry.expires_at {
            return Err(CodeError::Expired);
        }
        if entry.state != State::Pending {
            return Err(CodeError::AlreadyUsed);
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing() -> DeviceTiming {
        DeviceTiming {
            interval: Duration::from_secs(5),
            expires_in: Duration::from_secs(600),
            slow_down_step: Duration::from_secs(5),
        }
    }

    #[test]
    fn user_codes_look_like_rfc_8628_examples() {
        let code = new_user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert_eq!(normalize_user_code(&code).len(), 8);
        assert_eq!(normalize_user_code(" wdjb-mjht "), "WDJBMJHT");
    }

    #[test]
    fn pending_then_slow_down_then_tokens_once() {
        let store = DeviceStore::default();
        let t0 = Instant::now();
        let issued = store.start("stoactl", timing(), t0).expect("start");
        let dc = issued.device_code.as_str();
        assert_eq!(
            store.poll(dc, "stoactl", t0).map_err(|e| e.code),
            Err("authorization_pending")
        );
        // 4 s later is faster than the 5 s interval: slow_down, and the interval grows to 10 s.
        let t1 = t0 + Duration::from_secs(4);
        assert_eq!(
            store.poll(dc, "stoactl", t1).map_err(|e| e.code),
            Err("slow_down")
        );
        let t2 = t1 + Duration::from_secs(6);
        assert_eq!(
            store.poll(dc, "stoactl", t2).map_err(|e| e.code),
            Err("slow_down")
        );
        let t3 = t2 + Duration::from_secs(15);
        assert_eq!(
            store.poll(dc, "stoactl", t3).map_err(|e| e.code),
            Err("authorization_pending")
        );
        store
            .approve(&issued.user_code.to_lowercase(), "sub-1", t3)
            .expect("approve");
        assert_eq!(
            store.approve(&issued.user_code, "sub-2", t3),
            Err(CodeError::AlreadyUsed)
        );
        let t4 = t3 + Duration::from_secs(20);
        assert_eq!(
            store.poll(dc, "other", t4).map_err(|e| e.code),
            Err("invalid_grant")
        );
        assert_eq!(store.poll(dc, "stoactl", t4), Ok("sub-1".to_string()));
        let t5 = t4 + Duration::from_secs(20);
        assert_eq!(
            store.poll(dc, "stoactl", t5).map_err(|e| e.code),
            Err("invalid_grant"),
            "spent"
        );
    }

    #[test]
    fn expired_and_denied_codes() {
        let store = DeviceStore::default();
        let t0 = Instant::now();
        let a = store.start("stoactl", timing(), t0).expect("start");
        let late = t0 + Duration::from_secs(600);
        assert_eq!(store.check(&a.user_code, late), Err(CodeError::Expired));
        assert_eq!(
            store
                .poll(&a.device_code, "stoactl", late)
                .map_err(|e| e.code),
            Err("expired_token")
        );
        let b = store.start("stoactl", timing(), t0).expect("start");
        store.deny(&b.user_code, t0).expect("deny");
        assert_eq!(
            store
                .poll(&b.device_code, "stoactl", t0)
                .map_err(|e| e.code),
            Err("access_denied")
        );
        assert_eq!(store.check("BCDF-GHJK", t0), Err(CodeError::Unknown));
        assert_eq!(store.check("short", t0), Err(CodeError::Unknown));
    }
}
