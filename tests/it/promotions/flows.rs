//! The promotion flows through `update`, without a terminal or a server: what is offered,
//! what is asked, and exactly what would be sent.

use crossterm::event::KeyCode;
use envdeck::app::action::Action;
use envdeck::app::promo::FormFocus;
use envdeck::app::promo::io::{PromoEffect, PromoReply};
use envdeck::app::state::Popup;
use envdeck::app::write::reply::Sent;
use envdeck::app::write::{Pending, Write};
use envdeck::app::{Effect, State, update};
use envdeck::wire::Timestamp;

use super::data::*;

/// The confirmation's text, one line after another.
fn prompt(c: &envdeck::app::write::Confirm) -> String {
    c.lines.join("\n")
}

/// Whether the effects refresh the one promotion store.
fn refreshes_promotions(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            Effect::FetchList {
                kind: envdeck::app::state::ViewKind::Promotions,
                ..
            }
        )
    })
}

/// What the console sent for a step of promotion `p`, as the write pipeline holds it.
fn step(state: &State, p: &envdeck::wire::Promotion, write: Write) -> Pending {
    let stage = |raw: &str| state.pipeline.find(raw).map(|s| s.name.clone());
    let lands_in = stage(&p.target_environment).expect("a known stage");
    Pending {
        write,
        api: "payments".into(),
        lands_in: lands_in.clone(),
        source: stage(&p.source_environment),
        reaches: vec![lands_in],
        stamp: state.stamp(),
        typed: None,
    }
}

fn status(state: &State) -> String {
    state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn popup_name(state: &State) -> &'static str {
    match &state.popup {
        None => "none",
        Some(Popup::Review(_)) => "review",
        Some(Popup::Promote(_)) => "promote",
        Some(Popup::Confirm(_)) => "confirm",
        Some(_) => "other",
    }
}

fn press_all(state: &mut State, keys: &str) -> Vec<Effect> {
    typed(state, keys)
}

#[test]
fn approve_is_offered_only_after_the_diff_was_shown() {
    let all = history();
    let mut state = promotions_view("staging", "dora", &["devops"], all.clone());
    select(&mut state, "p-1");
    let effects = update(&mut state, key('a'));
    assert!(
        writes(&effects).is_empty(),
        "nothing sent before the review"
    );
    assert_eq!(popup_name(&state), "review", "a opens the review first");
    assert!(effects.contains(&Effect::Promo(PromoEffect::Review {
        id: "p-1".into(),
        stamp: state.stamp(),
    })));
    assert!(status(&state).contains("review the diff first"));

    // Inside the review, before the diff has arrived: still nothing.
    let effects = update(&mut state, key('a'));
    assert!(writes(&effects).is_empty());
    assert_eq!(popup_name(&state), "review");
    assert!(status(&state).contains("wait for the diff"));

    review_arrives(&mut state, &all[0]);
    assert!(state.promo.reviewed.contains_key("p-1"));
    update(&mut state, key('a'));
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("a confirmation, got {}", popup_name(&state));
    };
    assert!(
        prompt(c).contains("acme") && prompt(c).contains("payments"),
        "{}",
        prompt(c)
    );
    assert!(prompt(c).contains("Development → Staging"), "{}", prompt(c));
    assert!(c.typed.is_none(), "staging is not read-only");
    let effects = update(&mut state, key('y'));
    match writes(&effects).as_slice() {
        [
            Write::Approve {
                id,
                reviewed_spec_hash,
            },
        ] => {
            assert_eq!(id, "p-1");
            assert_eq!(reviewed_spec_hash.as_deref(), Some("sha256:abc123"));
        }
        other => panic!("one approve, got {other:?}"),
    }
}

#[test]
fn a_closed_review_does_not_count_as_reviewed() {
    let all = history();
    let mut state = promotions_view("staging", "dora", &["devops"], all.clone());
    select(&mut state, "p-1");
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, code(KeyCode::Esc));
    review_arrives(&mut state, &all[0]);
    assert!(!state.promo.reviewed.contains_key("p-1"));
    update(&mut state, key('a'));
    assert_eq!(popup_name(&state), "review");
}

#[test]
fn approving_into_production_wants_the_stage_name_typed() {
    let all = history();
    let mut state = promotions_view("production", "dora", &["devops"], all.clone());
    select(&mut state, "p-2");
    update(&mut state, code(KeyCode::Enter));
    review_arrives(&mut state, &all[1]);
    update(&mut state, key('a'));
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("a confirmation");
    };
    assert_eq!(c.typed.as_ref().map(|t| t.0.as_str()), Some("production"));
    assert!(prompt(c).contains("Staging → Production"), "{}", prompt(c));
    // y and Enter do not confirm until the name is typed.
    let mut effects = update(&mut state, key('y'));
    effects.extend(update(&mut state, code(KeyCode::Enter)));
    assert!(writes(&effects).is_empty());
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("still confirming");
    };
    assert!(
        c.error
            .as_deref()
            .is_some_and(|e| e.contains("type production"))
    );
    for _ in 0..3 {
        update(&mut state, code(KeyCode::Backspace));
    }
    press_all(&mut state, "staging");
    assert!(writes(&update(&mut state, code(KeyCode::Enter))).is_empty());
    update(
        &mut state,
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    press_all(&mut state, "production");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(writes(&effects).len(), 1);
}

#[test]
fn four_eyes_refuses_before_sending_and_the_footer_says_why() {
    let all = history();
    let mut state = promotions_view("production", "dave", &["devops"], all.clone());
    select(&mut state, "p-2");
    let effects = update(&mut state, key('a'));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(popup_name(&state), "none");
    assert!(status(&state).contains("four-eyes"), "{}", status(&state));
    let screen = format!("{}", render(&state, 120, 30).backend());
    assert!(screen.contains("you requested this: four-eyes"), "{screen}");
    // Even from an open review with the diff shown.
    update(&mut state, code(KeyCode::Enter));
    review_arrives(&mut state, &all[1]);
    let effects = update(&mut state, key('a'));
    assert!(writes(&effects).is_empty());
    assert!(!matches!(state.popup, Some(Popup::Confirm(_))));
    // The queue holds what dave may approve: tess's, and his own only where four-eyes does
    // not apply (staging); never his own into production.
    let queue: Vec<&str> = state.approval_queue().map(|p| p.id.as_str()).collect();
    assert_eq!(queue, vec!["p-1", "p-3"]);
    assert_eq!(state.waiting_for_me(), 2);
}

#[test]
fn a_viewer_has_no_approve_and_no_promote() {
    let mut state = promotions_view("staging", "vic", &["viewer"], history());
    select(&mut state, "p-1");
    assert!(update(&mut state, key('a')).is_empty());
    assert!(
        status(&state).contains("apis:promote"),
        "{}",
        status(&state)
    );
    assert!(update(&mut state, key('p')).is_empty());
    assert!(status(&state).contains("apis:promote"));
    assert_eq!(state.waiting_for_me(), 0);
}

#[test]
fn rollback_asks_for_a_message_and_complete_for_a_yes() {
    let mut state = promotions_view("staging", "dora", &["devops"], history());
    update(&mut state, key('t')); // every stage
    select(&mut state, "p-4");
    update(&mut state, key('R'));
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("a confirmation");
    };
    assert!(c.message.is_some() && prompt(c).contains("customers"));
    assert!(writes(&update(&mut state, code(KeyCode::Enter))).is_empty());
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("still confirming");
    };
    assert!(
        c.error
            .as_deref()
            .is_some_and(|e| e.contains("message is required"))
    );
    press_all(&mut state, "error rate spike");
    match writes(&update(&mut state, code(KeyCode::Enter))).as_slice() {
        [Write::Rollback { id, message }] => {
            assert_eq!((id.as_str(), message.as_str()), ("p-4", "error rate spike"));
        }
        other => panic!("one rollback, got {other:?}"),
    }

    // Complete: only a promoting promotion; y confirms.
    select(&mut state, "p-1");
    assert!(update(&mut state, key('c')).is_empty());
    assert!(
        status(&state).contains("only when promoting"),
        "{}",
        status(&state)
    );
    select(&mut state, "p-6");
    update(&mut state, key('c'));
    assert_eq!(popup_name(&state), "confirm");
    // p-6 lands in production: completing it wants the stage's name typed, not a y.
    assert!(writes(&update(&mut state, key('y'))).is_empty());
    update(&mut state, code(KeyCode::Backspace));
    press_all(&mut state, "production");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(matches!(
        writes(&effects).as_slice(),
        [Write::Complete { .. }]
    ));
}

#[test]
fn create_explains_why_it_is_not_possible() {
    // No next stage.
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    deliver(&mut state, envdeck::app::action::ListPayload::of(apis()));
    assert!(update(&mut state, key('p')).is_empty());
    assert!(
        status(&state).contains("no next stage"),
        "{}",
        status(&state)
    );

    // No permission.
    let mut state = loaded(three_stages(), Some("dev"), me("vic", &["viewer"]));
    deliver(&mut state, envdeck::app::action::ListPayload::of(apis()));
    assert!(update(&mut state, key('p')).is_empty());
    assert!(status(&state).contains("apis:promote"));

    // No synced source.
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    deliver(&mut state, envdeck::app::action::ListPayload::of(apis()));
    let effects = update(&mut state, key('p'));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Promo(PromoEffect::Prepare { .. })]
    ));
    let mut d = draft("payments", "dev", "staging", Vec::new());
    d.lanes.clear();
    draft_arrives(&mut state, d);
    assert_eq!(popup_name(&state), "none");
    assert!(status(&state).contains("no synced deployment in Development"));

    // An open promotion already.
    let open = vec![promotion(
        "p-9",
        "payments",
        "dev",
        "staging",
        "promoting",
        "tess",
    )];
    draft_arrives(&mut state, draft("payments", "dev", "staging", open));
    assert_eq!(popup_name(&state), "none");
    assert!(
        status(&state).contains("open promotion exists already: p-9"),
        "{}",
        status(&state)
    );
}

#[test]
fn the_create_form_checks_message_and_gateways_and_sends_what_was_chosen() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    deliver(&mut state, envdeck::app::action::ListPayload::of(apis()));
    update(&mut state, key('p'));
    let rolled = vec![promotion(
        "p-0",
        "payments",
        "dev",
        "staging",
        "rolled_back",
        "tess",
    )];
    draft_arrives(&mut state, draft("payments", "dev", "staging", rolled));
    let Some(Popup::Promote(form)) = &state.popup else {
        panic!("the form, got {}", popup_name(&state));
    };
    assert_eq!(form.focus, FormFocus::Message);
    assert_eq!(form.chosen, vec![true, true], "every gateway by default");
    assert!(form.preflight.last_rollback.is_some());
    assert_eq!(
        form.preflight.unhealthy,
        ["edge-stg-2 payments: error"],
        "only the API's own gateway deployments"
    );
    assert!(form.preflight.chain.is_ok() && form.preflight.open.is_none());

    update(&mut state, code(KeyCode::Enter));
    let Some(Popup::Promote(form)) = &state.popup else {
        panic!("still the form");
    };
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("message is required"))
    );
    press_all(&mut state, &"x".repeat(1001));
    update(&mut state, code(KeyCode::Enter));
    let Some(Popup::Promote(form)) = &state.popup else {
        panic!("still the form");
    };
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("1001 characters"))
    );
    update(
        &mut state,
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    press_all(&mut state, "Refunds for everyone");
    // Tab: source, Tab: gateways; space unticks both, Enter refuses.
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, key(' '));
    update(&mut state, code(KeyCode::Down));
    update(&mut state, key(' '));
    update(&mut state, code(KeyCode::Enter));
    let Some(Popup::Promote(form)) = &state.popup else {
        panic!("still the form");
    };
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("at least one"))
    );
    update(&mut state, key(' ')); // edge-stg-2 back on
    update(&mut state, code(KeyCode::Enter));
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("the confirmation, got {}", popup_name(&state));
    };
    assert!(prompt(c).contains("payments") && prompt(c).contains("Development → Staging"));
    match writes(&update(&mut state, key('y'))).as_slice() {
        [Write::RequestPromotion { api_id, body, .. }] => {
            assert_eq!(api_id, "payments");
            assert_eq!(body.message, "Refunds for everyone");
            assert_eq!(body.target_gateway_ids, vec!["gw-stg-2".to_string()]);
            assert_eq!(body.source_deployment_id, "gd-payments-edge-dev-1");
            assert_eq!(
                (
                    body.source_environment.as_str(),
                    body.target_environment.as_str()
                ),
                ("dev", "staging")
            );
        }
        other => panic!("one create, got {other:?}"),
    }
}

fn at_secs(s: i64) -> Timestamp {
    Timestamp(now().0 + chrono::Duration::seconds(s))
}

fn polls(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Promo(PromoEffect::Poll { .. })))
        .count()
}

#[test]
fn polling_backs_off_shows_progress_and_stops_when_settled() {
    let all = history();
    let mut state = promotions_view("staging", "dora", &["devops"], all.clone());
    let mut promoting = all[0].clone();
    promoting.status = "promoting".into();
    promoting.target_gateway_ids = Some(vec!["gw-edge-1".into(), "gw-edge-2".into()]);
    let write = Write::Approve {
        id: all[0].id.clone(),
        reviewed_spec_hash: None,
    };
    let pending = Box::new(step(&state, &all[0], write));
    let effects = update(
        &mut state,
        Action::Written {
            pending,
            result: Ok(Sent::Promotion(Box::new(promoting.clone()))),
        },
    );
    assert!(refreshes_promotions(&effects), "lists refresh");
    assert!(
        status(&state).contains("envdeck promote approve p-1"),
        "the equivalent command: {}",
        status(&state)
    );
    assert!(
        status(&state).contains("approved payments"),
        "{}",
        status(&state)
    );
    assert!(state.promo.polling.contains_key("p-1"));

    assert_eq!(polls(&update(&mut state, Action::Tick(at_secs(0)))), 1);
    assert_eq!(
        polls(&update(&mut state, Action::Tick(at_secs(0)))),
        0,
        "one at a time"
    );
    let deployments = vec![
        gd("payments", "edge-1", "staging", "synced"),
        gd("payments", "edge-2", "staging", "syncing"),
    ];
    let polled = |p: &envdeck::wire::Promotion, d: &Vec<envdeck::wire::GatewayDeployment>| {
        Action::Promo(Box::new(PromoReply::Polled {
            id: "p-1".into(),
            result: Ok(envdeck::app::promo::io::Polled {
                promotion: p.clone(),
                deployments: Some(d.clone()),
            }),
        }))
    };
    update(&mut state, polled(&promoting, &deployments));
    assert!(
        status(&state).contains("gateways synced 1/2")
            && status(&state).contains("envdeck promote approve p-1"),
        "progress, and the command stays scriptable: {}",
        status(&state)
    );
    assert_eq!(
        polls(&update(&mut state, Action::Tick(at_secs(1)))),
        0,
        "backed off"
    );
    assert_eq!(polls(&update(&mut state, Action::Tick(at_secs(2)))), 1);
    update(&mut state, polled(&promoting, &deployments));
    assert_eq!(
        polls(&update(&mut state, Action::Tick(at_secs(5)))),
        0,
        "backed off more"
    );
    assert_eq!(polls(&update(&mut state, Action::Tick(at_secs(7)))), 1);
    let screen = format!("{}", render(&state, 120, 30).backend());
    assert!(screen.contains("1/2 synced"), "{screen}");

    let mut failed = promoting.clone();
    failed.status = "failed".into();
    let effects = update(&mut state, polled(&failed, &deployments));
    assert!(refreshes_promotions(&effects));
    assert!(state.promo.polling.is_empty(), "stopped");
    let s = state.status.clone().expect("announced");
    assert!(s.error && s.text.contains("failed"), "{s:?}");
    assert_eq!(polls(&update(&mut state, Action::Tick(at_secs(600)))), 0);
}

#[test]
fn status_and_stage_filters_narrow_the_list() {
    let mut state = promotions_view("staging", "dora", &["devops"], history());
    let ids = |s: &State| -> Vec<String> {
        let l = &s.lists[envdeck::app::state::ViewKind::Promotions];
        let mut v: Vec<String> = l
            .visible
            .iter()
            .map(|i| l.rows[*i as usize].id().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        ids(&state),
        vec!["p-1", "p-4", "p-5", "p-7"],
        "into the active stage"
    );
    update(&mut state, key('f'));
    assert_eq!(ids(&state), vec!["p-1"], "pending only");
    update(&mut state, key('t'));
    assert_eq!(
        ids(&state),
        vec!["p-1", "p-2", "p-3"],
        "pending, every stage"
    );
    update(&mut state, key('/'));
    typed(&mut state, "orders");
    assert_eq!(
        ids(&state).first().map(String::as_str),
        Some("p-2"),
        "by API"
    );
}

#[test]
fn opening_a_promoting_promotion_watches_it_live() {
    let mut state = promotions_view("production", "dora", &["devops"], history());
    select(&mut state, "p-6");
    update(&mut state, code(KeyCode::Enter));
    assert!(state.promo.polling.contains_key("p-6"));
    assert_eq!(polls(&update(&mut state, Action::Tick(at_secs(0)))), 1);
    select(&mut state, "p-2");
    update(&mut state, code(KeyCode::Esc));
    update(&mut state, code(KeyCode::Enter));
    assert!(
        !state.promo.polling.contains_key("p-2"),
        "a pending one is not polled"
    );
}

fn polled(
    id: &str,
    p: &envdeck::wire::Promotion,
    seen: Option<Vec<envdeck::wire::GatewayDeployment>>,
) -> Action {
    Action::Promo(Box::new(PromoReply::Polled {
        id: id.into(),
        result: Ok(envdeck::app::promo::io::Polled {
            promotion: p.clone(),
            deployments: seen,
        }),
    }))
}

fn refused(status: u16, words: &str) -> envdeck::app::failure::Failure {
    envdeck::api::ApiError::Http {
        status,
        message: words.into(),
        retry_after: None,
    }
    .into()
}

#[test]
fn complete_before_the_gateways_acknowledged_waits_and_after_says_promoted() {
    let all = history();
    let mut state = promotions_view("staging", "dora", &["devops"], all.clone());
    let complete = step(
        &state,
        &all[0],
        Write::Complete {
            id: all[0].id.clone(),
        },
    );
    // The real service's answer before its gateways acknowledged.
    update(
        &mut state,
        Action::Written {
            pending: Box::new(complete.clone()),
            result: Err(refused(
                400,
                "Cannot complete promotion until all linked gateway deployments are synced",
            )),
        },
    );
    let s = state.status.clone().expect("said");
    assert!(!s.error, "not a failure: {s:?}");
    assert!(s.text.contains("waiting for its gateways"), "{s:?}");
    assert!(
        state.promo.polling.contains_key(&all[0].id),
        "watched until settled"
    );
    // And after: what was wanted.
    let effects = update(
        &mut state,
        Action::Written {
            pending: Box::new(complete),
            result: Err(refused(
                400,
                "Cannot complete promotion in status 'promoted' (expected 'promoting')",
            )),
        },
    );
    let s = state.status.clone().expect("said");
    assert!(!s.error && s.text.contains("is promoted"), "{s:?}");
    assert!(refreshes_promotions(&effects));
}

#[test]
fn a_reverse_promotion_nothing_completes_is_waiting_and_polling_stops() {
    let all = history();
    let mut state = promotions_view("dev", "dora", &["devops"], all.clone());
    // A rollback's reverse promotion on the real service: promoting, no target gateways.
    let mut reverse = all[0].clone();
    reverse.id = "p-rev".into();
    reverse.status = "promoting".into();
    reverse.target_gateway_ids = None;
    let target = envdeck::app::promo::target_of(&state, &reverse, "payments");
    envdeck::app::promo::replies::watch(&mut state, "p-rev".into(), target);
    let seen = vec![gd("payments", "edge-1", "dev", "synced")];
    let mut at = 0;
    let mut rounds = 0;
    while state.promo.polling.contains_key("p-rev") {
        rounds += 1;
        assert!(rounds < 50, "polling never stops");
        at += 20;
        assert_eq!(polls(&update(&mut state, Action::Tick(at_secs(at)))), 1);
        update(&mut state, polled("p-rev", &reverse, Some(seen.clone())));
        let text = status(&state);
        assert!(!text.contains("1/1"), "nothing is linked to count: {text}");
    }
    let text = status(&state);
    assert!(
        text.contains("still waiting") && text.contains("nothing here completes it"),
        "{text}"
    );
    assert_eq!(
        polls(&update(&mut state, Action::Tick(at_secs(at + 600)))),
        0
    );
}

#[test]
fn a_failed_promotion_is_announced_with_the_servers_reason() {
    let all = history();
    let mut state = promotions_view("staging", "dora", &["devops"], all.clone());
    let target = envdeck::app::promo::target_of(&state, &all[0], "payments");
    envdeck::app::promo::replies::watch(&mut state, all[0].id.clone(), target);
    update(&mut state, Action::Tick(at_secs(1)));
    let mut failed = all[0].clone();
    failed.status = "failed".into();
    failed.spec_diff = Some(serde_json::json!({
        "failure_reason": "Partial deployment failure: 1/2 gateways failed"
    }));
    update(&mut state, polled(&all[0].id, &failed, None));
    let s = state.status.clone().expect("announced");
    assert!(s.error, "{s:?}");
    assert!(
        s.text
            .contains("Partial deployment failure: 1/2 gateways failed"),
        "{s:?}"
    );
}
