//! Server text is untrusted: strip terminal escape sequences and control characters
//! before anything is drawn. Hand-written (a small state machine) so that it has no
//! dependency and can be fuzzed on its own.

use std::borrow::Cow;

/// Removes ESC/CSI/OSC/DCS sequences, C0 and C1 controls and bidi overrides.
/// Line breaks and tabs become a space so a cell stays on one line.
pub fn sanitize(input: &str) -> Cow<'_, str> {
    if input.chars().all(is_plain) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI / OSC / DCS and friends introduce sequences of their own.
            '\u{9b}' => skip_until_final(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_plain(c) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// [`sanitize`] on every string of a JSON value (keys included), in place.
pub fn sanitize_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let Cow::Owned(clean) = sanitize(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sanitize_json),
        Value::Object(map) => {
            let dirty = map.keys().any(|k| !k.chars().all(is_plain));
            if dirty {
                let taken = std::mem::take(map);
                for (k, mut v) in taken {
                    sanitize_json(&mut v);
                    map.insert(sanitize(&k).into_owned(), v);
                }
            } else {
                map.values_mut().for_each(sanitize_json);
            }
        }
        _ => {}
    }
}

fn is_plain(c: char) -> bool {
    !(c.is_control() || is_bidi_control(c))
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_until_final(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string(chars),
        // Two-byte sequences with an intermediate, such as ESC ( B.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameters and intermediates, then one final byte in @..~.
fn skip_until_final(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            return;
        }
    }
}

/// OSC/DCS/SOS/PM/APC: until BEL, ST (ESC \) or C1 ST.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(sanitize("payments-v2 ✓ Zürich"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_and_controls_are_removed() {
        let cases = [
            ("a\u{1b}[31mred\u{1b}[0m", "ared"),
            ("\u{1b}[2J\u{1b}[Hclear", "clear"),
            ("title\u{1b}]0;pwned\u{7}!", "title!"),
            ("link\u{1b}]8;;http://x\u{1b}\\text", "linktext"),
            ("dcs\u{1b}Pq#0;2;0;0;0\u{1b}\\end", "dcsend"),
            ("bell\u{7}nul\u{0}del\u{7f}", "bellnuldel"),
            ("c1\u{9b}31mcsi", "c1csi"),
            ("line\nbreak\ttab\r", "line break tab "),
            ("rtl\u{202e}gnp.exe", "rtlgnp.exe"),
            ("charset\u{1b}(Bok", "charsetok"),
            ("dangling\u{1b}", "dangling"),
            ("dangling csi\u{1b}[12;", "dangling csi"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "{input:?}");
        }
    }
}
