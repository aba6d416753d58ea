//! What each view shows of a resource: its columns, its cells and its detail lines.
//! Server text is sanitised once, when the data arrives ([`TableRow::sanitize`]), so
//! drawing a frame never re-sanitises.

use std::borrow::Cow;

use crate::domain::text::sanitize;
use crate::wire::{Api, AuditEntry, Deployment, Gateway, Promotion, Subscription, Timestamp};

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

impl TableRow for Api {
    const COLUMNS: &'static [Column] = &[
        col("NAME", 12, 3),
        col("DISPLAY NAME", 12, 3),
        col("VERSION", 7, 1),
        col("STATUS", 9, 1),
        col("BACKEND", 10, 3),
        time_col("UPDATED"),
    ];
    fn id(&self) -> &str {
        &self.id
    }
    fn cell(&self, column: usize) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(&self.name),
            1 => Cow::Borrowed(&self.display_name),
            2 => Cow::Borrowed(&self.version),
            3 => Cow::Borrowed(&self.status),
            4 => opt(&self.backend_url),
            5 => short_time(&self.updated_at.or(self.created_at)),
            _ => Cow::Borrowed(""),
        }
    }
    fn sanitize(&mut self) {
        for f in [
            &mut self.id,
            &mut self.name,
            &mut self.display_name,
            &mut self.version,
            &mut self.status,
        ] {
            clean(f);
        }
        clean_opt(&mut self.description);
        clean_opt(&mut self.backend_url);
        self.tags.iter_mut().for_each(clean);
    }
    fn detail(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", text(&self.id)),
            ("name", text(&self.name)),
            ("display name", text(&self.display_name)),
            ("version", text(&self.version)),
            ("status", text(&self.status)),
            ("backend", opt(&self.backend_url).into_owned()),
            ("description", opt(&self.description).into_owned()),
            ("tags", text(&self.tags.join(", "))),
            ("created", long_time(&self.created_at)),
            ("updated", long_time(&self.updated_at)),
        ]
    }
}

impl TableRow for Deployment {
    const COLUMNS: &'static [Column] = &[
        col("API", 12, 3),
        col("VERSION", 7, 1),
        col("STATUS", 11, 1),
        col("BY", 8, 2),
        time_col("CREATED"),
        col("ERROR", 8, 3),
    ];
    fn id(&self) -> &str {
        &self.id
    }
    fn cell(&self, column: usize) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(&self.api_name),
            1 => Cow::Borrowed(&self.version),
            2 => Cow::Borrowed(&self.status),
            3 => opt(&self.deployed_by),
            4 => short_time(&self.created_at),
            5 => Cow::Borrowed(self.error_message.as_deref().unwrap_or("")),
            _ => Cow::Borrowed(""),
        }
    }
    fn sanitize(&mut self) {
        for f in [
            &mut self.id,
            &mut self.api_id,
            &mut self.api_name,
            &mut self.environment,
            &mut self.version,
            &mut self.status,
        ] {
            clean(f);
        }
        clean_opt(&mut self.deployed_by);
        clean_opt(&mut self.error_message);
        clean_opt(&mut self.spec_hash);
    }
    fn detail(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", text(&self.id)),
            ("api", text(&self.api_name)),
            ("api id", text(&self.api_id)),
            ("stage", text(&self.environment)),
            ("version", text(&self.version)),
            ("status", text(&self.status)),
            ("deployed by", opt(&self.deployed_by).into_owned()),
            ("created", long_time(&self.created_at)),
            ("completed", long_time(&self.completed_at)),
            ("spec hash", opt(&self.spec_hash).into_owned()),
            ("error", opt(&self.error_message).into_owned()),
        ]
    }
}

impl TableRow for Gateway {
    const COLUMNS: &'static [Column] = &[
        col("NAME", 12, 3),
        col("TYPE", 8, 1),
        col("STAGE", 8, 1),
        col("STATUS", 8, 1),
        col("URL", 10, 3),
        time_col("CHECKED"),
    ];
    fn id(&self) -> &str {
        &self.id
    }
    fn cell(&self, column: usize) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(if self.display_name.is_empty() {
                &self.name
            } else {
                &self.display_name
            }),
            1 => Cow::Borrowed(&self.gateway_type),
            2 => Cow::Borrowed(&self.environment),
            3 => Cow::Borrowed(&self.status),
            4 => opt(&self.base_url),
            5 => short_time(&self.last_health_check),
            _ => Cow::Borrowed(""),
        }
    }
    fn sanitize(&mut self) {
        for f in [
            &mut self.id,
            &mut self.name,
            &mut self.display_name,
            &mut self.gateway_type,
            &mut self.environment,
            &mut self.status,
        ] {
            clean(f);
        }
        clean_opt(&mut self.base_url);
        clean_opt(&mut self.version);
    }
    fn detail(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", text(&self.id)),
            ("name", text(&self.name)),
            ("display name", text(&self.display_name)),
            ("type", text(&self.gateway_type)),
            ("stage", text(&self.environment)),
            ("status", text(&self.status)),
            ("url", opt(&self.base_url).into_owned()),
            ("version", opt(&self.version).into_owned()),
            ("last check", long_time(&self.last_health_check)),
        ]
    }
}

impl TableRow for Subscription {
    const COLUMNS: &'static [Column] = &[
        col("APPLICATION", 12, 3),
        col("API", 10, 3),
        col("PLAN", 6, 1),
        col("STATUS", 9, 1),
        col("SUBSCRIBER", 10, 3),
        time_col("EXPIRES"),
    ];
    fn id(&self) -> &str {
        &self.id
    }
    fn cell(&self, column: usize) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(&self.application_name),
            1 => Cow::Borrowed(&self.api_name),
            2 => opt(&self.plan_name),
            3 => Cow::Borrowed(&self.status),
            4 => opt(&self.subscriber_email),
            5 => short_time(&self.expires_at),
            _ => Cow::Borrowed(""),
        }
    }
    fn sanitize(&mut self) {
        for f in [
            &mut self.id,
            &mut self.application_name,
            &mut self.api_name,
            &mut self.status,
        ] {
            clean(f);
        }
        clean_opt(&mut self.plan_name);
        clean_opt(&mut self.subscriber_email);
        clean_opt(&mut self.approved_by);
    }
    fn detail(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", text(&self.id)),
            ("application", text(&self.application_name)),
            ("api", text(&self.api_name)),
            ("plan", opt(&self.plan_name).into_owned()),
            ("status", text(&self.status)),
            ("subscriber", opt(&self.subscriber_email).into_owned()),
            ("approved by", opt(&self.approved_by).into_owned()),
            ("created", long_time(&self.created_at)),
            ("expires", long_time(&self.expires_at)),
        ]
    }
}

impl TableRow for Promotion {
    const COLUMNS: &'static [Column] = &[
        col("API", 10, 2),
        col("FROM", 8, 1),
        col("TO", 10, 1),
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
            0 => Cow::Borrowed(&self.api_id),
            1 => Cow::Borrowed(&self.source_environment),
            2 => Cow::Borrowed(&self.target_environment),
            3 => Cow::Borrowed(&self.status),
            4 => Cow::Borrowed(&self.requested_by),
            5 => Cow::Borrowed(&self.message),
            6 => short_time(&self.created_at),
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
            ("approved by", opt(&self.approved_by).into_owned()),
            ("message", text(&self.message)),
            ("created", long_time(&self.created_at)),
            ("completed", long_time(&self.completed_at)),
        ]
    }
}

/// The stage an audit entry is about lives in its free-form details.
fn audit_stage(entry: &AuditEntry) -> &str {
    entry
        .details
        .as_ref()
        .and_then(|d| d.get("environment"))
        .and_then(|v| v.as_str())
        .unwrap_or("-")
}

impl TableRow for AuditEntry {
    const COLUMNS: &'static [Column] = &[
        time_col("TIME"),
        col("USER", 10, 2),
        col("ACTION", 10, 2),
        col("RESOURCE", 10, 2),
        col("STAGE", 8, 1),
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
            3 => opt(&self.resource_id),
            4 => Cow::Borrowed(audit_stage(self)),
            5 => Cow::Borrowed(&self.status),
            _ => Cow::Borrowed(""),
        }
    }
    fn sanitize(&mut self) {
        for f in [&mut self.id, &mut self.action, &mut self.status] {
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
            .unwrap_or_else(|| "-".into());
        vec![
            ("id", text(&self.id)),
            ("time", long_time(&self.timestamp)),
            ("user", opt(&self.user_email).into_owned()),
            ("action", text(&self.action)),
            ("resource type", opt(&self.resource_type).into_owned()),
            ("resource", opt(&self.resource_id).into_owned()),
            ("stage", audit_stage(self).to_string()),
            ("status", text(&self.status)),
            ("details", details),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
