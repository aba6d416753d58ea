//! `/` on the pipeline: every word must match the API's id or display name, fuzzily (the
//! greedy matcher the lists use: linear in the text, fine for thousands of rows a keystroke).

use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use super::MatrixRow;

pub fn matching(rows: &[MatrixRow], query: &str) -> Vec<usize> {
    let needles: Vec<Utf32String> = query
        .split_whitespace()
        .map(|word| Utf32String::from(word.to_lowercase().as_str()))
        .collect();
    if needles.is_empty() {
        return (0..rows.len()).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut chars = Vec::new();
    let mut text = String::new();
    rows.iter()
        .enumerate()
        .filter(|(_, row)| {
            text.clear();
            text.push_str(&row.api);
            text.push(' ');
            text.push_str(&row.display_name);
            let haystack = Utf32Str::new(&text, &mut chars);
            needles
                .iter()
                .all(|n| matcher.fuzzy_match_greedy(haystack, n.slice(..)).is_some())
        })
        .map(|(i, _)| i)
        .collect()
}
