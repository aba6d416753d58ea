//! The pipeline's health above the Promotions view's strip: kept in the state and recomputed
//! in `update` (store, pipeline, day), drawn in the rows `app::promo::above` gives it, the
//! same rows `ui::layout` takes off the table. Each snapshot was opened and read.

use chrono::Duration;
use envdeck::app::action::{Action, ListPayload};
use envdeck::app::promo::{HEALTH_FULL_KEEP, HEALTH_LINE_KEEP, HealthFit, above, header_rows};
use envdeck::app::{State, update};
use envdeck::wire::{EnvironmentList, Promotion, Timestamp};
use insta::assert_snapshot;

use super::data::*;

fn ago(days: i64, hours: i64) -> Timestamp {
    Timestamp(now().0 - Duration::days(days) - Duration::hours(hours))
}

/// A promotion requested `days` (and `hours` more) ago that finished `days` ago (when it
/// finished at all).
fn step(api: &str, from: &str, to: &str, status: &str, days: i64, hours: i64) -> Promotion {
    let finished = !matches!(status, "pending" | "promoting");
    let done = finished.then(|| ago(days, 0));
    Promotion {
        created_at: Some(ago(days, hours)),
        updated_at: done,
        completed_at: done,
        ..promotion(&format!("{api}-{to}-{days}"), api, from, to, status, "dora")
    }
}

/// A month of promotions: complete chains (lead times), a rollback, failures, one waiting for
/// approval into staging (dave's, so dora may approve it), and one outside the window.
fn month() -> Vec<Promotion> {
    let mut all = vec![
        step("payments", "dev", "staging", "promoted", 20, 3),
        step("payments", "staging", "production", "promoted", 18, 2),
        step("ledger", "dev", "staging", "promoted", 12, 5),
        step("ledger", "staging", "production", "promoted", 9, 1),
        step("orders", "dev", "staging", "promoted", 6, 2),
        step("orders", "staging", "production", "rolled_back", 4, 1),
        step("customers", "dev", "staging", "failed", 15, 1),
        step("customers", "dev", "staging", "promoted", 14, 2),
        step("customers", "staging", "production", "pending", 1, 0),
        step("shipping", "dev", "staging", "rolled_back", 8, 4),
        step("shipping", "dev", "staging", "promoting", 0, 1),
        step("billing", "dev", "staging", "promoted", 2, 6),
        step("billing", "staging", "production", "failed", 1, 2),
        step("search", "dev", "staging", "promoted", 25, 1),
        step("auth", "dev", "staging", "promoted", 27, 2),
        step("notify", "dev", "staging", "promoted", 3, 1),
        step("archive", "dev", "staging", "promoted", 40, 1),
    ];
    let mut cards = step("cards", "dev", "staging", "pending", 0, 2);
    cards.requested_by = "dave".into();
    all.push(cards);
    for (i, p) in all.iter_mut().enumerate() {
        p.id = format!("h-{i:02}");
    }
    all
}

/// `user` on `stage`, the Promotions view at `width`×`height` with `all` loaded.
fn view(stage: &str, user: &str, all: Vec<Promotion>, width: u16, height: u16) -> State {
    let mut state = loaded(three_stages(), Some(stage), me(user, &["devops"]));
    update(&mut state, Action::Resize(width, height));
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(all));
    state
}

fn rows(state: &State) -> Vec<String> {
    let (width, height) = state.size;
    crate::ui::fixtures::screen_rows(state, width, height)
}

fn total(state: &State) -> u64 {
    let h = state.promo.health.as_ref().expect("health computed");
    h.stages.iter().map(|s| s.total()).sum()
}

#[test]
fn health_one_line_at_80x24() {
    let state = view("staging", "dora", month(), 80, 24);
    assert_eq!(above(&state).health, HealthFit::Line);
    assert_snapshot!(render(&state, 80, 24).backend());
}

#[test]
fn health_strip_at_120x40() {
    let state = view("staging", "dora", month(), 120, 40);
    assert!(matches!(above(&state).health, HealthFit::Full(_)));
    assert_snapshot!(render(&state, 120, 40).backend());
}

#[test]
fn health_strip_in_ascii_without_colour_at_80x40() {
    let mut state = loaded(three_stages(), Some("production"), me("dora", &["devops"]));
    state.ascii = true;
    state.no_color = true;
    update(&mut state, Action::Resize(80, 40));
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(month()));
    assert!(matches!(above(&state).health, HealthFit::Full(_)));
    // The health's rows are plain ASCII (borders are the theme's box drawing).
    let health = above(&state).health.rows() as usize;
    let rows = rows(&state);
    for row in &rows[3..3 + health] {
        assert!(row.is_ascii(), "{row}");
    }
    assert_snapshot!(render(&state, 80, 40).backend());
}

#[test]
fn health_one_line_in_ascii_at_80x24() {
    let mut state = loaded(three_stages(), Some("staging"), me("vic", &["viewer"]));
    state.ascii = true;
    state.no_color = true;
    update(&mut state, Action::Resize(80, 24));
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(month()));
    assert_eq!(above(&state).health, HealthFit::Line);
    let line = rows(&state)[3].clone();
    assert!(line.is_ascii(), "{line}");
    assert!(
        line.starts_with(" Health, 30 days: ") && line.contains("% failed"),
        "{line}"
    );
}

#[test]
fn no_health_before_the_promotions_are_loaded_and_a_plain_line_without_any() {
    let mut state = loaded(three_stages(), Some("staging"), me("dora", &["devops"]));
    update(&mut state, Action::Resize(80, 24));
    update(&mut state, key('5'));
    assert_eq!(state.promo.health, None);
    assert_eq!(above(&state).health, HealthFit::Hidden);
    assert!(rows(&state).iter().all(|r| !r.contains("Health")));

    deliver(
        &mut state,
        ListPayload::of(Vec::<envdeck::wire::Promotion>::new()),
    );
    assert_eq!(above(&state).health, HealthFit::Line);
    assert_snapshot!(render(&state, 80, 24).backend());

    // Only promotions older than the window: the same line, no 0% and no n/a rates.
    let old = vec![step("archive", "dev", "staging", "failed", 40, 1)];
    deliver(&mut state, ListPayload::of(old));
    let line = rows(&state)[3].clone();
    assert_eq!(line.trim_end(), " Health, 30 days: no promotions");
}

#[test]
fn a_single_stage_has_no_health() {
    let mut state = loaded(one_stage(), None, me("dora", &["devops"]));
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(month()));
    assert_eq!(above(&state).health, HealthFit::Hidden);
}

#[test]
fn the_health_is_recomputed_when_the_store_the_pipeline_or_the_day_changes() {
    let mut state = view("staging", "dora", month(), 120, 40);
    // 17 in the window, the 40-day-old one left out.
    assert_eq!(total(&state), 17);
    let before = state.promo.health.clone().expect("health");

    // Drawing does not change it (computed in update only).
    render(&state, 120, 40);
    assert_eq!(state.promo.health.as_ref(), Some(&before));

    // A new promotion in the store: one more today.
    let mut more = month();
    more.push(step("fraud", "dev", "staging", "promoted", 0, 1));
    deliver(&mut state, ListPayload::of(more.clone()));
    assert_eq!(total(&state), 18);
    let h = state.promo.health.as_ref().expect("health");
    let staging_today = |h: &envdeck::domain::matrix::health::Health| h.stages[0].per_day[29];
    assert_eq!(staging_today(h), staging_today(&before) + 1);
    assert_eq!(h.stages[0].promoted, before.stages[0].promoted + 1);

    // A new pipeline: its stages are the rows (qa between dev and staging breaks every
    // dev → staging step, so only staging → production counts).
    let with_qa = EnvironmentList {
        environments: vec![
            env("dev", "Development", "full", None),
            env("qa", "QA", "full", None),
            env("staging", "Staging", "full", None),
            env("production", "Production", "read-only", None),
        ],
        current: None,
    };
    update(
        &mut state,
        Action::Environments {
            result: Ok(with_qa),
            cached: false,
        },
    );
    let h = state.promo.health.as_ref().expect("health");
    let labels: Vec<&str> = h.stages.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["QA", "Staging", "Production"]);
    assert_eq!(total(&state), 5);

    // The next UTC day moves the window; a tick the same day changes nothing.
    update(
        &mut state,
        Action::Environments {
            result: Ok(three_stages()),
            cached: false,
        },
    );
    let today = state.promo.health.as_ref().map(|h| h.today);
    update(
        &mut state,
        Action::Tick(Timestamp(now().0 + Duration::hours(1))),
    );
    assert_eq!(state.promo.health.as_ref().map(|h| h.today), today);
    update(
        &mut state,
        Action::Tick(Timestamp(now().0 + Duration::days(1))),
    );
    let h = state.promo.health.as_ref().expect("health");
    assert_eq!(Some(h.today), today.map(|d| d + Duration::days(1)));
    assert_eq!(h.stages[0].per_day[28], staging_today(&before) + 1);
}

/// The table's top border (its title) and bottom border as drawn, against the layout.
fn check_layout(state: &State) -> HealthFit {
    let (width, height) = state.size;
    let rows = rows(state);
    let areas = envdeck::ui::layout::of(state);
    let fit = above(state).health;
    let title = areas.body.y as usize + header_rows(state);
    let screen = rows.join("\n");
    assert!(
        rows[title].starts_with(" Promotions"),
        "{width}x{height}: the table's title is not at row {title}:\n{screen}"
    );
    let table_rows = state.table_height();
    assert_eq!(table_rows, usize::from(areas.table_rows));
    let bottom = title + 2 + table_rows;
    assert_eq!(bottom, areas.footer.y as usize - 1, "{width}x{height}");
    assert!(
        rows[bottom].trim_end().chars().all(|c| c == '─'),
        "{width}x{height}: no bottom border at row {bottom}:\n{screen}"
    );
    // What the health shows, where it shows.
    let top = &rows[areas.body.y as usize];
    match fit {
        HealthFit::Full(_) => {
            assert!(top.starts_with(" Health, last 30 days"), "{screen}");
            assert!(table_rows >= usize::from(HEALTH_FULL_KEEP), "{screen}");
        }
        HealthFit::Line => {
            assert!(top.starts_with(" Health, 30 days:"), "{screen}");
            assert!(table_rows >= usize::from(HEALTH_LINE_KEEP), "{screen}");
        }
        HealthFit::Hidden => assert!(top.starts_with('┌'), "{screen}"),
    }
    assert!(
        screen
            .lines()
            .last()
            .is_some_and(|l| l.contains("? help") && l.contains("q quit"))
    );
    fit
}

#[test]
fn the_table_height_agrees_with_what_is_drawn() {
    let mut seen = Vec::new();
    // Staging: no banner; production: the read-only banner takes a line. dora may approve
    // one promotion into staging, none into production; ada (cpi-admin) more.
    for (stage, user, roles) in [
        ("staging", "dora", "devops"),
        ("production", "dora", "devops"),
        ("staging", "vic", "viewer"),
        ("production", "ada", "cpi-admin"),
    ] {
        for (w, h) in [
            (60, 20),
            (80, 24),
            (80, 30),
            (100, 30),
            (120, 40),
            (200, 60),
        ] {
            let mut all = month();
            // Three more waiting into production (a full queue for ada).
            for api in ["a1", "a2", "a3"] {
                let mut p = step(api, "staging", "production", "pending", 0, 1);
                p.requested_by = "dave".into();
                all.push(p);
            }
            let mut state = loaded(three_stages(), Some(stage), me(user, &[roles]));
            update(&mut state, Action::Resize(w, h));
            update(&mut state, key('5'));
            deliver(&mut state, ListPayload::of(all));
            seen.push((stage, user, w, h, check_layout(&state)));
        }
    }
    let fit_at = |stage: &str, user: &str, w: u16, h: u16| {
        seen.iter()
            .find(|s| (s.0, s.1, s.2, s.3) == (stage, user, w, h))
            .map(|s| s.4)
    };
    // The rule at work: the strip where there is room, one line on 80x24, nothing when the
    // banner and a full queue leave the table 5 rows.
    assert!(matches!(
        fit_at("staging", "dora", 120, 40),
        Some(HealthFit::Full(_))
    ));
    assert_eq!(fit_at("staging", "dora", 80, 24), Some(HealthFit::Line));
    assert_eq!(fit_at("production", "ada", 80, 24), Some(HealthFit::Hidden));
    assert_eq!(fit_at("staging", "dora", 60, 20), Some(HealthFit::Hidden));
}
