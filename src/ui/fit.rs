//! Text cut to a number of terminal cells, with an ellipsis where it was cut.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` in at most `width` cells; when it does not fit, its start and an ellipsis (`...`
/// on ASCII terminals).
pub fn ellipsize(text: &str, width: usize, ascii: bool) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mark = if ascii { "..." } else { "…" };
    let room = width.saturating_sub(mark.width());
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if width >= mark.width() {
        out.push_str(mark);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_with_an_ellipsis_inside_the_width() {
        assert_eq!(ellipsize("refresh", 10, false), "refresh");
        assert_eq!(
            ellipsize("Production is read-only", 10, false),
            "Productio…"
        );
        assert_eq!(ellipsize("Production", 6, true), "Pro...");
        assert_eq!(ellipsize("日本語テキスト", 5, false).width(), 5);
        assert_eq!(ellipsize("abc", 0, false), "");
    }
}
