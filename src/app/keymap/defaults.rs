//! The default bindings of every scope. Table keys are as README's key table; popup keys
//! are the ones each popup has always used.

use std::sync::LazyLock;

use crossterm::event::KeyCode;

use super::{Binding, Command};
use crate::app::state::ViewKind;
use crate::domain::Operation;

const fn bind(
    keys: &'static [KeyCode],
    key_label: &'static str,
    command: Command,
    description: &'static str,
    palette: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        key_label,
        command,
        description,
        palette,
        guard: None,
        hint: None,
        drop_order: 0,
        views: &[],
    }
}

const fn footer(b: Binding, hint: &'static str, drop_order: u8) -> Binding {
    Binding {
        hint: Some(hint),
        drop_order,
        ..b
    }
}

const fn api_write(b: Binding, op: Operation, hint: &'static str) -> Binding {
    Binding {
        guard: Some(op),
        hint: Some(hint),
        drop_order: ACTION,
        views: &[ViewKind::Apis],
        ..b
    }
}

/// A promotion key: its availability is computed per promotion (see `promo::keys`).
const fn promo(b: Binding, hint: &'static str, views: &'static [ViewKind]) -> Binding {
    Binding {
        hint: Some(hint),
        drop_order: ACTION,
        views,
        ..b
    }
}

/// Footer drop orders (higher goes first when the line is too narrow; [`KEEP`] never goes).
pub const KEEP: u8 = 0;
const STAGE: u8 = 1;
const ACTION: u8 = 2;

const PROMOTIONS: &[ViewKind] = &[ViewKind::Promotions];
const PIPELINE: &[ViewKind] = &[ViewKind::Pipeline];

use Command as C;
use KeyCode as K;

/// The table's keys: those before the view keys, the view keys (one digit per view, in
/// `ViewKind::ALL` order), then the rest.
pub static TABLE: LazyLock<Vec<Binding>> = LazyLock::new(|| {
    let views = ViewKind::ALL
        .iter()
        .zip(&VIEW_DIGITS)
        .map(|(&kind, digit)| {
            bind(
                std::slice::from_ref(&digit.0),
                digit.1,
                C::View(kind),
                kind.title(),
                Some(kind.key()),
            )
        });
    TABLE_FIRST
        .iter()
        .copied()
        .chain(views)
        .chain(TABLE_REST.iter().copied())
        .collect()
});

/// The view keys: a view's digit is its place in the tab order.
const VIEW_DIGITS: [(KeyCode, &str); 10] = [
    (K::Char('0'), "0"),
    (K::Char('1'), "1"),
    (K::Char('2'), "2"),
    (K::Char('3'), "3"),
    (K::Char('4'), "4"),
    (K::Char('5'), "5"),
    (K::Char('6'), "6"),
    (K::Char('7'), "7"),
    (K::Char('8'), "8"),
    (K::Char('9'), "9"),
];

const TABLE_FIRST: &[Binding] = &[
    api_write(
        bind(&[K::Char('n')], "n", C::NewApi, "new API", Some("new")),
        Operation::CreateApi,
        "new",
    ),
    api_write(
        bind(&[K::Char('E')], "E", C::EditApi, "edit API", Some("edit")),
        Operation::EditApi,
        "edit",
    ),
    api_write(
        bind(
            &[K::Char('D')],
            "D",
            C::DeleteApi,
            "delete API",
            Some("delete"),
        ),
        Operation::DeleteApi,
        "delete",
    ),
    promo(
        bind(
            &[K::Char('p')],
            "p",
            C::Promote,
            "promote to next stage",
            Some("promote"),
        ),
        "promote",
        &[ViewKind::Pipeline, ViewKind::Apis, ViewKind::Promotions],
    ),
    promo(
        bind(
            &[K::Char('a')],
            "a",
            C::Approve,
            "approve (after review)",
            Some("approve"),
        ),
        "approve",
        &[ViewKind::Pipeline, ViewKind::Promotions],
    ),
    promo(
        bind(
            &[K::Char('c')],
            "c",
            C::Complete,
            "complete promotion",
            Some("complete"),
        ),
        "complete",
        PROMOTIONS,
    ),
    promo(
        bind(
            &[K::Char('R')],
            "R",
            C::Rollback,
            "roll back promotion",
            Some("rollback"),
        ),
        "rollback",
        PROMOTIONS,
    ),
    Binding {
        views: PROMOTIONS,
        ..bind(
            &[K::Char('f')],
            "f",
            C::StatusFilter,
            "filter by status",
            Some("status-filter"),
        )
    },
    Binding {
        views: PROMOTIONS,
        ..bind(
            &[K::Char('t')],
            "t",
            C::TargetFilter,
            "this stage / every stage",
            Some("target-filter"),
        )
    },
    footer(
        bind(
            &[K::Char('e')],
            "e",
            C::Switcher,
            "switch stage",
            Some("stages"),
        ),
        "stage",
        STAGE,
    ),
    footer(
        bind(&[K::Char('/')], "/", C::Filter, "filter", Some("filter")),
        "filter",
        7,
    ),
    footer(
        bind(
            &[K::Char('s')],
            "s",
            C::SortColumn,
            "sort by next column",
            Some("sort"),
        ),
        "sort",
        9,
    ),
    bind(
        &[K::Char('S')],
        "S",
        C::SortDirection,
        "reverse sort",
        Some("reverse"),
    ),
    footer(
        bind(
            &[K::Enter],
            "Enter",
            C::Detail,
            "detail pane",
            Some("detail"),
        ),
        "detail",
        8,
    ),
    footer(
        bind(&[K::Char('r')], "r", C::Refresh, "refresh", Some("refresh")),
        "refresh",
        3,
    ),
    footer(
        bind(&[K::Char('?')], "?", C::Help, "help", Some("help")),
        "help",
        KEEP,
    ),
    footer(
        bind(&[K::Char(':')], ":", C::Palette, "command palette", None),
        "cmd",
        5,
    ),
    footer(
        bind(&[K::Char('q')], "q", C::Quit, "quit", Some("quit")),
        "quit",
        KEEP,
    ),
    bind(
        &[K::Char(']')],
        "]",
        C::NextStage,
        "next stage",
        Some("next-stage"),
    ),
    bind(
        &[K::Char('[')],
        "[",
        C::PrevStage,
        "previous stage",
        Some("prev-stage"),
    ),
    bind(&[K::Tab], "Tab", C::NextView, "next view", None),
    bind(&[K::BackTab], "S-Tab", C::PrevView, "previous view", None),
];

const TABLE_REST: &[Binding] = &[
    bind(&[K::Up, K::Char('k')], "Up/k", C::Up, "up", None),
    bind(&[K::Down, K::Char('j')], "Down/j", C::Down, "down", None),
    bind(&[K::PageUp], "PgUp", C::PageUp, "page up", None),
    bind(&[K::PageDown], "PgDn", C::PageDown, "page down", None),
    bind(
        &[K::Home, K::Char('g')],
        "Home/g",
        C::Top,
        "first row",
        None,
    ),
    bind(
        &[K::End, K::Char('G')],
        "End/G",
        C::Bottom,
        "last row",
        None,
    ),
    Binding {
        views: PIPELINE,
        ..bind(
            &[K::Left, K::Char('h')],
            "Left/h",
            C::Left,
            "stage to the left",
            None,
        )
    },
    Binding {
        views: PIPELINE,
        ..bind(
            &[K::Right, K::Char('l')],
            "Right/l",
            C::Right,
            "stage to the right",
            None,
        )
    },
    bind(&[K::Esc], "Esc", C::Back, "back / clear filter", None),
];

const fn key(
    keys: &'static [KeyCode],
    label: &'static str,
    c: Command,
    d: &'static str,
) -> Binding {
    bind(keys, label, c, d, None)
}

/// `?`: the key overlay.
pub const HELP: &[Binding] = &[
    key(
        &[K::Esc, K::Char('?'), K::Char('q')],
        "Esc/?/q",
        C::Close,
        "close",
    ),
    key(&[K::Down, K::Char('j')], "Down/j", C::Down, "scroll down"),
    key(&[K::Up, K::Char('k')], "Up/k", C::Up, "scroll up"),
    key(
        &[K::PageDown, K::Char(' ')],
        "PgDn",
        C::PageDown,
        "page down",
    ),
    key(&[K::PageUp], "PgUp", C::PageUp, "page up"),
];

/// `e`: the stage switcher.
pub const SWITCHER: &[Binding] = &[
    key(&[K::Enter], "Enter", C::Submit, "switch to the selection"),
    key(&[K::Down, K::Char('j')], "Down/j", C::Down, "next stage"),
    key(&[K::Up, K::Char('k')], "Up/k", C::Up, "previous stage"),
    key(&DIGITS, "1-9", C::PickStage, "switch to stage number N"),
    key(
        &[K::Esc, K::Char('e'), K::Char('q')],
        "Esc/e/q",
        C::Close,
        "cancel",
    ),
];

const DIGITS: [KeyCode; 9] = [
    K::Char('1'),
    K::Char('2'),
    K::Char('3'),
    K::Char('4'),
    K::Char('5'),
    K::Char('6'),
    K::Char('7'),
    K::Char('8'),
    K::Char('9'),
];

/// `:`: every other key is typed into the palette.
pub const PALETTE: &[Binding] = &[
    key(&[K::Enter], "Enter", C::Submit, "run the command"),
    key(&[K::Down, K::Tab], "Down/Tab", C::Down, "next match"),
    key(&[K::Up, K::BackTab], "Up/S-Tab", C::Up, "previous match"),
    key(&[K::Esc], "Esc", C::Close, "cancel"),
];

/// Enter on a row: the detail pane.
pub const DETAIL: &[Binding] = &[
    key(&[K::Down, K::Char('j')], "Down/j", C::Down, "scroll down"),
    key(&[K::Up, K::Char('k')], "Up/k", C::Up, "scroll up"),
    key(
        &[K::Esc, K::Enter, K::Char('q')],
        "Esc/Enter/q",
        C::Close,
        "close",
    ),
];

/// Enter on a promotion: its review (`promo::popups::review_key`).
pub const REVIEW: &[Binding] = &[
    key(&[K::Char('a')], "a", C::Approve, "approve (after the diff)"),
    key(&[K::Char('c')], "c", C::Complete, "complete"),
    key(&[K::Char('R')], "R", C::Rollback, "roll back"),
    key(&[K::Down, K::Char('j')], "Down/j", C::Down, "scroll down"),
    key(&[K::Up, K::Char('k')], "Up/k", C::Up, "scroll up"),
    key(
        &[K::PageDown, K::Char(' ')],
        "PgDn/Space",
        C::PageDown,
        "page down",
    ),
    key(&[K::PageUp], "PgUp", C::PageUp, "page up"),
    key(
        &[K::Esc, K::Enter, K::Char('q')],
        "Esc/Enter/q",
        C::Close,
        "close",
    ),
];

/// Confirmations of writes (`popups::confirm_key`, `promo::popups::confirm_key`). `y` and `n`
/// only act when nothing is typed (a stage name or a message).
pub const CONFIRM: &[Binding] = &[
    key(&[K::Enter], "Enter", C::Submit, "confirm"),
    key(&[K::Char('y')], "y", C::Yes, "yes (nothing to type)"),
    key(&[K::Char('n')], "n", C::No, "no (nothing to type)"),
    key(&[K::Esc], "Esc", C::Close, "cancel"),
];

/// The API form and the promote form (`form::ApiForm::handle_key`, `promo::popups::form_key`).
/// In a text field only the keys that type nothing act (see `KeyMap::lookup_text`).
pub const FORM: &[Binding] = &[
    key(&[K::Enter], "Enter", C::Submit, "submit"),
    key(&[K::Tab], "Tab", C::NextField, "next field"),
    key(&[K::BackTab], "S-Tab", C::PrevField, "previous field"),
    key(
        &[K::Down, K::Char('j')],
        "Down/j",
        C::Down,
        "next item / next field",
    ),
    key(
        &[K::Up, K::Char('k')],
        "Up/k",
        C::Up,
        "previous item / field",
    ),
    key(&[K::Char(' ')], "Space", C::Toggle, "toggle the gateway"),
    key(&[K::Esc], "Esc", C::Close, "cancel"),
];
