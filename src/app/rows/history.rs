//! Rows of what happened: promotions and audit entries.

use std::borrow::Cow;

use super::{
    Column, TableRow, clean, clean_opt, col, long_time, opt, raw, short_time, text, time_col,
};
use crate::domain::diff::short_id;
use crate::domain::text::sanitize;
use crate::wire::{AuditEntry, Promotion};

fn or_raw<'a>(label: &'a str, raw: &'a str) -> &'a str {
    if label.is_empty() { raw } else { label }
}

impl TableRow for Promotion {
    const COLUMNS: &'static [Column] = &[
        col("ID", 8, 0),
        col("API", 10, 2),
        col("FROM", 11, 1),
        col("TO", 11, 1),
        col("STATUS", 11, 1),
        col("BY", 8, 1),
        col("MESSAGE", 10, 4),
        time_col("CREATED"),
    ];
    fn id(&self) -> &str {
        &self.id
    }
    fn cell(&self, column: usize) -> Cow<'_, str> {
        match column {
            // The whole id is in the detail pane.
            0 => Cow::Borrowed(short_id(&self.id)),
            1 => Cow::Borrowed(&self.api_id),
            2 => Cow::Borrowed(or_raw(&self.source_label, &self.source_environment)),
            3 => Cow::Borrowed(or_raw(&self.target_label, &self.target_environment)),
            4 => Cow::Borrowed(&self.status),
            5 => Cow::Borrowed(&self.requested_by),
            6 => Cow::Borrowed(&self.message),
            7 => short_time(&self.created_at),
            _ => Cow::Borrowed(""),
        }
    }
    fn sanitize(&mut self) {
        for f in [
            &mut self.id,
            &mut self.api_id,
            &mut self.source_environment,
            &mut self.target_environment,
            &mut self.status,
            &mut self.message,
            &mut self.requested_by,
            &mut self.source_label,
            &mut self.target_label,
        ] {
            clean(f);
        }
        clean_opt(&mut self.approved_by);
    }
    fn detail(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", text(&self.id)),
            ("api", text(&self.api_id)),
            ("from", text(&self.source_environment)),
            ("to", text(&self.target_environment)),
            ("status", text(&self.status)),
            ("requested by", text(&self.requested_by)),
            ("approved by", raw(&self.approved_by)),
            ("message", text(&self.message)),
            ("created", long_time(&self.created_at)),
            ("completed", long_time(&self.completed_at)),
        ]
    }
}

/// The stages an audit entry is about: their labels once the console has put them in,
/// else the raw names from the details.
fn audit_stage(entry: &AuditEntry) -> Cow<'_, str> {
    if !entry.stage_labels.is_empty() {
        return Cow::Borrowed(&entry.stage_labels);
    }
    match entry.stage_names().as_slice() {
        [] => Cow::Borrowed(crate::app::localize::ALL_STAGES),
        [one] => Cow::Borrowed(one),
        many => Cow::Owned(many.join(" → ")),
    }
}

impl TableRow for AuditEntry {
    const COLUMNS: &'static [Column] = &[
        time_col("TIME"),
        col("USER", 10, 2),
        col("ACTION", 10, 2),
        col("RESOURCE", 10, 2),
        col("STAGE", 14, 3),
        col("STATUS", 8, 1),
    ];
    fn id(&self) -> &str {
        &self.id
    }
    fn cell(&self, column: usize) -> Cow<'_, str> {
        match column {
            0 => short_time(&self.timestamp),
            1 => opt(&self.user_email),
            2 => Cow::Borrowed(&self.action),
            // Promotion events name a promotion by its UUID: its short form, as the lists.
            3 => match &self.resource_id {
                Some(id) => Cow::Borrowed(short_id(id)),
                None => Cow::Borrowed("-"),
            },
            4 => audit_stage(self),
            5 => Cow::Borrowed(&self.status),
            _ => Cow::Borrowed(""),
        }
    }
    fn sanitize(&mut self) {
        for f in [
            &mut self.id,
            &mut self.action,
            &mut self.status,
            &mut self.stage_labels,
        ] {
            clean(f);
        }
        clean_opt(&mut self.user_email);
        clean_opt(&mut self.resource_type);
        clean_opt(&mut self.resource_id);
        // Details are shown as compact JSON; strings inside are cleaned where they are drawn.
        if let Some(serde_json::Value::Object(map)) = &mut self.details {
            for value in map.values_mut() {
                if let serde_json::Value::String(s) = value {
                    clean(s);
                }
            }
        }
    }
    fn detail(&self) -> Vec<(&'static str, String)> {
        let details = self
            .details
            .as_ref()
            .map(|d| sanitize(&d.to_string()).into_owned())
            .unwrap_or_default();
        vec![
            ("id", text(&self.id)),
            ("time", long_time(&self.timestamp)),
            ("user", raw(&self.user_email)),
            ("action", text(&self.action)),
            ("resource type", raw(&self.resource_type)),
            ("resource", raw(&self.resource_id)),
            ("stage", audit_stage(self).to_string()),
            ("status", text(&self.status)),
            ("details", details),
        ]
    }
}
