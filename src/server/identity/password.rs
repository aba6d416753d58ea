//! Password hashing: Argon2id in the PHC string format (`$argon2id$v=19$m=…,t=…,p=1$salt$hash`),
//! so the parameters travel with each hash and can be raised later.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

/// OWASP's Argon2id settings for a small memory budget (7 MiB, 5 passes): every hash
/// in flight holds that much memory, and the server aims to stay under 50 MB.
const MEMORY_KIB: u32 = 7 * 1024;
const PASSES: u32 = 5;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` with a fresh random salt. Takes tens of milliseconds by design.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// True when `password` matches `stored`; a malformed stored value never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    // The parameters come from the stored hash, not from `hasher()`.
    PasswordHash::new(stored).is_ok_and(|parsed| {
        hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Compares without an early exit, so timing does not reveal how much of a secret matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("demo").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{a}");
        assert!(verify("demo", &a));
        assert!(!verify("demo2", &a));
        let b = hash("demo").expect("hash");
        assert_ne!(a, b);
        assert!(verify("demo", &b));
    }

    #[test]
    fn malformed_hashes_never_match() {
        for stored in [
            "",
            "demo",
            "$argon2id$v=19$m=8,t=1,p=1$AA$AA",
            "pbkdf2-sha256$1$AA$AA",
        ] {
            assert!(!verify("demo", stored), "{stored}");
        }
    }

    #[test]
    fn constant_time_eq_compares_whole_slices() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
