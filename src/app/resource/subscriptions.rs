//! The Subscriptions view: who may call which API in the active stage.

use std::borrow::Cow;

use super::{Resource, Spec, ViewKind, need_stage};
use crate::api::{ApiError, Client};
use crate::app::localize::{ALL_STAGES, label};
use crate::app::rows::{
    Column, TableRow, clean, clean_opt, col, long_time, opt, raw, short_time, text, time_col,
};
use crate::domain::{Pipeline, StageName};
use crate::wire::Subscription;

pub const SPEC: Spec = Spec::of::<Subscription>(
    "subscriptions",
    "Subscriptions",
    "Subscription",
    "Subscriptions",
);

impl Resource for Subscription {
    const KIND: ViewKind = ViewKind::Subscriptions;

    async fn fetch(
        client: &Client,
        stage: Option<&StageName>,
    ) -> Result<Vec<Subscription>, ApiError> {
        client.subscriptions(need_stage(stage)?).await
    }

    /// A subscription the server stored without a stage applies to all of them.
    fn localize(items: &mut Vec<Subscription>, pipeline: &Pipeline, _active: Option<&StageName>) {
        for s in items {
            s.environment = Some(match s.environment.as_deref() {
                Some(raw) => label(pipeline, raw),
                None => ALL_STAGES.to_string(),
            });
        }
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
