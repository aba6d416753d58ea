//! The Gateways view: the gateways serving the active stage (an admin list).

use std::borrow::Cow;

use super::{Resource, Spec, ViewKind};
use crate::api::{ApiError, Client};
use crate::app::localize::label;
use crate::app::rows::{
    Column, TableRow, clean, clean_opt, col, long_time, opt, raw, short_time, text, time_col,
};
use crate::domain::{Pipeline, StageName};
use crate::wire::Gateway;

pub const SPEC: Spec = Spec::of::<Gateway>("gateways", "Gateways", "Gateway", "Gateways");

impl Resource for Gateway {
    const KIND: ViewKind = ViewKind::Gateways;

    async fn fetch(client: &Client, stage: Option<&StageName>) -> Result<Vec<Gateway>, ApiError> {
        client
            .gateways(stage)
            .await
            .map_err(crate::api::prepare::admin_list("gateways"))
    }

    fn localize(items: &mut Vec<Gateway>, pipeline: &Pipeline, _active: Option<&StageName>) {
        for g in items {
            g.environment = label(pipeline, &g.environment);
        }
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
