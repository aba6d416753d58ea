//! What each view shows of a resource: its columns, its cells and its detail lines.
//! Server text is sanitised once, when the data arrives ([`TableRow::sanitize`]), so
//! drawing a frame never re-sanitises.

use std::borrow::Cow;

use crate::domain::text::sanitize;
use crate::wire::Timestamp;

/// A column title and how wide it may grow (`min` cells, share of the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub min: u16,
    pub fill: u16,
}

pub(crate) const fn col(title: &'static str, min: u16, fill: u16) -> Column {
    Column { title, min, fill }
}

pub(crate) const fn time_col(title: &'static str) -> Column {
    Column {
        title,
        min: 16,
        fill: 0,
    }
}

/// One resource as a table row.
pub trait TableRow {
    const COLUMNS: &'static [Column];
    fn id(&self) -> &str;
    fn cell(&self, column: usize) -> Cow<'_, str>;
    /// Replaces every displayed string by its sanitised form (once, on arrival).
    fn sanitize(&mut self);
    /// Label/value pairs for the detail pane ("" when absent). The labels are the same for
    /// every row of a type.
    fn detail(&self) -> Vec<(&'static str, String)>;
}

pub(crate) fn clean(field: &mut String) {
    if let Cow::Owned(s) = sanitize(field) {
        *field = s;
    }
}

pub(crate) fn clean_opt(field: &mut Option<String>) {
    if let Some(s) = field {
        clean(s);
    }
}

pub(crate) fn opt(field: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(field.as_deref().unwrap_or("-"))
}

/// Timestamps read as `2026-11-23 07:36` (minutes are enough in a table; sorts correctly).
pub fn short_time(t: &Option<Timestamp>) -> Cow<'static, str> {
    match t {
        Some(t) => Cow::Owned(t.0.format("%Y-%m-%d %H:%M").to_string()),
        None => Cow::Borrowed("-"),
    }
}

pub(crate) fn long_time(t: &Option<Timestamp>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

pub(crate) fn text(v: &str) -> String {
    v.to_string()
}

pub(crate) fn raw(field: &Option<String>) -> String {
    field.clone().unwrap_or_default()
}

/// Separates the fields of a packed row: a control character, so never in sanitised text.
const SEP: char = '\u{1f}';

/// One row as the console keeps it: id, table cells and detail values, sanitised and packed
/// in a single allocation (a wire struct with its strings costs ~3× as much; 100,000 rows
/// must stay small).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedRow {
    text: Box<str>,
    /// Byte range of the table cells (the fuzzy filter's haystack).
    cells: (u32, u32),
}

fn push_field(buf: &mut String, value: &str) {
    buf.push(SEP);
    buf.extend(value.chars().filter(|&c| c != SEP));
}

impl PackedRow {
    /// Packs a sanitised row; returns its detail labels too (the same for every row of `T`).
    pub fn pack<T: TableRow>(item: &T, buf: &mut String) -> (PackedRow, Vec<&'static str>) {
        buf.clear();
        buf.extend(item.id().chars().filter(|&c| c != SEP));
        let start = buf.len();
        for c in 0..T::COLUMNS.len() {
            push_field(buf, &item.cell(c));
        }
        let end = buf.len();
        let detail = item.detail();
        let labels = detail.iter().map(|(label, _)| *label).collect();
        for (_, value) in &detail {
            push_field(buf, value);
        }
        let row = PackedRow {
            text: buf.as_str().into(),
            cells: (start as u32, end as u32),
        };
        (row, labels)
    }

    fn field(&self, index: usize) -> &str {
        self.text.split(SEP).nth(index).unwrap_or("")
    }

    pub fn id(&self) -> &str {
        self.field(0)
    }

    pub fn cell(&self, column: usize) -> &str {
        self.field(1 + column)
    }

    /// The table cells as one string, for the fuzzy filter.
    pub fn haystack(&self) -> &str {
        let (start, end) = self.cells;
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// The detail values, in the order of their labels.
    pub fn detail_values(&self, columns: usize) -> impl Iterator<Item = &str> {
        self.text.split(SEP).skip(1 + columns)
    }
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
        assert_eq!(api.cell(5), "http://x");
    }

    #[test]
    fn packed_rows_keep_cells_and_details_apart() {
        let api = Api {
            id: "a1".into(),
            name: "orders".into(),
            display_name: "Orders".into(),
            description: Some("sells \u{1f}things".into()),
            ..Api::default()
        };
        let mut buf = String::new();
        let (row, labels) = PackedRow::pack(&api, &mut buf);
        assert_eq!(row.id(), "a1");
        assert_eq!(row.cell(0), "orders");
        assert_eq!(row.cell(4), "-", "runs nowhere yet");
        assert!(row.haystack().contains("Orders") && !row.haystack().contains("a1"));
        let details: Vec<(&str, &str)> = labels
            .iter()
            .copied()
            .zip(row.detail_values(Api::COLUMNS.len()))
            .collect();
        assert_eq!(details[1], ("name", "orders"));
        assert_eq!(details[8], ("description", "sells things"));
        assert_eq!(details[7], ("backend", ""));
    }

    #[test]
    fn audit_stage_comes_from_details() {
        let entry = AuditEntry {
            details: Some(serde_json::json!({"environment": "production"})),
            ..AuditEntry::default()
        };
        assert_eq!(entry.cell(4), "production");
        assert_eq!(AuditEntry::default().cell(4), "all stages");
        let promotion = AuditEntry {
            details: Some(serde_json::json!({
                "api_id": "orders", "source_environment": "dev", "target_environment": "staging"
            })),
            ..AuditEntry::default()
        };
        assert_eq!(promotion.cell(4), "dev → staging");
        let rollback = AuditEntry {
            details: Some(
                serde_json::json!({"original_source": "dev", "original_target": "staging"}),
            ),
            ..AuditEntry::default()
        };
        assert_eq!(rollback.cell(4), "staging → dev");
        // envdeck's control plane also names the target as `environment`: source first still.
        let both = AuditEntry {
            details: Some(serde_json::json!({
                "environment": "staging", "source_environment": "dev", "target_environment": "staging"
            })),
            ..AuditEntry::default()
        };
        assert_eq!(both.cell(4), "dev → staging");
    }
}
