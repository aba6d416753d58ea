//! The Promotions view's rows. The view itself (strip, queue, review, create form, polling)
//! is the promotions feature in `app::promo*`; its list is one store of every promotion.

use std::borrow::Cow;

use super::{Resource, Spec, ViewKind};
use crate::api::{ApiError, Client, PromotionFilter};
use crate::app::rows::{
    Column, TableRow, clean, clean_opt, col, long_time, raw, short_time, text, time_col,
};
use crate::app::state::State;
use crate::domain::StageName;
use crate::domain::diff::short_id;
use crate::wire::Promotion;

pub const SPEC: Spec = Spec::of::<Promotion>("promotions", "Promotions", "Promotion", "Promotions");

impl Resource for Promotion {
    const KIND: ViewKind = ViewKind::Promotions;

    /// Every target: the view filters by stage and status itself (and feeds the strip).
    async fn fetch(
        client: &Client,
        _stage: Option<&StageName>,
    ) -> Result<Vec<Promotion>, ApiError> {
        client.promotions(&PromotionFilter::default()).await
    }

    /// Every promotion: the strip and queue read them all, the list shows the filtered.
    fn store(items: Vec<Promotion>, state: &mut State) {
        crate::app::promo::keys::set_all(state, items);
    }
}

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
