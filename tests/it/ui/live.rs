//! The console's effects against the embedded control plane on 127.0.0.1:0: the real
//! client, store and server, driven through `update` without a terminal.

use std::time::Duration;

use crossterm::event::KeyCode;
use envdeck::api::Client;
use envdeck::app::list::LoadState;
use envdeck::app::state::{Connection, ViewKind};
use envdeck::app::{State, update};
use envdeck::secret::Secret;
use envdeck::store::{Loaded, Paths, StateStore};

use super::fixtures::{code, key, typed};
use super::harness::{CONTROL_PLANE, Console};
use crate::support::{client_as, demo_server};

fn apis_loaded(state: &State) -> bool {
    matches!(
        state.lists[envdeck::app::state::ViewKind::Apis].load,
        LoadState::Loaded { .. }
    ) && !state.lists[envdeck::app::state::ViewKind::Apis].refreshing
}

fn paths(dir: &tempfile::TempDir) -> Paths {
    let paths = Paths::under(dir.path());
    paths.ensure().expect("dirs");
    paths
}

#[tokio::test]
async fn production_refuses_writes_without_sending_anything() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().expect("dir");
    let client = client_as(server.url(), "dave", "acme").await;
    let audit_before = client.audit(None).await.expect("audit").len();
    let mut console = Console::start(client.clone(), &paths(&dir));
    console
        .until("the safe default with APIs", |s| {
            s.active.as_ref().is_some_and(|a| a.as_str() == "dev") && apis_loaded(s)
        })
        .await;
    assert!(!console.state.lists[envdeck::app::state::ViewKind::Apis].is_empty());
    assert!(console.state.notices[0].contains("no stage saved"));
    console.press(key(']'));
    console.press(key(']'));
    console
        .until("production's APIs", |s| {
            s.active.as_ref().is_some_and(|a| a.is_production()) && apis_loaded(s)
        })
        .await;
    for k in ['n', 'E', 'D'] {
        console.state.status = None;
        let effects = update(&mut console.state, key(k));
        assert!(effects.is_empty(), "{k}");
        let status = console.state.status.clone().expect("reason");
        assert!(status.text.contains("read-only"), "{}", status.text);
    }
    let frame = super::fixtures::render(&console.state, 110, 20);
    let screen = format!("{}", frame.backend());
    assert!(
        screen.contains("Production environment — read-only mode"),
        "{screen}"
    );
    assert_eq!(
        client.audit(None).await.expect("audit").len(),
        audit_before,
        "no write"
    );
}

#[tokio::test]
async fn creating_an_api_in_dev_reaches_the_server() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().expect("dir");
    let client = client_as(server.url(), "dave", "acme").await;
    let mut console = Console::start(client.clone(), &paths(&dir));
    console.until("dev's APIs", apis_loaded).await;
    console.press(key('n'));
    typed(&mut console.state, "console-made");
    console.press(code(KeyCode::Tab));
    typed(&mut console.state, "Made in the console");
    console.press(code(KeyCode::Tab));
    console.press(code(KeyCode::Tab));
    typed(&mut console.state, "https://made.internal");
    console.press(code(KeyCode::Enter));
    console.press(key('y'));
    console
        .until("the new API in the list", |s| {
            apis_loaded(s)
                && s.lists[envdeck::app::state::ViewKind::Apis]
                    .rows
                    .iter()
                    .any(|r| r.cell(0) == "console-made")
        })
        .await;
    let status = console.state.status.clone().expect("status");
    assert!(
        status.text.starts_with(
            "created API console-made in Development · envdeck api create console-made --env dev"
        ),
        "{}",
        status.text
    );
    let dev = envdeck::domain::StageName::parse("dev").expect("dev");
    let on_server = client.apis(&dev).await.expect("apis");
    assert!(on_server.iter().any(|a| a.name == "console-made"));
}

#[tokio::test]
async fn the_choice_survives_a_restart_and_the_cache_shows_while_offline() {
    let server = demo_server().await;
    let dir = tempfile::tempdir().expect("dir");
    let paths = paths(&dir);
    let client = client_as(server.url(), "dave", "acme").await;
    let mut console = Console::start(client, &paths);
    console.until("dev's APIs", apis_loaded).await;
    console.press(key('e'));
    console.press(key('2'));
    console.until("staging's APIs", apis_loaded).await;
    let count = console.state.lists[envdeck::app::state::ViewKind::Apis].len();
    let store = StateStore::new(&paths.state_dir);
    assert!(crate::support::eventually(Duration::from_secs(10), || {
        matches!(store.load(CONTROL_PLANE), Loaded::Found(ref ui) if ui.stage.as_deref() == Some("staging"))
    }));
    drop(console);
    server.server.shutdown().await.expect("shutdown");

    // The control plane is gone: the stage, the stages and the rows come from disk.
    let dead = Client::new("http://127.0.0.1:9", "acme", Some(Secret::new("t"))).expect("client");
    let mut console = Console::start(dead, &paths);
    console
        .until("staging from the saved state, rows from the cache", |s| {
            s.active.as_ref().is_some_and(|a| a.as_str() == "staging")
                && matches!(
                    s.lists[envdeck::app::state::ViewKind::Apis].load,
                    LoadState::Stale { .. }
                )
        })
        .await;
    assert!(
        console.state.notices.is_empty(),
        "{:?}",
        console.state.notices
    );
    assert_eq!(
        console.state.lists[envdeck::app::state::ViewKind::Apis].len(),
        count
    );
    console
        .until("offline", |s| {
            matches!(s.connection, Connection::Offline { .. })
        })
        .await;
    // Keys keep working while offline; writes are locked with the reason.
    console.press(key('2'));
    assert_eq!(console.state.view, ViewKind::Deployments);
    console.press(key('1'));
    assert!(update(&mut console.state, key('n')).is_empty());
    assert!(
        console
            .state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("offline"))
    );
}
