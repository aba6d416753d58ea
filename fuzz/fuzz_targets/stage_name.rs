//! The stage-name normaliser: never panics; accepted names are canonical (parsing one again
//! gives the same name) and every spelling we send or show parses back to the same stage.
#![no_main]

use envdeck::domain::{StageName, WireSpelling};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(name) = StageName::parse(raw) else {
        return;
    };
    let canonical = name.as_str();
    assert!(!canonical.is_empty());
    assert_eq!(
        StageName::parse(canonical).as_ref(),
        Ok(&name),
        "not idempotent"
    );
    for spelling in [WireSpelling::Short, WireSpelling::Long] {
        assert_eq!(
            StageName::parse(name.wire(spelling)).as_ref(),
            Ok(&name),
            "wire spelling does not round-trip"
        );
    }
    assert_eq!(StageName::parse(&name.to_string()).as_ref(), Ok(&name));
    let json = serde_json::to_string(&name).unwrap_or_else(|e| panic!("encode: {e}"));
    let back: StageName = serde_json::from_str(&json).unwrap_or_else(|e| panic!("decode: {e}"));
    assert_eq!(back, name);
    let _ = name.default_label();
});
