//! Shared by the fuzz targets: the decode/encode round-trip check.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decoding `data` as `T` never panics; what decodes re-encodes into bytes that decode and
/// re-encode to the same bytes (timestamps keep microseconds, so only the first round may
/// round). Returns the decoded value for target-specific checks.
pub fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) -> Option<T> {
    let value = serde_json::from_slice::<T>(data).ok()?;
    let first = match serde_json::to_vec(&value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("a decoded value does not encode: {e}"),
    };
    let again: T = match serde_json::from_slice(&first) {
        Ok(again) => again,
        Err(e) => panic!("re-decoding our own encoding failed: {e}"),
    };
    let second = match serde_json::to_vec(&again) {
        Ok(bytes) => bytes,
        Err(e) => panic!("a re-decoded value does not encode: {e}"),
    };
    assert_eq!(first, second, "encoding is not stable");
    Some(value)
}
