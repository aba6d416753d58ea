//! 100,000 rows: a frame draws only what is visible, a filter keystroke narrows them and puts
//! the best match first; a warm start shows cached rows before any server answers. Speed and
//! memory are measured by `cargo bench --bench console_render`, not here.

use envdeck::api::Client;
use envdeck::app::action::ListPayload;
use envdeck::app::list::LoadState;
use envdeck::runtime::persist::Persist;
use envdeck::secret::Secret;
use envdeck::store::Paths;

use super::fixtures::*;
use super::harness::{CONTROL_PLANE, Console};

#[test]
fn a_hundred_thousand_rows_draw_only_what_is_visible_and_filter() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let rows: Vec<_> = (0..100_000)
        .map(|i| api(i, &format!("service-{i:06}")))
        .collect();
    deliver(&mut state, ListPayload::of(rows));
    let terminal = render(&state, 120, 40);
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("service-000000") && screen.contains("100000"));
    // Only the rows that fit are drawn: the last one is not on screen.
    assert!(!screen.contains("service-099999"), "{screen}");

    typed(&mut state, "/");
    typed(&mut state, "099");
    let best = state.lists[envdeck::app::state::ViewKind::Apis]
        .selected_row()
        .map(|r| r.cell(0).to_string());
    assert!(best.is_some_and(|n| n.contains("099")), "best match first");
    let narrowed = state.lists[envdeck::app::state::ViewKind::Apis]
        .visible
        .len();
    assert!(narrowed < 100_000);
    typed(&mut state, "99");
    assert!(
        state.lists[envdeck::app::state::ViewKind::Apis]
            .visible
            .len()
            <= narrowed,
        "typing more narrows"
    );
    let terminal = render(&state, 120, 40);
    assert!(format!("{}", terminal.backend()).contains("09999"));
}

#[tokio::test]
async fn a_warm_start_shows_cached_rows_before_the_server_answers() {
    let dir = tempfile::tempdir().expect("dir");
    let paths = Paths::under(dir.path());
    paths.ensure().expect("dirs");
    let persist = Persist::new(&paths, CONTROL_PLANE, "acme");
    persist.save_environments(&three_stages());
    persist
        .save_state(1, Some("staging".into()), Some("apis".into()))
        .expect("state");
    let staging = envdeck::domain::StageName::parse("staging").expect("stage");
    persist.save_list(Some(&staging), &ListPayload::of(apis()));

    // Nothing listens there: every request fails, the cache must carry the first frame.
    let dead = Client::new("http://127.0.0.1:9", "acme", Some(Secret::new("t"))).expect("client");
    let mut console = Console::start(dead, &paths);
    console
        .until("cached rows", |s| {
            s.active.as_ref() == Some(&staging)
                && matches!(
                    s.lists[envdeck::app::state::ViewKind::Apis].load,
                    LoadState::Stale { .. }
                )
        })
        .await;
    let terminal = render(&console.state, 100, 20);
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("payments") && screen.contains("stale"),
        "{screen}"
    );
}
