//! The APIs view: the tenant's catalog entries that run in the active stage.

use std::borrow::Cow;

use super::{Resource, Spec, ViewKind, need_stage};
use crate::api::{ApiError, Client};
use crate::app::rows::{
    Column, TableRow, clean, clean_opt, col, long_time, opt, raw, short_time, text, time_col,
};
use crate::domain::{Pipeline, StageName};
use crate::wire::Api;

pub const SPEC: Spec = Spec::of::<Api>("apis", "APIs", "API", "APIs");

/// A detail kept for the key handling (the raw stage names an API write reaches), not shown.
pub const INTERNAL_STAGES: &str = "_stages";

impl Resource for Api {
    const KIND: ViewKind = ViewKind::Apis;

    async fn fetch(client: &Client, stage: Option<&StageName>) -> Result<Vec<Api>, ApiError> {
        client.apis(need_stage(stage)?).await
    }

    /// "runs in" names the stages by their labels.
    fn localize(items: &mut Vec<Api>, pipeline: &Pipeline, _active: Option<&StageName>) {
        for api in items {
            let names = api.stage_names();
            let stages = crate::domain::policy::stages_named(pipeline, &names);
            api.stage_labels = stages
                .iter()
                .map(|s| s.label.as_str())
                .collect::<Vec<_>>()
                .join(", ");
        }
    }
}

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
