//! Writes into guarded stages whose labels are no alias of production, and replies that
//! arrive after the operator switched stage.

use std::net::{Ipv4Addr, SocketAddr};

use crossterm::event::KeyCode;
use envdeck::app::action::ListPayload;
use envdeck::app::promo::io::PromoEffect;
use envdeck::app::state::Popup;
use envdeck::app::write::Write;
use envdeck::app::{Effect, State, update};
use envdeck::server::{Seed, ServerOptions};

use super::data::*;

const STAGES: &str = r##"
[[stage]]
name = "dev"
label = "Development"
mode = "full"

[[stage]]
name = "staging"
label = "Staging"
mode = "full"

[[stage]]
name = "prod-eu"
label = "Prod EU"
mode = "read-only"
color = "#ef4444"
"##;

/// The stages as an embedded control plane started with the stages file serves them.
async fn served_stages() -> envdeck::wire::EnvironmentList {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("stages.toml");
    std::fs::write(&file, STAGES).expect("stages file");
    let server = envdeck::server::start(ServerOptions {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        data_dir: dir.path().join("data"),
        seed: Seed::None,
        fresh: false,
        stages_file: Some(file),
    })
    .await
    .expect("server starts");
    let client = crate::support::client_as(server.url(), "dora", "acme").await;
    let list = client.environments().await.expect("environments");
    server.shutdown().await.expect("stops");
    list
}

#[tokio::test]
async fn approving_into_a_read_only_prod_eu_wants_its_name_and_a_bare_y_sends_nothing() {
    let stages = served_stages().await;
    let eu = stages
        .environments
        .iter()
        .find(|e| e.name == "prod-eu")
        .expect("prod-eu served");
    assert_eq!(
        (eu.label.as_str(), eu.mode.as_str()),
        ("Prod EU", "read-only")
    );

    let mut state = loaded(stages, Some("prod-eu"), me("dora", &["devops"]));
    update(&mut state, key('5'));
    let p = promotion("p-eu", "payments", "staging", "prod-eu", "pending", "tess");
    deliver(&mut state, ListPayload::of(vec![p.clone()]));
    select(&mut state, "p-eu");
    update(&mut state, code(KeyCode::Enter));
    review_arrives(&mut state, &p);
    update(&mut state, key('a'));
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("a confirmation");
    };
    assert_eq!(
        c.typed.as_ref().map(|t| t.0.as_str()),
        Some("prod-eu"),
        "the stage's name, found by identity"
    );
    assert!(
        c.lines.iter().any(|l| l.contains("Staging → Prod EU")),
        "{:?}",
        c.lines
    );

    assert!(writes(&update(&mut state, key('y'))).is_empty(), "a bare y");
    update(&mut state, code(KeyCode::Backspace));
    typed(&mut state, "Prod EU");
    assert!(
        writes(&update(&mut state, code(KeyCode::Enter))).is_empty(),
        "the label is not the name"
    );
    for _ in 0.."Prod EU".len() {
        update(&mut state, code(KeyCode::Backspace));
    }
    typed(&mut state, "prod-eu");
    let effects = update(&mut state, code(KeyCode::Enter));
    match effects.as_slice() {
        [Effect::Write(p)] => {
            assert!(matches!(p.write, Write::Approve { .. }));
            assert_eq!(p.typed.as_deref(), Some("prod-eu"));
        }
        other => panic!("one approval, got {other:?}"),
    }

    // Completing and rolling back into it want the name too.
    let mut state = loaded(
        served_stages().await,
        Some("prod-eu"),
        me("dora", &["devops"]),
    );
    update(&mut state, key('5'));
    let mut promoted = promotion(
        "p-done", "payments", "staging", "prod-eu", "promoted", "tess",
    );
    promoted.id = "p-done".into();
    deliver(&mut state, ListPayload::of(vec![promoted]));
    select(&mut state, "p-done");
    update(&mut state, key('R'));
    let Some(Popup::Confirm(c)) = &state.popup else {
        panic!("a confirmation");
    };
    assert_eq!(c.typed.as_ref().map(|t| t.0.as_str()), Some("prod-eu"));
    assert!(c.message.is_some(), "and the reason");
}

fn draft_asked(state: &mut State) -> envdeck::app::action::Stamp {
    deliver(state, ListPayload::of(apis()));
    let effects = update(state, key('p'));
    match effects.as_slice() {
        [Effect::Promo(PromoEffect::Prepare { stamp, .. })] => stamp.clone(),
        other => panic!("a draft asked for, got {other:?}"),
    }
}

#[test]
fn a_draft_arriving_after_a_stage_switch_leaves_the_new_stage_untouched() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let stamp = draft_asked(&mut state);
    update(&mut state, key(']')); // on to staging before the server answers
    assert_eq!(state.active, Some(stage("staging")));
    let before_status = state.status.clone();
    let before = format!("{}", render(&state, 100, 30).backend());
    let effects = update(
        &mut state,
        envdeck::app::action::Action::Promo(Box::new(envdeck::app::promo::io::PromoReply::Draft {
            stamp,
            result: Ok(Box::new(draft("payments", "dev", "staging", Vec::new()))),
        })),
    );
    assert!(effects.is_empty());
    assert!(
        state.popup.is_none(),
        "the form the switch closed stays closed"
    );
    assert_eq!(state.status, before_status);
    assert_eq!(format!("{}", render(&state, 100, 30).backend()), before);

    // The same draft for the stage still active opens the form.
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    draft_asked(&mut state);
    draft_arrives(&mut state, draft("payments", "dev", "staging", Vec::new()));
    assert!(matches!(state.popup, Some(Popup::Promote(_))));
}
