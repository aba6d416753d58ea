//! Abuse of the layout: 10,000 stages, 200-character names, and empty lists all render.

use envdeck::app::action::ListPayload;
use envdeck::app::state::ViewKind;
use envdeck::app::update;
use envdeck::wire::EnvironmentList;

use super::fixtures::*;

fn screen(state: &envdeck::app::State, width: u16, height: u16) -> String {
    format!("{}", render(state, width, height).backend())
}

#[test]
fn ten_thousand_stages_render_and_the_active_one_shows() {
    let mut environments = vec![env("dev", "Development", "full", None)];
    environments.extend((0..9_999).map(|i| {
        let mode = if i % 3 == 0 { "read-only" } else { "full" };
        env(&format!("stage-{i:05}"), &format!("Stage {i}"), mode, None)
    }));
    let list = EnvironmentList {
        environments,
        current: None,
    };
    let state = loaded(list, Some("dev"), me("dave", &["devops"]));
    assert_eq!(state.pipeline.len(), 10_000);
    for (w, h) in [(120, 40), (80, 24)] {
        let s = screen(&state, w, h);
        assert!(s.contains("Development"), "{w}x{h}:\n{s}");
    }
}

#[test]
fn two_hundred_character_names_are_cut_to_fit() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let long = "n".repeat(200);
    let mut row = api(1, &long);
    row.display_name = "D".repeat(200);
    row.backend_url = Some(format!("https://{}.example", "b".repeat(200)));
    deliver(&mut state, ListPayload::Apis(vec![row]));
    let s = screen(&state, 120, 40);
    assert!(s.contains(&"n".repeat(10)), "{s}");
    assert!(
        !s.contains(&"D".repeat(60)),
        "cells are cut to their column:\n{s}"
    );
    assert!(
        s.contains("published") && s.contains("2026-11-20"),
        "later columns stay:\n{s}"
    );
}

#[test]
fn every_view_renders_an_empty_list() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    for payload in [
        ListPayload::Apis(vec![]),
        ListPayload::Deployments(vec![]),
        ListPayload::Gateways(vec![]),
        ListPayload::Subscriptions(vec![]),
        ListPayload::Promotions(vec![]),
        ListPayload::Audit(vec![]),
    ] {
        deliver(&mut state, payload);
    }
    for (i, _) in ViewKind::ALL.iter().enumerate() {
        let digit = char::from(b'1' + i as u8);
        update(&mut state, key(digit));
        let s = screen(&state, 120, 40);
        assert!(s.contains("tenant acme"), "view {digit}:\n{s}");
    }
}
