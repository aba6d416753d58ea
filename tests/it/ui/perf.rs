//! 100,000 rows: a frame draws only what is visible and a filter keystroke narrows them.
//! Timings are printed (run with --release --nocapture), never asserted.

use std::time::Instant;

use envdeck::app::action::ListPayload;

use super::fixtures::*;

#[test]
fn a_hundred_thousand_rows_render_and_filter() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let rows: Vec<_> = (0..100_000)
        .map(|i| api(i, &format!("service-{i:06}")))
        .collect();
    deliver(&mut state, ListPayload::Apis(rows));
    let start = Instant::now();
    let terminal = render(&state, 120, 40);
    let frame = start.elapsed();
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("service-000000") && screen.contains("100000"));

    typed(&mut state, "/");
    let start = Instant::now();
    typed(&mut state, "099");
    let filter = start.elapsed() / 3;
    let best = state.lists.apis.selected_item().map(|a| a.name.clone());
    assert!(best.is_some_and(|n| n.contains("099")), "best match first");
    assert!(state.lists.apis.visible.len() < 100_000);
    let terminal = render(&state, 120, 40);
    assert!(format!("{}", terminal.backend()).contains("099"));
    eprintln!("100k rows: frame {frame:?}; one filter keystroke {filter:?} (mean of 3)");
}
