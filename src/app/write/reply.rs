//! What came back from a write: announced on the status line with the equivalent command
//! (and logged), then the lists refreshed and a promoting promotion watched.

use super::{Pending, Write, label};
use crate::api::completion;
use crate::app::effect::Effect;
use crate::app::failure::Failure;
use crate::app::replies::note_failure;
use crate::app::rows::TableRow;
use crate::app::state::{State, ViewKind};
use crate::domain::PromotionStatus;
use crate::wire::Promotion;

/// What a write returned.
#[derive(Debug)]
pub enum Sent {
    Api,
    Promotion(Box<Promotion>),
}

pub fn on_written(
    state: &mut State,
    pending: Pending,
    result: Result<Sent, Failure>,
) -> Vec<Effect> {
    let sent = match result {
        Ok(sent) => sent,
        Err(e) if matches!(pending.write, Write::Complete { .. }) && e.refusal.is_some() => {
            return on_complete_refused(state, &pending, &e);
        }
        Err(e) => {
            note_failure(state, &e, "the write failed");
            if !e.is_offline() {
                let verb = pending.operation().verb();
                state.set_status(format!("{verb} {}: {e}", pending.api), true);
            }
            tracing::warn!(operation = pending.operation().verb(), api = %pending.api, error = %e, "write refused");
            return Vec::new();
        }
    };
    let command = super::command::equivalent(&pending);
    tracing::info!(%command, "write done");
    let (text, error) = match &sent {
        Sent::Api => (api_done(state, &pending), false),
        Sent::Promotion(p) => promotion_done(state, &pending, p),
    };
    state.set_status(format!("{text} · {command}"), error);
    let mut effects = Vec::new();
    if let Sent::Promotion(p) = sent {
        follow(state, &pending, p, &command);
        effects.extend(crate::app::update::fetch_after_promotion(state));
    }
    // A reply for a stage the operator left changes nothing on screen but the status line.
    if pending.stamp.generation == state.generation
        && matches!(state.view, ViewKind::Apis | ViewKind::Promotions)
    {
        effects.extend(crate::app::update::fetch_current(state));
    }
    crate::app::update::refresh_soon(state);
    effects
}

fn api_done(state: &State, pending: &Pending) -> String {
    let stage = label(state, &pending.lands_in);
    let api = &pending.api;
    match pending.write {
        Write::CreateApi { .. } => format!("created API {api} in {stage}"),
        Write::DeleteApi { .. } => format!("deleted API {api} from {stage}"),
        _ => format!("saved API {api} in {stage}"),
    }
}

fn chain(state: &State, pending: &Pending) -> String {
    let source = pending.source.as_ref().map(|s| label(state, s));
    let target = label(state, &pending.lands_in);
    match source {
        Some(source) => format!("{} {source} → {target}", pending.api),
        None => format!("{} → {target}", pending.api),
    }
}

fn promotion_done(state: &State, pending: &Pending, p: &Promotion) -> (String, bool) {
    let chain = chain(state, pending);
    let id = crate::domain::diff::short_id(&p.id);
    match pending.write {
        Write::RequestPromotion { .. } => (format!("promotion {id} requested: {chain}"), false),
        Write::Approve { .. } => (format!("approved {chain}: {}", p.status), false),
        Write::Rollback { .. } => {
            // Which the control plane does: the real one starts the reverse promotion
            // promoting; envdeck's makes one into a guarded stage wait for a second person.
            let next = match PromotionStatus::parse(&p.status) {
                Some(PromotionStatus::Pending) => "waits for approval by someone else".to_string(),
                Some(PromotionStatus::Promoting) => {
                    "is promoting: its gateways complete it".to_string()
                }
                _ => format!("is {}", p.status),
            };
            (
                format!("rolled back {chain}: reverse promotion {id} {next}"),
                false,
            )
        }
        _ => settled(&chain, &p.status),
    }
}

/// "promotion … failed" is an error; any other settled status is news.
pub fn settled(chain: &str, status: &str) -> (String, bool) {
    match PromotionStatus::parse(status) {
        Some(PromotionStatus::Failed) => (format!("promotion {chain} failed"), true),
        _ => (format!("promotion {chain}: {status}"), false),
    }
}

/// A promoting promotion is watched until it settles.
fn follow(state: &mut State, pending: &Pending, mut p: Box<Promotion>, command: &str) {
    p.sanitize();
    if p.status == PromotionStatus::Promoting.as_str() {
        let target = crate::app::promo::target_of(state, &p, &pending.api);
        crate::app::promo::replies::watch(state, p.id.clone(), target);
        if let Some(poll) = state.promo.polling.get_mut(&p.id) {
            poll.command = Some(command.to_string());
        }
    } else {
        state.promo.polling.remove(&p.id);
    }
}

/// The gateways complete promotions on STOA: `c` before they acknowledged waits for them;
/// `c` after is what was wanted.
fn on_complete_refused(state: &mut State, pending: &Pending, e: &Failure) -> Vec<Effect> {
    let chain = chain(state, pending);
    let Some(id) = pending.write.promotion_id().map(str::to_string) else {
        return Vec::new();
    };
    match e.refusal {
        Some(completion::Refusal::AlreadyPromoted) => {
            state.set_status(format!("promotion {chain} is promoted"), false);
            state.promo.polling.remove(&id);
            let mut effects = crate::app::update::fetch_promotions(state);
            effects.extend(crate::app::update::fetch_current(state));
            effects
        }
        _ => {
            state.set_status(
                format!("promotion {chain}: waiting for its gateways to acknowledge"),
                false,
            );
            let target = crate::app::promo::Target {
                id: id.clone(),
                api: pending.api.clone(),
                source: pending
                    .source
                    .as_ref()
                    .map(|s| label(state, s))
                    .unwrap_or_default(),
                target: label(state, &pending.lands_in),
            };
            crate::app::promo::replies::watch(state, id, target);
            Vec::new()
        }
    }
}
