//! Results on stdout: aligned text tables for people, JSON for scripts.

use std::io::IsTerminal;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::args::OutputFormat;
use super::error::CliError;
use crate::domain::text::sanitize;

/// `-o` when given; otherwise a table on a terminal and JSON in a pipe.
pub fn resolve(format: Option<OutputFormat>) -> OutputFormat {
    format.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        }
    })
}

/// Pretty JSON in which nothing a terminal acts on is left raw (see `safe_json`).
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    super::safe_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| CliError::general(format!("cannot encode the result as JSON: {e}")))
}

/// Columns padded to their widest cell; server text is sanitised; the last column is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| sanitize(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.width());
            }
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header_row).chain(rows.iter()) {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(cell.width());
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push('\n');
    }
    out
}

/// `-` for a missing value.
pub fn or_dash(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => "-".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_sanitise() {
        let out = table(
            &["NAME", "STATUS"],
            &[
                vec!["payments".into(), "synced".into()],
                vec!["x\u{1b}[31my".into(), "drifted".into()],
            ],
        );
        assert_eq!(
            out,
            "NAME      STATUS\npayments  synced\nxy        drifted\n"
        );
    }
}
