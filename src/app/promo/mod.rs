//! The Promotions feature: what the review, create form, confirmations and live polling
//! hold, and the pure checks behind them (pre-flight, why a key is unavailable).

pub mod io;
pub mod keys;
pub mod popups;
pub mod replies;

use std::collections::{BTreeMap, HashMap};

use tui_input::Input;

use crate::api::plan::Lane;
use crate::app::state::State;
use crate::domain::diff::DiffLine;
use crate::domain::matrix::health::{Health, health};
use crate::domain::policy::PromotionFacts;
use crate::domain::{Decision, Operation, PromotionStatus, Stage, StageName, validate_chain};
use crate::wire::{Gateway, GatewayDeployment, Promotion, PromotionDiff, Timestamp};

/// Polling a promoting promotion backs off up to this many seconds between requests.
pub const POLL_MAX_SECS: i64 = 16;

/// Gateway deployments in these states make a target unhealthy (shown, not blocking).
const UNHEALTHY: [&str; 2] = ["drifted", "error"];

/// Which promotions the list shows (the `/` filter narrows further, e.g. by API).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromoFilter {
    pub status: Option<PromotionStatus>,
    /// Promotions into every stage, not only into the active one.
    pub any_target: bool,
}

/// What the server said, gathered for the create form.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub api_id: String,
    pub api_name: String,
    pub source: StageName,
    pub target: StageName,
    /// Each synced deployment of the API in the source stage, with the target gateways it
    /// may go to (those without come last).
    pub lanes: Vec<Lane>,
    /// Every gateway deployment of the target stage (for its health).
    pub target_deployments: Vec<GatewayDeployment>,
    /// Every promotion of the API.
    pub history: Vec<Promotion>,
}

/// What the review shows: the promotion, its diff and the facts for the pre-flight.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewData {
    pub promotion: Promotion,
    pub diff: PromotionDiff,
    pub target_deployments: Vec<GatewayDeployment>,
    /// Why the target's gateway deployments could not be read (this role may not).
    pub target_unknown: Option<String>,
    pub history: Vec<Promotion>,
}

/// The checks beside create and approve. Only `chain` and `open` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preflight {
    pub chain: Result<(), String>,
    /// Another open promotion of the API into the target.
    pub open: Option<String>,
    /// The API's gateway deployments in the target that are drifted or in error.
    pub unhealthy: Vec<String>,
    /// Set when the target's health could not be read: unknown, with the reason.
    pub health_unknown: Option<String>,
    pub last_rollback: Option<String>,
}

impl Preflight {
    pub fn compute(
        state: &State,
        api_id: &str,
        source: &StageName,
        target: &StageName,
        // The target's gateway deployments, or why they cannot be read.
        target_health: Result<&[GatewayDeployment], &str>,
        history: &[Promotion],
        except: Option<&str>,
    ) -> Preflight {
        let target_wire = state.pipeline.get(target);
        let is_target =
            |raw: &str| state.pipeline.find(raw).map(|s| &s.name) == target_wire.map(|s| &s.name);
        let open = history
            .iter()
            .filter(|p| Some(p.id.as_str()) != except && p.api_id == api_id)
            .filter(|p| is_target(&p.target_environment))
            .find(|p| PromotionStatus::parse(&p.status).is_some_and(|s| s.is_open()))
            .map(|p| format!("{} ({})", p.id, p.status));
        let unhealthy = target_health
            .unwrap_or_default()
            .iter()
            .filter(|d| d.is_of_api(api_id, None))
            .filter(|d| UNHEALTHY.contains(&d.sync_status.as_str()))
            .map(|d| format!("{} {}: {}", d.gateway_label(), d.api_name(), d.sync_status))
            .collect();
        let last_rollback = history
            .iter()
            .filter(|p| p.api_id == api_id && p.status == PromotionStatus::RolledBack.as_str())
            .max_by_key(|p| p.updated_at.or(p.created_at).map(|t| t.0))
            .map(|p| {
                let when = p
                    .updated_at
                    .or(p.created_at)
                    .map(|t| t.0.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                format!(
                    "{} {}→{} rolled back {when}",
                    p.id, p.source_environment, p.target_environment
                )
            });
        Preflight {
            // A rollback's reverse promotion runs a valid chain backwards.
            chain: validate_chain(&state.pipeline, source, target)
                .or_else(|e| validate_chain(&state.pipeline, target, source).map_err(|_| e))
                .map_err(|e| e.to_string()),
            open,
            unhealthy,
            health_unknown: target_health.err().map(str::to_string),
            last_rollback,
        }
    }

    pub fn blocks(&self) -> Option<String> {
        if let Err(e) = &self.chain {
            return Some(e.clone());
        }
        self.open
            .as_ref()
            .map(|o| format!("an open promotion exists already: {o}"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormFocus {
    Source,
    Gateways,
    Message,
}

impl Draft {
    /// The target gateways the chosen source may go to.
    pub fn targets(&self, source: usize) -> &[Gateway] {
        self.lanes
            .get(source)
            .map(|l| l.targets.as_slice())
            .unwrap_or_default()
    }
}

/// The create form: source deployment, target gateways (the tenant's own by default), message.
#[derive(Clone, Debug)]
pub struct PromoteForm {
    pub draft: Draft,
    pub source: usize,
    pub chosen: Vec<bool>,
    pub cursor: usize,
    pub message: Input,
    pub focus: FormFocus,
    pub preflight: Preflight,
    pub error: Option<String>,
    /// The stage and generation the draft was asked under.
    pub stamp: crate::app::action::Stamp,
}

/// The review: detail, coloured diff and pre-flight of one promotion.
#[derive(Clone, Debug)]
pub struct Review {
    pub promotion: Promotion,
    /// `None` while the diff is loading.
    pub data: Option<ReviewData>,
    pub lines: Vec<DiffLine>,
    pub scroll: usize,
    pub preflight: Option<Preflight>,
    pub error: Option<String>,
}

/// The names every confirmation and announcement carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub id: String,
    pub api: String,
    pub source: String,
    pub target: String,
}

/// A promoting promotion watched until it settles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poll {
    pub target: Target,
    pub due: Timestamp,
    pub delay_secs: i64,
    /// Gateways of the target running the API: synced / all.
    pub synced: Option<(usize, usize)>,
    pub in_flight: bool,
    /// Polls answered with no change since the last one; polling stops after a few at the
    /// longest delay (a promotion nothing completes is not watched forever).
    pub unchanged: u32,
    /// The equivalent command of the write that started the watch, kept on the status line.
    pub command: Option<String>,
}

/// Polls at the longest delay with nothing changing before the console stops watching.
pub const POLL_PATIENCE: u32 = 4;

#[derive(Clone, Debug, Default)]
pub struct PromoState {
    /// Every promotion of the tenant, sanitised: the one store behind the list, the strip,
    /// the approval queue and the header's "waiting for me".
    pub all: Vec<Promotion>,
    /// Promotion id → the spec hash of the diff the user was shown.
    pub reviewed: HashMap<String, Option<String>>,
    pub polling: BTreeMap<String, Poll>,
    pub filter: PromoFilter,
    /// The pipeline's health from `all` (`domain::matrix::health`), shown above the strip.
    /// Computed in `update` when the store, the pipeline or the UTC day changes, never while
    /// drawing (it is a pass over every promotion). `None` until the promotions are loaded.
    pub health: Option<Health>,
}

/// Recomputes the health from the store (`set_all` calls it whenever `all` is replaced).
pub fn recompute_health(state: &mut State) {
    state.promo.health = Some(health(state.pipeline.stages(), &state.promo.all, state.now));
}

/// After the pipeline changed: its stages are the health's rows.
pub fn on_pipeline_changed(state: &mut State) {
    if state.promo.health.is_some() {
        recompute_health(state);
    }
}

/// On a tick: the health's window ends today (UTC), so a new day moves it.
pub fn on_tick(state: &mut State) {
    if state
        .promo
        .health
        .as_ref()
        .is_some_and(|h| h.today != state.now.0.date_naive())
    {
        recompute_health(state);
    }
}

/// The promotion's target stage and the facts the policy needs.
pub fn decide_on(state: &State, op: Operation, p: &Promotion) -> Result<(), String> {
    let Some(stage) = state.pipeline.find(&p.target_environment) else {
        return Err(format!("unknown target stage {:?}", p.target_environment));
    };
    let status = PromotionStatus::parse(&p.status).unwrap_or(PromotionStatus::Failed);
    let facts = PromotionFacts {
        status,
        requested_by: &p.requested_by,
    };
    match state.decide_for(op, stage, Some(facts)) {
        Decision::Allowed { .. } => Ok(()),
        Decision::Denied(reason) => Err(reason.to_string()),
    }
}

/// The stage a promotion from the active stage goes to, or why there is none.
pub fn next_target(state: &State) -> Result<(&Stage, &Stage), String> {
    let source = state
        .active_stage()
        .ok_or("waiting for the control plane's stages")?;
    let target = state
        .pipeline
        .next(&source.name)
        .ok_or_else(|| format!("{} is the last stage: no next stage", source.label))?;
    Ok((source, target))
}

/// `Target` for a promotion, with stage labels where known.
pub fn target_of(state: &State, p: &Promotion, api: &str) -> Target {
    let label = |raw: &str| {
        state
            .pipeline
            .find(raw)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| raw.to_string())
    };
    Target {
        id: p.id.clone(),
        api: api.to_string(),
        source: label(&p.source_environment),
        target: label(&p.target_environment),
    }
}

/// The promotions the list shows for the current filter.
pub fn filtered(state: &State, all: &[Promotion]) -> Vec<Promotion> {
    let active = state.active.as_ref();
    all.iter()
        .filter(|p| {
            state
                .promo
                .filter
                .status
                .is_none_or(|s| PromotionStatus::parse(&p.status) == Some(s))
        })
        .filter(|p| {
            state.promo.filter.any_target
                || state.pipeline.find(&p.target_environment).map(|s| &s.name) == active
        })
        .cloned()
        .collect()
}

/// Rows of the queue shown above the list (its title plus at most this many entries).
pub const QUEUE_ROWS: usize = 3;
/// The pipeline strip's height.
pub const STRIP_ROWS: usize = 5;

/// Rows the health strip leaves the table at least: the full strip needs this many left
/// below it, the one-line summary [`HEALTH_LINE_KEEP`].
pub const HEALTH_FULL_KEEP: u16 = 8;
pub const HEALTH_LINE_KEEP: u16 = 5;

/// How much of the health the Promotions view draws above its pipeline strip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthFit {
    /// Not loaded yet, a single stage, or no room.
    Hidden,
    /// One line (`ui::pipeline::health_line`): the summary, or "no promotions" when the
    /// window holds none.
    Line,
    /// The whole strip (`ui::pipeline::draw_health`) in this many rows.
    Full(u16),
}

impl HealthFit {
    pub fn rows(self) -> u16 {
        match self {
            HealthFit::Hidden => 0,
            HealthFit::Line => 1,
            HealthFit::Full(rows) => rows,
        }
    }
}

/// Whether the health's window holds nothing to show (a one-liner says so, never a 0%).
fn health_is_empty(h: &Health) -> bool {
    h.lead_samples == 0 && h.stages.iter().all(|s| s.total() == 0)
}

/// What the Promotions view draws above its table, top to bottom: the health, the pipeline
/// strip ([`STRIP_ROWS`]), the queue's title and `queue` entries, the filter line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Above {
    pub health: HealthFit,
    pub queue: usize,
}

impl Above {
    pub fn rows(self) -> usize {
        usize::from(self.health.rows()) + STRIP_ROWS + 1 + self.queue + 1
    }
}

/// The rule for small terminals: the health only takes rows the table can spare. The full
/// strip when the table keeps at least [`HEALTH_FULL_KEEP`] rows below it; else the one-line
/// summary when the table keeps at least [`HEALTH_LINE_KEEP`]; else nothing (the queue and
/// the list come first). At 80x24 that is the one line, or nothing when the banner and a
/// full queue leave the table 5 rows already.
pub fn above(state: &State) -> Above {
    let queue = state.approval_queue().count().clamp(0, QUEUE_ROWS);
    let mut above = Above {
        health: HealthFit::Hidden,
        queue,
    };
    let Some(h) = &state.promo.health else {
        return above;
    };
    if h.stages.is_empty() {
        return above;
    }
    let (width, height) = state.size;
    let without = crate::ui::layout::layout(
        ratatui::layout::Rect::new(0, 0, width, height),
        crate::ui::layout::Facts {
            banner: crate::ui::banner::shown(state),
            above_table: above.rows().min(usize::from(u16::MAX)) as u16,
        },
    )
    .table_rows;
    let theme = crate::ui::theme::Theme::new(state.no_color, state.ascii);
    // Nothing in the window: one line says so, whatever the room.
    let full = (!health_is_empty(h)).then(|| crate::ui::pipeline::health_height(h, width, &theme));
    above.health = match full {
        Some(full) if without >= full.saturating_add(HEALTH_FULL_KEEP) => HealthFit::Full(full),
        _ if without > HEALTH_LINE_KEEP => HealthFit::Line,
        _ => HealthFit::Hidden,
    };
    above
}

/// Rows the Promotions view draws above its table (what `ui::layout` takes off the table).
pub fn header_rows(state: &State) -> usize {
    above(state).rows()
}
