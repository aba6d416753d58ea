//! 100,000 rows: a frame draws only what is visible and a filter keystroke narrows them;
//! a warm start shows cached rows before any server answers. Timings and memory are printed
//! (run with --release --nocapture), never asserted.

use std::time::Instant;

use envdeck::api::Client;
use envdeck::app::action::ListPayload;
use envdeck::app::list::LoadState;
use envdeck::app::persist::Persist;
use envdeck::secret::Secret;
use envdeck::store::Paths;

use super::fixtures::*;
use super::harness::{CONTROL_PLANE, Console};

/// Resident memory of this process in KiB (Linux), for the printed report.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The fastest of five frames (the first pays for allocations).
fn best_frame(state: &envdeck::app::State) -> std::time::Duration {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            render(state, 120, 40);
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn a_hundred_thousand_rows_render_and_filter() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let small: Vec<_> = (0..100)
        .map(|i| api(i, &format!("service-{i:06}")))
        .collect();
    deliver(&mut state, ListPayload::Apis(small));
    let small_frame = best_frame(&state);

    let before = rss_kib();
    let rows: Vec<_> = (0..100_000)
        .map(|i| api(i, &format!("service-{i:06}")))
        .collect();
    deliver(&mut state, ListPayload::Apis(rows));
    let after = rss_kib();
    let frame = best_frame(&state);
    let terminal = render(&state, 120, 40);
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("service-000000") && screen.contains("100000"));

    typed(&mut state, "/");
    let start = Instant::now();
    typed(&mut state, "099");
    let filter = start.elapsed() / 3;
    let best = state
        .lists
        .apis
        .selected_row()
        .map(|r| r.cell(0).to_string());
    assert!(best.is_some_and(|n| n.contains("099")), "best match first");
    assert!(state.lists.apis.visible.len() < 100_000);
    let terminal = render(&state, 120, 40);
    assert!(format!("{}", terminal.backend()).contains("099"));
    let memory = match (before, after) {
        (Some(b), Some(a)) => format!("{} MiB", a.saturating_sub(b) / 1024),
        _ => "unknown".into(),
    };
    eprintln!(
        "100 rows: frame {small_frame:?}; 100k rows: frame {frame:?}, one filter keystroke \
         {filter:?} (mean of 3), memory for the rows {memory}"
    );
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
    persist.save_list(Some(&staging), &ListPayload::Apis(apis()));

    // Nothing listens there: every request fails, the cache must carry the first frame.
    let dead = Client::new("http://127.0.0.1:9", "acme", Some(Secret::new("t"))).expect("client");
    let start = Instant::now();
    let mut console = Console::start(dead, &paths);
    console
        .until("cached rows", |s| {
            s.active.as_ref() == Some(&staging)
                && matches!(s.lists.apis.load, LoadState::Stale { .. })
        })
        .await;
    let terminal = render(&console.state, 100, 20);
    let first_frame = start.elapsed();
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("payments") && screen.contains("stale"),
        "{screen}"
    );
    eprintln!("warm start to the first full frame: {first_frame:?}");
}
