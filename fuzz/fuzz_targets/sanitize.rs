//! The text sanitiser: whatever the server sends, the output holds no control character, no
//! ESC and no bidi override, and sanitising twice changes nothing.
#![no_main]

use envdeck::domain::text::sanitize;
use libfuzzer_sys::fuzz_target;

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = sanitize(&text);
    for c in once.chars() {
        assert!(
            !c.is_control(),
            "control character {c:?} survives in {once:?}"
        );
        assert!(
            !is_bidi_control(c),
            "bidi control {c:?} survives in {once:?}"
        );
    }
    let twice = sanitize(&once);
    assert_eq!(once, twice, "not idempotent");
    // Plain text is left as it is.
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        assert_eq!(once, text);
    }
});
