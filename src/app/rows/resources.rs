//! Rows of the stage-scoped resources: APIs, deployments, gateways, subscriptions.

use std::borrow::Cow;

use super::{
    Column, TableRow, clean, clean_opt, col, long_time, opt, raw, short_time, text, time_col,
};
use crate::wire::{Api, Deployment, Gateway, Subscription};

/// A detail kept for the key handling (the raw stage names an API write reaches), not shown.
pub const INTERNAL_STAGES: &str = "_stages";

impl TableRow for Api {
    const COLUMNS: &'static [Column] = &[
        col("NAME", 12, 3),
        col("DISPLAY NAME", 12, 3),
        col("VERSION", 7, 1),
        col("STATUS", 9, 1),
        col("RUNS IN", 20, 3),
        col("BACKEND", 10, 2),
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
            4 => Cow::Borrowed(if self.stage_labels.is_empty() {
                "-"
            } else {
                &self.stage_labels
            }),
            5 => opt(&self.backend_url),
            6 => short_time(&self.updated_at.or(self.created_at)),
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
            &mut self.stage_labels,
        ] {
            clean(f);
        }
        for r in &mut self.runtime_deployments {
            clean(&mut r.environment);
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
            ("runs in", text(&self.stage_labels)),
            // Raw stage names: what an edit or delete of the shared catalog entry reaches.
            (INTERNAL_STAGES, text(&self.stage_names().join(","))),
            ("backend", raw(&self.backend_url)),
            ("description", raw(&self.description)),
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
            ("deployed by", raw(&self.deployed_by)),
            ("created", long_time(&self.created_at)),
            ("completed", long_time(&self.completed_at)),
            ("spec hash", raw(&self.spec_hash)),
            ("error", raw(&self.error_message)),
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
            ("url", raw(&self.base_url)),
            ("version", raw(&self.version)),
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
        col("STAGE", 10, 1),
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
            4 => Cow::Borrowed(
                self.environment
                    .as_deref()
                    .unwrap_or(crate::app::localize::ALL_STAGES),
            ),
            5 => opt(&self.subscriber_email),
            6 => short_time(&self.expires_at),
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
        clean_opt(&mut self.environment);
        clean_opt(&mut self.subscriber_email);
        clean_opt(&mut self.approved_by);
    }
    fn detail(&self) -> Vec<(&'static str, String)> {
        vec![
            ("id", text(&self.id)),
            ("application", text(&self.application_name)),
            ("api", text(&self.api_name)),
            ("plan", raw(&self.plan_name)),
            ("status", text(&self.status)),
            (
                "stage",
                self.environment
                    .clone()
                    .unwrap_or_else(|| crate::app::localize::ALL_STAGES.to_string()),
            ),
            ("subscriber", raw(&self.subscriber_email)),
            ("approved by", raw(&self.approved_by)),
            ("created", long_time(&self.created_at)),
            ("expires", long_time(&self.expires_at)),
        ]
    }
}
