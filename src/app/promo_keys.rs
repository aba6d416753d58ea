//! Promotions in `update`: the keys (p, a, c, R, f, t, Enter), the replies and the polling.
//! Every write asks the domain policy first and names its target in a confirmation.

use super::effect::Effect;
use super::keymap::Command;
use super::promo::{
    Draft, FormFocus, Poll, Preflight, PromoConfirm, PromoWrite, PromoteForm, Review, ReviewData,
    Target, confirmation, decide_on, filtered, next_target, synced_count, target_of,
};
use super::promo_io::{PromoEffect, PromoReply, wire_name};
use super::rows::TableRow;
use super::state::{Popup, State, ViewKind};
use crate::api::ApiError;
use crate::domain::text::sanitize;
use crate::domain::{Decision, Operation, PromotionStatus};
use crate::wire::{Promotion, PromotionCreate};

pub fn is_promo_command(command: Command) -> bool {
    matches!(
        command,
        Command::Promote
            | Command::Approve
            | Command::Complete
            | Command::Rollback
            | Command::StatusFilter
            | Command::TargetFilter
    )
}

fn clean(s: &mut String) {
    *s = sanitize(s).into_owned();
}

/// Sanitises every promotion once and rebuilds the list for the current filter.
pub fn set_all(state: &mut State, mut all: Vec<Promotion>) {
    for p in &mut all {
        p.sanitize();
    }
    state.waiting = all;
    rebuild_list(state);
}

fn rebuild_list(state: &mut State) {
    let items = filtered(state, &state.waiting);
    let height = state.table_height();
    let list = &mut state.lists.promotions;
    list.set_items(items, &mut state.filterer);
    list.scroll_into_view(height);
}

fn selected_promotion(state: &State) -> Option<Promotion> {
    let id = state.lists.promotions.selected_row()?.id().to_string();
    state.waiting.iter().find(|p| p.id == id).cloned()
}

/// The API's name where the APIs list knows it, else its id.
fn api_name(state: &State, api_id: &str) -> String {
    state
        .lists
        .apis
        .rows
        .iter()
        .find(|r| r.id() == api_id)
        .map(|r| r.cell(0).to_string())
        .unwrap_or_else(|| api_id.to_string())
}

/// Whether a promotion key can act now, and why not (the footer dims it with the reason).
pub fn availability(state: &State, command: Command) -> Option<Result<(), String>> {
    let op = match command {
        Command::Promote => {
            return Some(next_target(state).and_then(|(_, target)| {
                match state.decide_for(Operation::CreatePromotion, target, None) {
                    Decision::Allowed { .. } => Ok(()),
                    Decision::Denied(d) => Err(d.to_string()),
                }
            }));
        }
        Command::Approve => Operation::ApprovePromotion,
        Command::Complete => Operation::CompletePromotion,
        Command::Rollback => Operation::RollbackPromotion,
        _ => return None,
    };
    let p = selected_promotion(state)?;
    let needed = match op {
        Operation::ApprovePromotion => PromotionStatus::Pending,
        Operation::CompletePromotion => PromotionStatus::Promoting,
        _ => PromotionStatus::Promoted,
    };
    // A short reason: the footer lists every dimmed key's.
    if PromotionStatus::parse(&p.status) != Some(needed) {
        return Some(Err(format!("{} only when {needed}", op.verb())));
    }
    Some(decide_on(state, op, &p))
}

pub fn command(state: &mut State, command: Command, label: &str) -> Vec<Effect> {
    if let Some(Err(reason)) = availability(state, command) {
        state.set_status(format!("{label}: {reason}"), true);
        return Vec::new();
    }
    match command {
        Command::Promote => promote(state),
        Command::Approve => approve(state),
        Command::Complete | Command::Rollback => {
            let Some(p) = selected_promotion(state) else {
                state.set_status("nothing selected", false);
                return Vec::new();
            };
            let target = target_of(state, &p, &api_name(state, &p.api_id));
            let write = if command == Command::Complete {
                PromoWrite::Complete { target }
            } else {
                PromoWrite::Rollback {
                    target,
                    message: String::new(),
                }
            };
            state.popup = Some(Popup::PromoConfirm(Box::new(confirmation(state, write))));
            Vec::new()
        }
        Command::StatusFilter => {
            let all = PromotionStatus::ALL;
            let f = &mut state.promo.filter;
            f.status = match f.status {
                None => Some(all[0]),
                Some(s) => all
                    .iter()
                    .position(|x| *x == s)
                    .and_then(|i| all.get(i + 1))
                    .copied(),
            };
            let shown = f.status.map(|s| s.as_str()).unwrap_or("any status");
            state.set_status(format!("showing {shown}"), false);
            rebuild_list(state);
            Vec::new()
        }
        Command::TargetFilter => {
            state.promo.filter.any_target = !state.promo.filter.any_target;
            let shown = if state.promo.filter.any_target {
                "into every stage".to_string()
            } else {
                let label = state
                    .active_stage()
                    .map(|s| s.label.clone())
                    .unwrap_or_default();
                format!("into {label}")
            };
            state.set_status(format!("showing promotions {shown}"), false);
            rebuild_list(state);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn promote(state: &mut State) -> Vec<Effect> {
    let picked = match state.view {
        ViewKind::Apis => state
            .lists
            .apis
            .selected_row()
            .map(|r| (r.id().to_string(), r.cell(0).to_string())),
        _ => selected_promotion(state).map(|p| {
            let name = api_name(state, &p.api_id);
            (p.api_id, name)
        }),
    };
    let Some((api_id, api_name)) = picked else {
        state.set_status("promote: select an API first", true);
        return Vec::new();
    };
    let Ok((source, target)) = next_target(state) else {
        return Vec::new();
    };
    let (source, target) = (source.name.clone(), target.name.clone());
    state.set_status(format!("preparing the promotion of {api_name}…"), false);
    vec![Effect::Promo(PromoEffect::Prepare {
        api_id,
        api_name,
        source,
        target,
    })]
}

/// Approving opens the review first; `a` confirms only once the diff has been shown.
fn approve(state: &mut State) -> Vec<Effect> {
    let Some(p) = selected_promotion(state) else {
        state.set_status("nothing selected", false);
        return Vec::new();
    };
    match state.promo.reviewed.get(&p.id).cloned() {
        Some(hash) => {
            ask_approve(state, &p, hash);
            Vec::new()
        }
        None => {
            state.set_status("review the diff first: a approves once it is shown", false);
            open_review(state)
        }
    }
}

fn ask_approve(state: &mut State, p: &Promotion, hash: Option<String>) {
    if let Err(reason) = decide_on(state, Operation::ApprovePromotion, p) {
        state.set_status(format!("approve: {reason}"), true);
        return;
    }
    let write = PromoWrite::Approve {
        target: target_of(state, p, &api_name(state, &p.api_id)),
        reviewed_spec_hash: hash,
    };
    state.popup = Some(Popup::PromoConfirm(Box::new(confirmation(state, write))));
}

/// Enter on a promotion: its detail and diff (fetched; shown when they arrive).
pub fn open_review(state: &mut State) -> Vec<Effect> {
    let Some(p) = selected_promotion(state) else {
        state.set_status("nothing selected", false);
        return Vec::new();
    };
    let id = p.id.clone();
    state.popup = Some(Popup::Review(Box::new(Review {
        promotion: p,
        data: None,
        lines: Vec::new(),
        scroll: 0,
        preflight: None,
        error: None,
    })));
    vec![Effect::Promo(PromoEffect::Review { id })]
}

pub fn on_reply(state: &mut State, reply: PromoReply) -> Vec<Effect> {
    match reply {
        PromoReply::Draft(result) => on_draft(state, result),
        PromoReply::Review { id, result } => {
            on_review(state, &id, result);
            Vec::new()
        }
        PromoReply::Written { write, result } => on_written(state, write, result),
        PromoReply::Polled { id, result } => on_polled(state, &id, result),
    }
}

fn on_draft(state: &mut State, result: Result<Draft, ApiError>) -> Vec<Effect> {
    let mut draft = match result {
        Ok(d) => d,
        Err(e) => {
            super::replies::note_failure(state, &e, "cannot prepare the promotion");
            return Vec::new();
        }
    };
    for d in draft
        .sources
        .iter_mut()
        .chain(&mut draft.target_deployments)
    {
        for f in [
            &mut d.gateway_name,
            &mut d.api_name,
            &mut d.sync_status,
            &mut d.version,
        ] {
            clean(f);
        }
    }
    for g in &mut draft.gateways {
        g.sanitize();
    }
    for p in &mut draft.history {
        p.sanitize();
    }
    let source_label = state.pipeline.get(&draft.source).map(|s| s.label.clone());
    let source_label = source_label.unwrap_or_else(|| draft.source.to_string());
    if draft.sources.is_empty() {
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
        &draft.target_deployments,
        &draft.history,
        None,
    );
    if let Some(why) = preflight.blocks() {
        state.set_status(format!("promote: {why}"), true);
        return Vec::new();
    }
    if draft.gateways.is_empty() {
        state.set_status("promote: the target stage has no gateway", true);
        return Vec::new();
    }
    state.status = None;
    let chosen = vec![true; draft.gateways.len()];
    state.popup = Some(Popup::Promote(Box::new(PromoteForm {
        draft,
        source: 0,
        chosen,
        cursor: 0,
        message: tui_input::Input::default(),
        focus: FormFocus::Message,
        preflight,
        error: None,
    })));
    Vec::new()
}

fn on_review(state: &mut State, id: &str, result: Result<ReviewData, ApiError>) {
    let mut review = match state.popup.take() {
        Some(Popup::Review(review)) if review.promotion.id == id => review,
        other => {
            state.popup = other; // closed before the diff arrived: nothing was shown
            return;
        }
    };
    match result {
        Ok(mut data) => {
            data.promotion.sanitize();
            for p in &mut data.history {
                p.sanitize();
            }
            for d in &mut data.target_deployments {
                for f in [&mut d.gateway_name, &mut d.api_name, &mut d.sync_status] {
                    clean(f);
                }
            }
            let d = &data.diff;
            let mut lines = crate::domain::diff::lines(
                d.target_spec.as_ref(),
                d.source_spec.as_ref(),
                &d.target_environment,
                &d.source_environment,
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
                    &data.target_deployments,
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

fn announce(write: &PromoWrite, p: &Promotion) -> (String, bool) {
    let t = write.target();
    let chain = format!("{} {} → {}", t.api, t.source, t.target);
    match write {
        PromoWrite::Create { .. } => (format!("promotion {} requested: {chain}", p.id), false),
        PromoWrite::Approve { .. } => (format!("approved {chain}: {}", p.status), false),
        PromoWrite::Complete { .. } => settled(&chain, &p.status),
        PromoWrite::Rollback { .. } => (
            format!(
                "rolled back {chain}: reverse promotion {} is {} (c completes it)",
                p.id, p.status
            ),
            false,
        ),
    }
}

fn settled(chain: &str, status: &str) -> (String, bool) {
    match PromotionStatus::parse(status) {
        Some(PromotionStatus::Failed) => (format!("promotion {chain} failed"), true),
        _ => (format!("promotion {chain}: {status}"), false),
    }
}

fn on_written(
    state: &mut State,
    write: PromoWrite,
    result: Result<Promotion, ApiError>,
) -> Vec<Effect> {
    let mut p = match result {
        Ok(p) => p,
        Err(e) => {
            super::replies::note_failure(state, &e, "the promotion write failed");
            if !e.is_offline() {
                let t = write.target();
                state.set_status(format!("{} {}: {e}", write.verb(), t.api), true);
            }
            return Vec::new();
        }
    };
    p.sanitize();
    let (text, error) = announce(&write, &p);
    state.set_status(text, error);
    if p.status == PromotionStatus::Promoting.as_str() {
        let mut target = write.target().clone();
        if matches!(write, PromoWrite::Rollback { .. }) {
            target = target_of(state, &p, &target.api);
        }
        watch(state, p.id.clone(), target);
    } else {
        state.promo.polling.remove(&p.id);
    }
    let mut effects = vec![Effect::FetchWaiting];
    if matches!(state.view, ViewKind::Promotions | ViewKind::Apis) {
        effects.extend(super::update::fetch_current(state));
    }
    effects
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

fn on_polled(
    state: &mut State,
    id: &str,
    result: Result<(Promotion, Vec<crate::wire::GatewayDeployment>), ApiError>,
) -> Vec<Effect> {
    let now = state.now;
    let Some(poll) = state.promo.polling.get_mut(id) else {
        return Vec::new();
    };
    poll.in_flight = false;
    let (p, deployments) = match result {
        Ok(r) => r,
        Err(e) => {
            if e.status() == Some(404) {
                state.promo.polling.remove(id);
            } else {
                poll.delay_secs = (poll.delay_secs * 2).min(super::promo::POLL_MAX_SECS);
                poll.due =
                    crate::wire::Timestamp(now.0 + chrono::Duration::seconds(poll.delay_secs));
            }
            return Vec::new();
        }
    };
    let (synced, all) = synced_count(&deployments, &p.api_id);
    poll.synced = Some((synced, all));
    let chain = format!(
        "{} {} → {}",
        poll.target.api, poll.target.source, poll.target.target
    );
    let status = sanitize(&p.status).into_owned();
    if status == PromotionStatus::Promoting.as_str() {
        poll.delay_secs = (poll.delay_secs * 2).min(super::promo::POLL_MAX_SECS);
        poll.due = crate::wire::Timestamp(now.0 + chrono::Duration::seconds(poll.delay_secs));
        state.set_status(
            format!("promotion {chain} promoting: gateways synced {synced}/{all}"),
            false,
        );
        return Vec::new();
    }
    state.promo.polling.remove(id);
    let (text, error) = settled(&chain, &status);
    state.set_status(format!("{text} (gateways synced {synced}/{all})"), error);
    vec![Effect::FetchWaiting]
}

/// The create form's Enter: message and gateways checked, then the confirmation.
pub fn submit_form(state: &mut State, mut form: Box<PromoteForm>) {
    let message = form.message.value().to_string();
    let problem = if let Err(e) = crate::domain::validate_message(&message) {
        Some(e.to_string())
    } else if !form.chosen.iter().any(|c| *c) {
        Some("choose at least one target gateway (space toggles)".to_string())
    } else {
        form.preflight.blocks()
    };
    if let Some(problem) = problem {
        form.error = Some(problem);
        state.popup = Some(Popup::Promote(form));
        return;
    }
    let d = &form.draft;
    let Some(source) = d.sources.get(form.source) else {
        return;
    };
    let label = |name| {
        state
            .pipeline
            .get(name)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| name.to_string())
    };
    let write = PromoWrite::Create {
        api_id: d.api_id.clone(),
        target: Target {
            id: String::new(),
            api: d.api_name.clone(),
            source: label(&d.source),
            target: label(&d.target),
        },
        body: PromotionCreate {
            source_deployment_id: source.id.clone(),
            target_gateway_ids: d
                .gateways
                .iter()
                .zip(&form.chosen)
                .filter(|(_, c)| **c)
                .map(|(g, _)| g.id.clone())
                .collect(),
            source_environment: wire_name(&d.source),
            target_environment: wire_name(&d.target),
            message,
        },
    };
    state.popup = Some(Popup::PromoConfirm(Box::new(confirmation(state, write))));
}

/// The confirmation's Enter: typed name and message checked, the policy asked again.
pub fn confirm(state: &mut State, mut c: Box<PromoConfirm>) -> Vec<Effect> {
    if let Some((expected, input)) = &c.typed
        && input.value().trim() != expected.as_str()
    {
        c.error = Some(format!("type {expected} to confirm"));
        state.popup = Some(Popup::PromoConfirm(c));
        return Vec::new();
    }
    if let Some(input) = &c.message {
        let message = input.value().to_string();
        if let Err(e) = crate::domain::validate_message(&message) {
            c.error = Some(e.to_string());
            state.popup = Some(Popup::PromoConfirm(c));
            return Vec::new();
        }
        if let PromoWrite::Rollback { message: m, .. } = &mut c.write {
            *m = message;
        }
    }
    let write = c.write;
    let recheck = match &write {
        PromoWrite::Create { .. } => next_target(state).and_then(|(_, target)| {
            match state.decide_for(Operation::CreatePromotion, target, None) {
                Decision::Allowed { .. } => Ok(()),
                Decision::Denied(d) => Err(d.to_string()),
            }
        }),
        other => match state.waiting.iter().find(|p| p.id == other.target().id) {
            Some(p) => decide_on(state, other.operation(), p),
            None => Ok(()), // the server still checks
        },
    };
    if let Err(reason) = recheck {
        state.set_status(format!("nothing was sent: {reason}"), true);
        return Vec::new();
    }
    state.set_status("sending…", false);
    vec![Effect::Promo(PromoEffect::Write(write))]
}
