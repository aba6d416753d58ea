//! The whole promotion flow through the console's real runner, client and the embedded demo
//! control plane (no terminal): dave requests, dora reviews, approves, completes, rolls back.

use crossterm::event::KeyCode;
use envdeck::api::PromotionFilter;
use envdeck::app::State;
use envdeck::app::action::Action;
use envdeck::app::list::LoadState;
use envdeck::app::state::Popup;
use envdeck::domain::StageName;
use envdeck::store::Paths;
use envdeck::wire::Timestamp;

use super::data::{code, key};
use crate::support::{client_as, demo_server};
use crate::ui::harness::Console;

fn status(s: &State) -> String {
    s.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn paths(dir: &tempfile::TempDir) -> Paths {
    let paths = Paths::under(dir.path());
    paths.ensure().expect("dirs");
    paths
}

fn type_text(console: &mut Console, text: &str) {
    for c in text.chars() {
        console.press(key(c));
    }
}

fn stage(name: &str) -> StageName {
    StageName::parse(name).expect("stage")
}

fn select_id(console: &mut Console, id: &str) {
    let list = &console.state.lists[envdeck::app::state::ViewKind::Promotions];
    let at = list
        .visible
        .iter()
        .position(|i| list.rows[*i as usize].id() == id)
        .unwrap_or_else(|| panic!("{id} not listed"));
    console.state.lists[envdeck::app::state::ViewKind::Promotions].selected = at;
}

#[tokio::test]
async fn request_review_approve_complete_and_roll_back_against_the_demo() {
    let server = demo_server().await;
    let admin = client_as(server.url(), "ada", "acme").await;
    // A clean subject: synced in dev, absent from staging, never promoted.
    let synced = admin
        .gateway_deployments(Some(&stage("dev")), Some("synced"))
        .await
        .expect("dev deployments");
    let in_staging: Vec<String> = admin
        .apis(&stage("staging"))
        .await
        .expect("staging")
        .into_iter()
        .map(|a| a.name)
        .collect();
    let promoted: Vec<String> = admin
        .promotions(&PromotionFilter::default())
        .await
        .expect("promotions")
        .into_iter()
        .map(|p| p.api_id)
        .collect();
    let subject = synced
        .into_iter()
        .find(|d| {
            !in_staging.contains(&d.api_name().to_string())
                && !promoted.contains(&d.api_id().to_string())
        })
        .expect("an API synced in dev only");
    let api = subject.api_name().to_string();

    // tess (tenant-admin: she may list the sources), in dev: p on the API, a message, confirm.
    let dir = tempfile::tempdir().expect("dir");
    let tess = client_as(server.url(), "tess", "acme").await;
    let mut console = Console::start(tess, &paths(&dir));
    console
        .until("dev's APIs", |s| {
            matches!(
                s.lists[envdeck::app::state::ViewKind::Apis].load,
                LoadState::Loaded { .. }
            ) && s.active.as_ref().is_some_and(|a| a.as_str() == "dev")
        })
        .await;
    console.press(key('/'));
    type_text(&mut console, &api);
    console.press(code(KeyCode::Enter));
    console.press(key('p'));
    console
        .until("the create form", |s| {
            matches!(s.popup, Some(Popup::Promote(_)))
        })
        .await;
    type_text(&mut console, "Ready for QA");
    console.press(code(KeyCode::Enter));
    assert!(matches!(console.state.popup, Some(Popup::Confirm(_))));
    console.press(key('y'));
    console
        .until("the request", |s| status(s).contains("requested"))
        .await;
    let mine = admin
        .promotions(&PromotionFilter {
            api_id: Some(subject.api_id().to_string()),
            ..PromotionFilter::default()
        })
        .await
        .expect("promotions");
    let [p] = mine.as_slice() else {
        panic!("one promotion: {mine:?}");
    };
    assert_eq!(
        (p.status.as_str(), p.message.as_str()),
        ("pending", "Ready for QA")
    );
    let id = p.id.clone();

    // dora, in staging: review, approve; the gateways complete it.
    let dir = tempfile::tempdir().expect("dir");
    let dora = client_as(server.url(), "dora", "acme").await;
    let mut console = Console::start(dora, &paths(&dir));
    console.until("stages", |s| s.active.is_some()).await;
    console.press(key(']'));
    console.press(key('5'));
    console
        .until("the promotion listed", |s| {
            s.active.as_ref().is_some_and(|a| a.as_str() == "staging")
                && s.lists[envdeck::app::state::ViewKind::Promotions]
                    .rows
                    .iter()
                    .any(|r| r.id() == id)
        })
        .await;
    select_id(&mut console, &id);
    console.press(key('a'));
    console
        .until("the diff shown", |s| s.promo.reviewed.contains_key(&id))
        .await;
    console.press(key('a'));
    assert!(matches!(console.state.popup, Some(Popup::Confirm(_))));
    console.press(key('y'));
    console
        .until("approved", |s| status(s).contains("approved"))
        .await;
    assert!(
        console.state.promo.polling.contains_key(&id),
        "watched live"
    );
    // The event loop's clock: each tick polls what is due, until the gateways acknowledged.
    for _ in 0..100 {
        console.press(Action::Tick(Timestamp::now()));
        if status(&console.state).contains(": promoted") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        console.drain();
    }
    assert!(
        status(&console.state).contains(": promoted"),
        "{}",
        status(&console.state)
    );
    let apis = admin.apis(&stage("staging")).await.expect("staging");
    assert!(apis.iter().any(|a| a.name == api), "{api} is in staging");

    // Rollback: the message is required, then the reverse promotion exists.
    console
        .until("the list refreshed", |s| {
            s.promo
                .all
                .iter()
                .any(|p| p.id == id && p.status == "promoted")
        })
        .await;
    select_id(&mut console, &id);
    console.press(key('R'));
    console.press(code(KeyCode::Enter));
    assert!(
        matches!(console.state.popup, Some(Popup::Confirm(_))),
        "message required"
    );
    type_text(&mut console, "Error rate spike");
    console.press(code(KeyCode::Enter));
    console
        .until("rolled back", |s| status(s).contains("rolled back"))
        .await;
    let after = admin
        .promotions(&PromotionFilter {
            api_id: Some(subject.api_id().to_string()),
            ..PromotionFilter::default()
        })
        .await
        .expect("promotions");
    let original = after.iter().find(|p| p.id == id).expect("original");
    assert_eq!(original.status, "rolled_back");
    let reverse = after.iter().find(|p| p.id != id).expect("reverse");
    assert_eq!(
        (
            reverse.source_environment.as_str(),
            reverse.target_environment.as_str()
        ),
        ("staging", "dev")
    );
    assert!(
        console.state.promo.polling.contains_key(&reverse.id),
        "watched live"
    );
}
