//! JSON for stdout that a terminal cannot act on. serde_json escapes only the C0 controls, so
//! DEL and the C1 controls (a lone U+009B is a CSI to many terminals), the line and paragraph
//! separators and the bidi embeddings, overrides and isolates are written as `\uXXXX` here too.
//! The result is still valid JSON and parses back to the same value.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// `serde_json::to_string_pretty`, with those characters escaped.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let formatter = Escaping(PrettyFormatter::new());
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ))?;
    String::from_utf8(out)
        .map_err(|e| serde_json::Error::io(io::Error::new(io::ErrorKind::InvalidData, e)))
}

/// Characters a terminal may act on that serde_json leaves raw.
pub fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{7f}'..='\u{9f}' | '\u{2028}'..='\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes those characters in string fragments (keys included); layout is `F`'s.
struct Escaping<F>(F);

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            let (before, after) = rest.split_at(at);
            writer.write_all(before.as_bytes())?;
            // All of them are in the Basic Multilingual Plane: one `\uXXXX` each.
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &after[c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    // The layout is the wrapped formatter's.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn escaped() -> impl Iterator<Item = char> {
        ('\u{7f}'..='\u{9f}')
            .chain('\u{2028}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
    }

    #[test]
    fn terminal_controls_are_escaped_and_the_value_round_trips() {
        let all: String = escaped().collect();
        let value = json!({
            "name": format!("a{all}b\u{1b}[2J é ✓ 😀"),
            format!("key\u{9b}\u{202e}"): ["\u{2066}x\u{2069}", 1, null, true],
            "plain": "\u{7e}\u{a0}\u{2027}\u{202f}\u{2065}\u{206a}",
        });
        let text = to_string_pretty(&value).unwrap();
        let raw: Vec<char> = text.chars().filter(|&c| needs_escape(c)).collect();
        assert!(raw.is_empty(), "{raw:?} raw in {text}");
        assert!(
            text.contains("\\u009b") && text.contains("\\u202e"),
            "{text}"
        );
        assert!(
            text.contains('é') && text.contains('😀') && text.contains('\u{a0}'),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn the_layout_is_serde_jsons() {
        let value = json!({"a": [1, {"b": "c"}], "d": {}});
        assert_eq!(
            to_string_pretty(&value).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }
}
