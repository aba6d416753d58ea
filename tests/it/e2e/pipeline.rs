//! The Pipeline view (`0`) as operators drive it: the real binary in a pseudo-terminal against
//! `envdeck serve --seed demo` in another process (issue 13: `p` on a cell creates a
//! promotion that then shows as an arrow); the server is asked what really happened.

use super::pty::Session;
use crate::promotions::e2e::{WAIT, World, filter, fresh_api, quit};

/// The matrix's lines on `screen`: its column header ("  API  ● Development …") and the API
/// rows under it, up to the first blank line.
fn matrix(screen: &str) -> Option<(&str, Vec<&str>)> {
    let mut lines = screen.lines().skip_while(|l| !l.starts_with("  API "));
    let header = lines.next()?;
    Some((header, lines.take_while(|l| !l.trim().is_empty()).collect()))
}

/// The API a matrix row is of, and whether it is the selected one (`▶` in the first column).
fn row_name(line: &str) -> (Option<&str>, bool) {
    let selected = line.starts_with('▶');
    let rest = line.trim_start_matches('▶').trim_start();
    (rest.split_whitespace().next(), selected)
}

/// The row of `api` in the matrix on `screen`.
fn row_of<'a>(screen: &'a str, api: &str) -> Option<&'a str> {
    matrix(screen)?
        .1
        .into_iter()
        .find(|l| row_name(l).0 == Some(api))
}

/// The API of the selected row.
fn selected(screen: &str) -> Option<&str> {
    matrix(screen)?
        .1
        .into_iter()
        .map(row_name)
        .find_map(|(name, selected)| name.filter(|_| selected))
}

/// The terminal column at which `needle` starts in `line` (the matrix's symbols are one
/// column wide each, and nothing wide stands before them).
fn column(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|at| line[..at].chars().count())
}

/// The status line: the one above the key footer, the last line of the screen.
fn status_line(screen: &str) -> &str {
    screen.lines().rev().nth(1).unwrap_or_default()
}

fn status_shows(s: &Session, text: &str) -> String {
    s.wait_until(&format!("{text:?} on the status line"), WAIT, |screen| {
        status_line(screen).contains(text)
    })
}

/// `0`, then `/` with `api`'s name and Enter; the selection is moved onto its row (the filter
/// is fuzzy: another API may match too and come first) and the screen returned.
fn open_row(s: &Session, api: &str) -> String {
    // The console is up (its first list is loaded) before it is sent keys.
    s.wait_for("Development", WAIT);
    s.send("0");
    s.wait_until("the pipeline matrix", WAIT, |screen| {
        screen.contains("most out of date first")
            && matrix(screen).is_some_and(|(_, rows)| !rows.is_empty())
    });
    filter(s, api);
    let screen = s.wait_until(&format!("{api}'s row, filtered"), WAIT, |screen| {
        screen.contains(&format!("filter: {api}")) && row_of(screen, api).is_some()
    });
    let rows: Vec<Option<&str>> = matrix(&screen)
        .map(|(_, rows)| rows.into_iter().map(|l| row_name(l).0).collect())
        .unwrap_or_default();
    let at = rows.iter().position(|&n| n == Some(api)).unwrap_or(0);
    // The filter put the selection on the first row it kept.
    for _ in 0..at {
        s.send("j");
    }
    // Stage columns: the first (Development) is the one `p` promotes from.
    s.send("h");
    s.wait_until(&format!("{api} selected"), WAIT, |screen| {
        selected(screen) == Some(api)
    })
}

/// `p` on a cell whose Development cell runs the API: the create form, a message, the
/// confirmation, `y`; the arrow `▸ tess` then stands between Development and Staging on the
/// row, the status line names the promotion, and the server holds it, pending.
#[test]
fn p_on_a_development_cell_requests_a_promotion_that_shows_as_an_arrow() {
    let mut world = World::start();
    // Synced in dev, absent from staging, never promoted: nothing points into its Staging cell.
    let api = fresh_api(&world);
    assert!(
        world.promotions_of(&api).is_empty(),
        "{api} has no promotion yet"
    );
    let s = world.console("tess");
    let screen = open_row(&s, &api);
    let (header, _) = matrix(&screen).expect("the matrix");
    let development = column(header, "● Development").expect("a Development column");
    let staging = column(header, "● Staging").expect("a Staging column");
    let row = row_of(&screen, &api).expect("the row");
    assert_eq!(
        row.chars().nth(development),
        Some('✓'),
        "{api} runs, synced, in Development: {row:?}"
    );
    assert!(
        !row.contains('▸'),
        "no promotion of {api} is open yet: {row:?}"
    );

    s.send("p");
    s.wait_for(&format!("Promote {api} · Development → Staging"), WAIT);
    // The pre-flight has answered and the message field has the focus.
    s.wait_for("chain valid", WAIT);
    s.wait_for("▶ Message 0/1000", WAIT);
    let message = "Pipeline view: ready for staging";
    s.type_text(message);
    s.wait_for(&format!("Message {}/1000", message.len()), WAIT);
    s.send("\r");
    s.wait_for("┌ Confirm", WAIT);
    s.wait_for(&format!("Request promotion of {api}"), WAIT);
    s.wait_for("Promotion: Development → Staging", WAIT);
    s.send("y");

    // "promotion 1a2b3c4d requested: <api> Development → Staging · envdeck promote create …"
    let screen = status_shows(&s, " requested: ");
    let status = status_line(&screen).trim();
    let (short_id, what) = status
        .strip_prefix("promotion ")
        .and_then(|rest| rest.split_once(" requested: "))
        .unwrap_or_else(|| panic!("the status line names the promotion: {status:?}"));
    assert!(
        short_id.len() == 8 && short_id.chars().all(|c| c.is_ascii_hexdigit()),
        "a short promotion id: {status:?}"
    );
    assert!(
        what.starts_with(&format!("{api} Development → Staging")),
        "{status:?}"
    );

    let screen = s.wait_until(
        &format!("the arrow ▸ tess on {api}'s row"),
        WAIT,
        |screen| row_of(screen, &api).is_some_and(|row| row.contains("▸ tess")),
    );
    let row = row_of(&screen, &api).expect("the row");
    let arrow = column(row, "▸ tess").expect("the arrow");
    assert!(
        development < arrow && arrow < staging,
        "the arrow stands in the gap between Development ({development}) and Staging \
         ({staging}), at {arrow}:\n{screen}"
    );
    assert!(!row.contains("▸▸"), "pending, not promoting: {row:?}");
    assert_eq!(
        row.chars().nth(development),
        Some('✓'),
        "the cells stay: {row:?}"
    );

    // The server has it: from dev into staging, pending, asked by tess with her message.
    let created = world.promotions_of(&api);
    let [p] = created.as_slice() else {
        panic!("one promotion of {api}: {created:?}");
    };
    assert!(
        p.id.starts_with(short_id),
        "the status line's {short_id} is {}",
        p.id
    );
    assert_eq!(
        (
            p.source_environment.as_str(),
            p.target_environment.as_str(),
            p.status.as_str(),
            p.requested_by.as_str(),
            p.message.as_str()
        ),
        ("dev", "staging", "pending", "tess", message)
    );
    quit(s);
}

/// A devops user (the control plane will not list promotion sources to them) and a viewer
/// (no apis:promote permission) press `p` in the Pipeline view: the status line says why not,
/// no form opens, and nothing reaches the server.
#[test]
fn p_in_the_pipeline_is_refused_to_devops_and_viewers() {
    let mut world = World::start();
    let api = fresh_api(&world);
    let devops = format!(
        "cannot prepare the promotion: {}",
        envdeck::api::prepare::ADMIN_ONLY_SOURCES
    );
    for (user, refusal) in [
        ("dora", devops.as_str()),
        ("vic", "promote: you lack the apis:promote permission"),
    ] {
        let s = world.console(user);
        open_row(&s, &api);
        s.send("p");
        let screen = status_shows(&s, refusal);
        assert!(!screen.contains("┌ Promote"), "{user}: no form:\n{screen}");
        let row = row_of(&screen, &api).expect("the row");
        assert!(!row.contains('▸'), "{user}: no arrow: {row:?}");
        quit(s);
    }
    let after = world.promotions_of(&api);
    assert!(after.is_empty(), "nothing was created: {after:?}");
}
