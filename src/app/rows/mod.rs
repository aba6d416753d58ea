//! What each view shows of a resource: its columns, its cells and its detail lines.
//! Server text is sanitised once, when the data arrives ([`TableRow::sanitize`]), so
//! drawing a frame never re-sanitises.

use std::borrow::Cow;

use crate::domain::text::sanitize;
use crate::wire::Timestamp;

mod history;
mod resources;

/// A column title and how wide it may grow (`min` cells, share of the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub min: u16,
    pub fill: u16,
    /// Part of the fuzzy filter's haystack (time columns are not: formatting them per
    /// keystroke would cost more than they are worth).
    pub searchable: bool,
}

const fn col(title: &'static str, min: u16, fill: u16) -> Column {
    Column {
        title,
        min,
        fill,
        searchable: true,
    }
}

const fn time_col(title: &'static str) -> Column {
    Column {
        title,
        min: 16,
        fill: 0,
        searchable: false,
    }
}

/// One resource as a table row.
pub trait TableRow {
    const COLUMNS: &'static [Column];
    fn id(&self) -> &str;
    fn cell(&self, column: usize) -> Cow<'_, str>;
    /// Replaces every displayed string by its sanitised form (once, on arrival).
    fn sanitize(&mut self);
    /// Label/value pairs for the detail pane.
    fn detail(&self) -> Vec<(&'static str, String)>;
}

fn clean(field: &mut String) {
    if let Cow::Owned(s) = sanitize(field) {
        *field = s;
    }
}

fn clean_opt(field: &mut Option<String>) {
    if let Some(s) = field {
        clean(s);
    }
}

fn opt(field: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(field.as_deref().unwrap_or("-"))
}

/// Timestamps read as `2026-11-23 07:36` (minutes are enough in a table; sorts correctly).
pub fn short_time(t: &Option<Timestamp>) -> Cow<'static, str> {
    match t {
        Some(t) => Cow::Owned(t.0.format("%Y-%m-%d %H:%M").to_string()),
        None => Cow::Borrowed("-"),
    }
}

fn long_time(t: &Option<Timestamp>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_else(|| "-".into())
}

fn text(v: &str) -> String {
    if v.is_empty() { "-".into() } else { v.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Api, AuditEntry};

    #[test]
    fn sanitises_once_on_arrival() {
        let mut api = Api {
            name: "pay\u{1b}[31mments".into(),
            backend_url: Some("http://x\u{7}".into()),
            ..Api::default()
        };
        api.sanitize();
        assert_eq!(api.cell(0), "payments");
        assert_eq!(api.cell(4), "http://x");
    }

    #[test]
    fn audit_stage_comes_from_details() {
        let entry = AuditEntry {
            details: Some(serde_json::json!({"environment": "production"})),
            ..AuditEntry::default()
        };
        assert_eq!(entry.cell(4), "production");
        assert_eq!(AuditEntry::default().cell(4), "-");
    }
}
