//! Promotion replies in `update`: the create form's data, the review's diff, the writes'
//! outcomes (announced on the status line) and the live polling with back-off.

use crate::app::action::Stamp;
use crate::app::effect::Effect;
use crate::app::failure::Failure;
use crate::app::promo::io::{Polled, PromoEffect, PromoReply};
use crate::app::promo::{Draft, FormFocus, Poll, Preflight, PromoteForm, ReviewData, Target};
use crate::app::rows::TableRow;
use crate::app::state::{Popup, State};
use crate::domain::PromotionStatus;
use crate::domain::text::sanitize;

fn clean(s: &mut String) {
    *s = sanitize(s).into_owned();
}

fn clean_deployment(d: &mut crate::wire::GatewayDeployment) {
    crate::domain::text::sanitize_json(&mut d.desired_state);
    for f in [
        &mut d.gateway_name,
        &mut d.gateway_display_name,
        &mut d.gateway_environment,
        &mut d.sync_error,
    ]
    .into_iter()
    .flatten()
    {
        clean(f);
    }
    clean(&mut d.sync_status);
    clean(&mut d.gateway_instance_id);
    clean(&mut d.id);
}

pub fn on_reply(state: &mut State, reply: PromoReply) -> Vec<Effect> {
    match reply {
        // A draft or a diff asked for under a stage the operator has left is stale.
        PromoReply::Draft { stamp, .. } | PromoReply::Review { stamp, .. }
            if stamp.generation != state.generation =>
        {
            tracing::debug!("dropping a promotion reply for a stage no longer active");
            Vec::new()
        }
        PromoReply::Draft { stamp, result } => on_draft(state, stamp, result),
        PromoReply::Review { id, result, .. } => {
            on_review(state, &id, result);
            Vec::new()
        }
        PromoReply::Polled { id, result } => on_polled(state, &id, result),
    }
}

fn on_draft(state: &mut State, stamp: Stamp, result: Result<Box<Draft>, Failure>) -> Vec<Effect> {
    let mut draft = match result {
        Ok(d) => *d,
        Err(e) => {
            crate::app::replies::note_failure(state, &e, "cannot prepare the promotion");
            return Vec::new();
        }
    };
    for lane in &mut draft.lanes {
        clean_deployment(&mut lane.source);
        for g in lane.targets.iter_mut().chain(&mut lane.source_gateway) {
            g.sanitize();
        }
    }
    for d in &mut draft.target_deployments {
        clean_deployment(d);
    }
    for p in &mut draft.history {
        p.sanitize();
    }
    let source_label = state.pipeline.get(&draft.source).map(|s| s.label.clone());
    let source_label = source_label.unwrap_or_else(|| draft.source.to_string());
    if draft.lanes.is_empty() {
        let why = format!(
            "promote: {} has no synced deployment in {source_label}",
            draft.api_name
        );
        state.set_status(why, true);
        return Vec::new();
    }
    let preflight = Preflight::compute(
        state,
        &draft.api_id,
        &draft.source,
        &draft.target,
        Ok(&draft.target_deployments),
        &draft.history,
        None,
    );
    if let Some(why) = preflight.blocks() {
        state.set_status(format!("promote: {why}"), true);
        return Vec::new();
    }
    let target_label = state.pipeline.get(&draft.target).map(|s| s.label.clone());
    let target_label = target_label.unwrap_or_else(|| draft.target.to_string());
    if let Some(why) = draft
        .lanes
        .first()
        .and_then(|lane| crate::api::plan::lane_problem(lane, &target_label))
    {
        state.set_status(format!("promote: {why}"), true);
        return Vec::new();
    }
    state.status = None;
    let chosen = crate::api::prepare::default_choice(draft.targets(0), &state.tenant);
    state.popup = Some(Popup::Promote(Box::new(PromoteForm {
        draft,
        source: 0,
        chosen,
        cursor: 0,
        message: tui_input::Input::default(),
        focus: FormFocus::Message,
        preflight,
        error: None,
        stamp,
    })));
    Vec::new()
}

fn on_review(state: &mut State, id: &str, result: Result<Box<ReviewData>, Failure>) {
    let mut review = match state.popup.take() {
        Some(Popup::Review(review)) if review.promotion.id == id => review,
        other => {
            state.popup = other; // closed before the diff arrived: nothing was shown
            return;
        }
    };
    match result {
        Ok(data) => {
            let mut data = *data;
            data.promotion.sanitize();
            for p in &mut data.history {
                p.sanitize();
            }
            for d in &mut data.target_deployments {
                clean_deployment(d);
            }
            let d = &data.diff;
            let label = |raw: &str| crate::app::localize::label(&state.pipeline, raw);
            let mut lines = crate::domain::diff::lines(
                d.target_spec.as_ref(),
                d.source_spec.as_ref(),
                &label(&d.target_environment),
                &label(&d.source_environment),
            );
            for l in &mut lines {
                clean(&mut l.text);
            }
            let p = &data.promotion;
            let stage = |raw: &str| state.pipeline.find(raw).map(|s| s.name.clone());
            let preflight = match (stage(&p.source_environment), stage(&p.target_environment)) {
                (Some(source), Some(target)) => Some(Preflight::compute(
                    state,
                    &p.api_id,
                    &source,
                    &target,
                    match data.target_unknown.as_deref() {
                        Some(why) => Err(why),
                        None => Ok(&data.target_deployments),
                    },
                    &data.history,
                    Some(&p.id),
                )),
                _ => None,
            };
            let hash = data.diff.reviewed_spec_hash.clone();
            review.promotion = data.promotion.clone();
            review.lines = lines;
            review.preflight = preflight;
            review.data = Some(data);
            state.promo.reviewed.insert(id.to_string(), hash);
        }
        Err(e) => review.error = Some(sanitize(&e.to_string()).into_owned()),
    }
    state.popup = Some(Popup::Review(review));
}

/// Starts polling a promoting promotion (at once, then backing off).
pub fn watch(state: &mut State, id: String, target: Target) {
    let now = state.now;
    state.promo.polling.insert(
        id,
        Poll {
            target,
            due: now,
            delay_secs: 1,
            synced: None,
            in_flight: false,
            unchanged: 0,
            command: None,
        },
    );
}

/// On every tick: polls whatever is due.
pub fn on_tick(state: &mut State) -> Vec<Effect> {
    let now = state.now;
    state
        .promo
        .polling
        .iter_mut()
        .filter(|(_, poll)| !poll.in_flight && poll.due.0 <= now.0)
        .map(|(id, poll)| {
            poll.in_flight = true;
            Effect::Promo(PromoEffect::Poll { id: id.clone() })
        })
        .collect()
}

fn on_polled(state: &mut State, id: &str, result: Result<Polled, Failure>) -> Vec<Effect> {
    let now = state.now;
    let Some(poll) = state.promo.polling.get_mut(id) else {
        return Vec::new();
    };
    poll.in_flight = false;
    let backoff = |poll: &mut crate::app::promo::Poll| {
        poll.delay_secs = (poll.delay_secs * 2).min(crate::app::promo::POLL_MAX_SECS);
        poll.due = crate::wire::Timestamp(now.0 + chrono::Duration::seconds(poll.delay_secs));
    };
    let Polled {
        promotion: p,
        deployments,
    } = match result {
        Ok(r) => r,
        Err(e) => {
            if e.status() == Some(404) {
                state.promo.polling.remove(id);
            } else {
                backoff(poll);
            }
            return Vec::new();
        }
    };
    let synced = deployments
        .as_deref()
        .and_then(|d| crate::api::completion::progress(&p, d));
    let chain = format!(
        "{} {} → {}",
        poll.target.api, poll.target.source, poll.target.target
    );
    let status = sanitize(&p.status).into_owned();
    // The write that started the watch stays scriptable while its outcome is told.
    let command = poll
        .command
        .as_ref()
        .map(|c| format!(" · {c}"))
        .unwrap_or_default();
    let progress = match synced {
        Some((m, n)) => format!("gateways synced {m}/{n}"),
        None => "waiting for its gateways to acknowledge".to_string(),
    };
    if status == PromotionStatus::Promoting.as_str() {
        let at_longest = poll.delay_secs >= crate::app::promo::POLL_MAX_SECS;
        poll.unchanged = if poll.synced == synced && at_longest {
            poll.unchanged + 1
        } else {
            0
        };
        poll.synced = synced;
        backoff(poll);
        let waiting_for_nothing = p.target_gateway_ids.as_deref().is_none_or(<[_]>::is_empty);
        if poll.unchanged >= crate::app::promo::POLL_PATIENCE {
            state.promo.polling.remove(id);
            let why = if waiting_for_nothing {
                "no gateway is linked to it, so nothing here completes it"
            } else {
                "its gateways have not acknowledged"
            };
            state.set_status(
                format!(
                    "promotion {chain} still waiting ({progress}): {why}; r refreshes{command}"
                ),
                false,
            );
        } else {
            state.set_status(
                format!("promotion {chain} promoting: {progress}{command}"),
                false,
            );
        }
        return Vec::new();
    }
    state.promo.polling.remove(id);
    let (mut text, error) = crate::app::write::reply::settled(&chain, &status);
    if status == PromotionStatus::Failed.as_str() {
        let reason =
            crate::api::completion::failure_reason(&p, deployments.as_deref().unwrap_or_default());
        text = format!("{text}: {}", sanitize(&reason));
    } else if synced.is_some() {
        text = format!("{text} ({progress})");
    }
    state.set_status(format!("{text}{command}"), error);
    crate::app::update::fetch_after_promotion(state)
}
