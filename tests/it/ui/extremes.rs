//! Abuse of the layout: 10,000 stages, 200-character names, long reasons and narrow
//! terminals. Each test checks what an operator must still see, not only that it renders.

use crossterm::event::KeyCode;
use envdeck::app::action::{Action, ListPayload};
use envdeck::app::state::ViewKind;
use envdeck::app::update;
use envdeck::wire::EnvironmentList;

use super::fixtures::*;

fn screen(state: &envdeck::app::State, width: u16, height: u16) -> String {
    format!("{}", render(state, width, height).backend())
}

fn rows(state: &envdeck::app::State, width: u16, height: u16) -> Vec<String> {
    super::fixtures::screen_rows(state, width, height)
}

fn footer_keeps_help_and_quit(state: &envdeck::app::State, width: u16, height: u16) {
    let rows = rows(state, width, height);
    let hints = rows.last().cloned().unwrap_or_default();
    assert!(
        hints.contains("? help") && hints.contains("q quit"),
        "{width} columns:\n{}",
        rows.join("\n")
    );
}

fn many_stages(active: &str) -> envdeck::app::State {
    let mut environments = vec![env("dev", "Development", "full", None)];
    environments.extend((0..9_999).map(|i| {
        let mode = if i % 3 == 0 { "read-only" } else { "full" };
        env(&format!("stage-{i:05}"), &format!("Stage {i}"), mode, None)
    }));
    let list = EnvironmentList {
        environments,
        current: None,
    };
    loaded(list, Some(active), me("dave", &["devops"]))
}

#[test]
fn ten_thousand_stages_render_and_the_active_one_shows() {
    let mut state = many_stages("stage-05000");
    assert_eq!(state.pipeline.len(), 10_000);
    for (w, h) in [(120, 40), (80, 24)] {
        let rows = rows(&state, w, h);
        // The table's title names the stage. (The header's tabs do not yet keep the active
        // one in view among 10,000: reported, header.rs.)
        assert!(
            rows[3].contains("APIs in Stage 5000"),
            "{w}x{h}:\n{}",
            rows.join("\n")
        );
        footer_keeps_help_and_quit(&state, w, h);
    }
    update(&mut state, key('e'));
    let s = screen(&state, 80, 24);
    let marked = s
        .lines()
        .any(|l| l.contains("Stage 5000") && l.contains('▶'));
    assert!(marked, "the switcher shows the active stage, marked:\n{s}");
}

#[test]
fn two_hundred_character_names_are_cut_with_an_ellipsis_inside_their_column() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let long = "n".repeat(200);
    let mut row = api(1, &long);
    row.display_name = "D".repeat(200);
    row.backend_url = Some(format!("https://{}.example", "b".repeat(200)));
    deliver(&mut state, ListPayload::of(vec![row]));
    for width in [60, 80, 120] {
        let rows = rows(&state, width, 20);
        let all = rows.join("\n");
        let header = rows
            .iter()
            .find(|r| r.contains("NAME"))
            .expect("column header");
        let row = rows.iter().find(|r| r.contains("nnnn")).expect("the row");
        assert!(
            row.contains("n… ") && row.contains("D… "),
            "{width}:\n{all}"
        );
        // Every column starts where its title does, after a blank: no collision.
        for title in ["DISPLAY NAME", "VERSION", "STATUS", "UPDATED"] {
            // Titles are cut with an ellipsis too when their column is narrow.
            let Some(at) = header.find(title).or_else(|| header.find(&title[..5])) else {
                panic!("{title} at {width}:\n{all}")
            };
            let at = header[..at].chars().count();
            let cells: Vec<char> = row.chars().collect();
            assert_eq!(cells[at - 1], ' ', "{title} at {width}:\n{all}");
            assert_ne!(cells[at], ' ', "{title} at {width}:\n{all}");
        }
        // Times keep their width: free text gives way first.
        assert!(
            row.trim_end().ends_with("2026-11-20 08:15"),
            "{width}:\n{all}"
        );
        if width >= 80 {
            assert!(row.contains(" published "), "{width}:\n{all}");
        }
    }
}

#[test]
fn the_footer_keeps_help_and_quit_with_long_reasons_at_any_width() {
    let long = "Production of the European Union region with a very long label";
    let mut envs = three_stages();
    envs.environments[0].label = long.into();
    let mut state = loaded(envs, Some("production"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    for view in ['1', '5', '6'] {
        update(&mut state, key(view));
        for width in [60, 80, 120] {
            footer_keeps_help_and_quit(&state, width, 24);
            let rows = rows(&state, width, 24);
            let hints = rows.last().cloned().unwrap_or_default();
            // In the APIs view every write is disabled: the reason stays, cut inside the line.
            if view == '1' {
                assert!(
                    hints.contains("⊘ Production of"),
                    "{width}:\n{}",
                    rows.join("\n")
                );
            }
            if width < 120 && hints.contains('⊘') {
                assert!(hints.contains('…'), "{width}:\n{}", rows.join("\n"));
            }
        }
    }
}

#[test]
fn every_view_renders_an_empty_list_and_says_so() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    for payload in [
        ListPayload::of(Vec::<envdeck::wire::Api>::new()),
        ListPayload::of(Vec::<envdeck::wire::Deployment>::new()),
        ListPayload::of(Vec::<envdeck::wire::Gateway>::new()),
        ListPayload::of(Vec::<envdeck::wire::Subscription>::new()),
        ListPayload::of(Vec::<envdeck::wire::Promotion>::new()),
        ListPayload::of(Vec::<envdeck::wire::AuditEntry>::new()),
    ] {
        deliver(&mut state, payload);
    }
    // Every list view (the Pipeline is not a list: its own tests cover it).
    for (i, view) in ViewKind::ALL.iter().enumerate().skip(1) {
        let digit = char::from(b'0' + i as u8);
        update(&mut state, key(digit));
        assert_eq!(state.view, *view);
        let s = screen(&state, 120, 40);
        let what = view.title().to_lowercase();
        assert!(s.contains(&format!("no {what}")), "view {digit}:\n{s}");
        assert!(s.contains(&format!("[{digit} {}]", view.title())), "{s}");
        footer_keeps_help_and_quit(&state, 60, 20);
    }
}

#[test]
fn the_help_overlay_fits_80_by_24_and_scrolls_to_the_end() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    state.size = (80, 24);
    update(&mut state, key('?'));
    let rows = rows(&state, 80, 24);
    let all = rows.join("\n");
    assert!(rows.iter().all(|r| r.chars().count() == 80));
    assert!(
        all.contains("Keys 1-"),
        "a scroll position in the title:\n{all}"
    );
    // Keys and descriptions keep their columns: each description starts at one column.
    let starts: Vec<usize> = rows
        .iter()
        .filter_map(|r| {
            let at = r.find(" refresh")?;
            Some(r[..at].chars().count())
        })
        .collect();
    assert!(!starts.is_empty(), "{all}");
    for _ in 0..200 {
        update(&mut state, code(KeyCode::PageDown));
    }
    let end = rows_after(&state);
    assert!(end.contains("Detail pane"), "the last group shows:\n{end}");
    update(
        &mut state,
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Esc,
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    assert!(state.popup.is_none());
}

fn rows_after(state: &envdeck::app::State) -> String {
    screen(state, 80, 24)
}
