//! Promotions in `update`: the keys (p, a, c, R, f, t, Enter), the create form's and the
//! confirmation's Enter. Every write asks the domain policy first and names its target in a
//! confirmation. Replies and polling are in `promo::replies`.

use crate::app::effect::Effect;
use crate::app::keymap::Command;
use crate::app::promo::io::{PromoEffect, wire_name};
use crate::app::promo::{PromoteForm, Review, decide_on, filtered, next_target, target_of};
use crate::app::rows::TableRow;
use crate::app::state::{Popup, State, ViewKind};
use crate::app::write::{Pending, Write};
use crate::domain::{Decision, Operation, PromotionStatus, StageName};
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

/// Sanitises every promotion once, recomputes the health and rebuilds the list for the
/// current filter.
pub fn set_all(state: &mut State, mut all: Vec<Promotion>) {
    for p in &mut all {
        p.source_label = crate::app::localize::label(&state.pipeline, &p.source_environment);
        p.target_label = crate::app::localize::label(&state.pipeline, &p.target_environment);
        p.sanitize();
    }
    state.promo.all = all;
    super::recompute_health(state);
    rebuild_list(state);
    crate::app::pipeline_view::rebuild(state);
}

fn rebuild_list(state: &mut State) {
    let items = filtered(state, &state.promo.all);
    let height = state.table_height();
    let list = &mut state.lists[ViewKind::Promotions];
    list.set_items(items, &mut state.filterer);
    list.scroll_into_view(height);
}

fn selected_promotion(state: &State) -> Option<Promotion> {
    let id = state.lists[ViewKind::Promotions]
        .selected_row()?
        .id()
        .to_string();
    state.promo.all.iter().find(|p| p.id == id).cloned()
}

/// The API's name where the APIs list knows it, else its id.
pub(super) fn api_name(state: &State, api_id: &str) -> String {
    state.lists[ViewKind::Apis]
        .rows
        .iter()
        .find(|r| r.id() == api_id)
        .map(|r| r.cell(0).to_string())
        .unwrap_or_else(|| api_id.to_string())
}

/// Whether a promotion key can act now, and why not (the footer dims it with the reason).
pub fn availability(state: &State, command: Command) -> Option<Result<(), String>> {
    if state.view == ViewKind::Pipeline {
        return crate::app::pipeline_view::availability(state, command);
    }
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
    // A short reason: the footer lists every dimmed key's.
    if let Some(needed) = op.required_status()
        && PromotionStatus::parse(&p.status) != Some(needed)
    {
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
            let id = p.id.clone();
            let write = if command == Command::Complete {
                Write::Complete { id }
            } else {
                Write::Rollback {
                    id,
                    message: String::new(),
                }
            };
            ask_step(state, &p, write);
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
        ViewKind::Apis => state.lists[ViewKind::Apis]
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
    prepare(state, api_id, api_name, source, target)
}

/// Asks for what the create form needs to promote `api_id` from `source` into `target`.
pub fn prepare(
    state: &mut State,
    api_id: String,
    api_name: String,
    source: StageName,
    target: StageName,
) -> Vec<Effect> {
    state.set_status(format!("preparing the promotion of {api_name}…"), false);
    let stamp = state.stamp();
    vec![Effect::Promo(PromoEffect::Prepare {
        api_id,
        api_name,
        source,
        target,
        stamp,
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
    let write = Write::Approve {
        id: p.id.clone(),
        reviewed_spec_hash: hash,
    };
    ask_step(state, p, write);
}

/// A step of promotion `p` (approve, complete, roll back): it lands in `p`'s target.
pub fn ask_step(state: &mut State, p: &Promotion, write: Write) {
    let Some(lands_in) = state
        .pipeline
        .find(&p.target_environment)
        .map(|s| s.name.clone())
    else {
        let target = crate::domain::text::sanitize(&p.target_environment).into_owned();
        state.set_status(
            format!("unknown target stage {target:?}: nothing was sent"),
            true,
        );
        return;
    };
    let source = state
        .pipeline
        .find(&p.source_environment)
        .map(|s| s.name.clone());
    let pending = Pending {
        write,
        api: api_name(state, &p.api_id),
        lands_in: lands_in.clone(),
        source,
        reaches: vec![lands_in],
        stamp: state.stamp(),
        typed: None,
    };
    crate::app::write::ask(state, pending);
}

/// Enter on a promotion: its detail and diff (fetched; shown when they arrive).
pub fn open_review(state: &mut State) -> Vec<Effect> {
    let Some(p) = selected_promotion(state) else {
        state.set_status("nothing selected", false);
        return Vec::new();
    };
    open_review_of(state, p)
}

/// The review of promotion `p`: its detail and diff (fetched; shown when they arrive).
pub fn open_review_of(state: &mut State, p: Promotion) -> Vec<Effect> {
    let id = p.id.clone();
    // A promotion already promoting is watched live from here on.
    if p.status == PromotionStatus::Promoting.as_str() && !state.promo.polling.contains_key(&id) {
        let target = target_of(state, &p, &api_name(state, &p.api_id));
        crate::app::promo::replies::watch(state, id.clone(), target);
    }
    state.popup = Some(Popup::Review(Box::new(Review {
        promotion: p,
        data: None,
        lines: Vec::new(),
        scroll: 0,
        preflight: None,
        error: None,
    })));
    let stamp = state.stamp();
    vec![Effect::Promo(PromoEffect::Review { id, stamp })]
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
    let Some(source) = d.lanes.get(form.source).map(|l| &l.source) else {
        return;
    };
    let targets = d.targets(form.source);
    let chosen: Vec<&crate::wire::Gateway> = targets
        .iter()
        .zip(&form.chosen)
        .filter(|(_, c)| **c)
        .map(|(g, _)| g)
        .collect();
    let write = Write::RequestPromotion {
        api_id: d.api_id.clone(),
        gateways: chosen.iter().map(|g| g.name.clone()).collect(),
        body: PromotionCreate {
            source_deployment_id: source.id.clone(),
            target_gateway_ids: chosen.iter().map(|g| g.id.clone()).collect(),
            source_environment: wire_name(&d.source),
            target_environment: wire_name(&d.target),
            message,
        },
    };
    let pending = Pending {
        write,
        api: d.api_name.clone(),
        lands_in: d.target.clone(),
        source: Some(d.source.clone()),
        reaches: vec![d.target.clone()],
        stamp: form.stamp.clone(),
        typed: None,
    };
    crate::app::write::ask(state, pending);
}
