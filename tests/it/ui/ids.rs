//! What operators read of a promotion's UUID: 8 characters in the list, the queue and the
//! review's title; the whole id in the review's facts (to copy into the CLI).

use crossterm::event::KeyCode;
use envdeck::app::action::ListPayload;
use envdeck::app::update;
use envdeck::wire::{AuditEntry, Promotion};

use super::fixtures::*;

const ID: &str = "852497fa-b9a6-4340-ae58-bf2323f935dc";

fn uuid_promotion() -> Promotion {
    Promotion {
        id: ID.into(),
        ..promotions().remove(0)
    }
}

#[test]
fn lists_the_queue_and_the_review_title_show_8_characters_the_review_the_whole_id() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(vec![uuid_promotion()]));
    let s = format!("{}", render(&state, 120, 30).backend());
    assert!(!s.contains(ID), "{s}");
    let short = s.lines().filter(|l| l.contains("852497fa ")).count();
    assert_eq!(short, 2, "the queue and the list:\n{s}");
    update(&mut state, code(KeyCode::Enter));
    let s = format!("{}", render(&state, 120, 30).backend());
    assert!(s.contains("Review 852497fa ·"), "{s}");
    assert!(s.contains(&format!("id           {ID}")), "{s}");
}

#[test]
fn audit_rows_name_promotions_by_their_short_id_and_the_detail_by_the_whole() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    update(&mut state, key('6'));
    let entry = AuditEntry {
        resource_id: Some(ID.into()),
        ..audit().remove(1)
    };
    deliver(&mut state, ListPayload::of(vec![entry]));
    let s = format!("{}", render(&state, 120, 20).backend());
    assert!(s.contains("852497fa ") && !s.contains(ID), "{s}");
    update(&mut state, code(KeyCode::Enter));
    let s = format!("{}", render(&state, 120, 30).backend());
    assert!(s.contains(ID), "the detail has the whole id:\n{s}");
}
