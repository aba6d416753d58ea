//! The Audit view: the tenant's audit trail, the entries about the active stage.

use std::borrow::Cow;

use super::{Resource, Spec, ViewKind};
use crate::api::{ApiError, Client};
use crate::app::list::SortKey;
use crate::app::localize::{ALL_STAGES, label, touches};
use crate::app::rows::{
    Column, TableRow, clean, clean_opt, col, long_time, opt, raw, short_time, text, time_col,
};
use crate::domain::diff::short_id;
use crate::domain::text::sanitize;
use crate::domain::{Pipeline, StageName};
use crate::wire::AuditEntry;

pub const SPEC: Spec = Spec::of::<AuditEntry>("audit", "Audit", "Audit entry", "audit entries");

impl Resource for AuditEntry {
    const KIND: ViewKind = ViewKind::Audit;
    /// The audit log reads newest first.
    const SORT: Option<SortKey> = Some(SortKey {
        column: 0,
        descending: true,
    });

    async fn fetch(
        client: &Client,
        _stage: Option<&StageName>,
    ) -> Result<Vec<AuditEntry>, ApiError> {
        client.audit(None).await
    }

    /// The active stage's trail (promotion events belong to their source and target
    /// stages; entries about no stage to every stage), stages by their labels.
    fn localize(items: &mut Vec<AuditEntry>, pipeline: &Pipeline, active: Option<&StageName>) {
        items.retain(|e| touches(pipeline, &e.stage_names(), active));
        for e in items {
            let labels: Vec<String> = e
                .stage_names()
                .iter()
                .map(|raw| label(pipeline, raw))
                .collect();
            e.stage_labels = labels.join(" → ");
        }
    }
}

/// The stages an audit entry is about: their labels once the console has put them in,
/// else the raw names from the details.
fn audit_stage(entry: &AuditEntry) -> Cow<'_, str> {
    if !entry.stage_labels.is_empty() {
        return Cow::Borrowed(&entry.stage_labels);
    }
    match entry.stage_names().as_slice() {
        [] => Cow::Borrowed(ALL_STAGES),
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
