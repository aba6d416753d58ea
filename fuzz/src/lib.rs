//! Shared by the fuzz targets: the decode/encode round-trip check.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decoding `data` as `T` never panics; what decodes re-encodes into bytes that decode, and
/// the encoding settles after one more round. The first round may normalise: timestamps keep
/// microseconds, and an untagged `ErrorDetail` item with a duplicate key falls back to a raw
/// object whose (deduplicated) encoding then reads as a validation item (fuzz finding, see
/// `wire::error` tests). Returns the decoded value for target-specific checks.
pub fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) -> Option<T> {
    let value = serde_json::from_slice::<T>(data).ok()?;
    let first = match serde_json::to_vec(&value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("a decoded value does not encode: {e}"),
    };
    let second = reencode::<T>(&first);
    let third = reencode::<T>(&second);
    assert_eq!(second, third, "encoding does not settle");
    Some(value)
}

fn reencode<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Vec<u8> {
    let again: T = match serde_json::from_slice(bytes) {
        Ok(again) => again,
        Err(e) => panic!("re-decoding our own encoding failed: {e}"),
    };
    match serde_json::to_vec(&again) {
        Ok(bytes) => bytes,
        Err(e) => panic!("a re-decoded value does not encode: {e}"),
    }
}
