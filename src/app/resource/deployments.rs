//! The Deployments view: what the active stage's gateways were asked to run.

use std::borrow::Cow;

use super::{Resource, Spec, ViewKind, need_stage};
use crate::api::{ApiError, Client};
use crate::app::rows::{
    Column, TableRow, clean, clean_opt, col, long_time, opt, raw, short_time, text, time_col,
};
use crate::domain::StageName;
use crate::wire::Deployment;

pub const SPEC: Spec =
    Spec::of::<Deployment>("deployments", "Deployments", "Deployment", "Deployments");

impl Resource for Deployment {
    const KIND: ViewKind = ViewKind::Deployments;

    async fn fetch(
        client: &Client,
        stage: Option<&StageName>,
    ) -> Result<Vec<Deployment>, ApiError> {
        client.deployments(need_stage(stage)?).await
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
