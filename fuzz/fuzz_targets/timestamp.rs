//! The timestamp parser: never panics, and what it reads is written in a form it reads
//! back to the same instant (to the microsecond we keep).
#![no_main]

use envdeck::wire::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Some(parsed) = Timestamp::parse(raw) else {
        return;
    };
    let written = parsed.to_rfc3339();
    let Some(again) = Timestamp::parse(&written) else {
        panic!("{raw:?} parses but its RFC 3339 form {written:?} does not");
    };
    assert_eq!(again.to_rfc3339(), written, "writing is not stable");
    let micros = |t: Timestamp| t.0.timestamp_micros();
    assert_eq!(micros(again), micros(parsed), "the instant moved");
    // The JSON form used on the wire reads back too.
    let json = serde_json::to_string(&parsed).unwrap_or_else(|e| panic!("encode: {e}"));
    let back: Timestamp = serde_json::from_str(&json).unwrap_or_else(|e| panic!("decode: {e}"));
    assert_eq!(back.to_rfc3339(), written);
});
