//! The one key map: key → command, with its description, the views it applies to and the
//! policy operation guarding it. The footer, the `?` overlay and the `:` palette are all
//! generated from [`BINDINGS`].

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::ViewKind;
use crate::domain::Operation;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Quit,
    Back,
    Help,
    Palette,
    NextView,
    PrevView,
    View(ViewKind),
    Switcher,
    NextStage,
    PrevStage,
    Filter,
    SortColumn,
    SortDirection,
    Detail,
    Refresh,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NewApi,
    EditApi,
    DeleteApi,
    Promote,
    Approve,
    Complete,
    Rollback,
    StatusFilter,
    TargetFilter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the key is written in the footer and help.
    pub key_label: &'static str,
    pub command: Command,
    pub description: &'static str,
    /// The palette entry (`:name`); `None` for pure navigation keys.
    pub palette: Option<&'static str>,
    pub guard: Option<Operation>,
    /// The footer's short label (navigation keys are only in the help overlay).
    pub hint: Option<&'static str>,
    /// Which footer hints go first when the line is too narrow (higher goes first).
    pub drop_order: u8,
    /// The views the key applies to; empty means every view.
    pub views: &'static [ViewKind],
}

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
        views: &[ViewKind::Apis],
        ..b
    }
}

/// A promotion key: its availability is computed per promotion (see `promo_keys`).
const fn promo(b: Binding, hint: &'static str, views: &'static [ViewKind]) -> Binding {
    Binding {
        hint: Some(hint),
        views,
        ..b
    }
}

const PROMOTIONS: &[ViewKind] = &[ViewKind::Promotions];

use Command as C;
use KeyCode as K;

pub const BINDINGS: &[Binding] = &[
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
        &[ViewKind::Apis, ViewKind::Promotions],
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
        PROMOTIONS,
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
        0,
    ),
    footer(
        bind(&[K::Char('/')], "/", C::Filter, "filter", Some("filter")),
        "filter",
        3,
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
        5,
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
        4,
    ),
    footer(
        bind(&[K::Char('r')], "r", C::Refresh, "refresh", Some("refresh")),
        "refresh",
        2,
    ),
    footer(
        bind(&[K::Char('?')], "?", C::Help, "help", Some("help")),
        "help",
        0,
    ),
    footer(
        bind(&[K::Char(':')], ":", C::Palette, "command palette", None),
        "cmd",
        1,
    ),
    footer(
        bind(&[K::Char('q')], "q", C::Quit, "quit", Some("quit")),
        "quit",
        0,
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
    bind(
        &[K::Char('1')],
        "1",
        C::View(ViewKind::Apis),
        "APIs",
        Some("apis"),
    ),
    bind(
        &[K::Char('2')],
        "2",
        C::View(ViewKind::Deployments),
        "Deployments",
        Some("deployments"),
    ),
    bind(
        &[K::Char('3')],
        "3",
        C::View(ViewKind::Gateways),
        "Gateways",
        Some("gateways"),
    ),
    bind(
        &[K::Char('4')],
        "4",
        C::View(ViewKind::Subscriptions),
        "Subscriptions",
        Some("subscriptions"),
    ),
    bind(
        &[K::Char('5')],
        "5",
        C::View(ViewKind::Promotions),
        "Promotions",
        Some("promotions"),
    ),
    bind(
        &[K::Char('6')],
        "6",
        C::View(ViewKind::Audit),
        "Audit",
        Some("audit"),
    ),
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
    bind(&[K::Esc], "Esc", C::Back, "back / clear filter", None),
];

/// The binding a key press selects in the normal (table) mode.
pub fn lookup(key: &KeyEvent) -> Option<&'static Binding> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    BINDINGS.iter().find(|b| b.keys.contains(&key.code))
}

/// Ctrl-C quits from anywhere, whatever popup is open.
pub fn is_force_quit(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

pub fn binding_for(command: Command) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| b.command == command)
}

impl Binding {
    pub fn applies_to(&self, view: ViewKind) -> bool {
        self.views.is_empty() || self.views.contains(&view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_key_and_palette_name_is_bound_once() {
        let mut keys = HashSet::new();
        let mut names = HashSet::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(keys.insert(*k), "{k:?} bound twice");
            }
            if let Some(p) = b.palette {
                assert!(names.insert(p), "{p} twice in the palette");
            }
        }
    }

    #[test]
    fn writes_are_guarded() {
        for c in [C::NewApi, C::EditApi, C::DeleteApi] {
            assert!(binding_for(c).and_then(|b| b.guard).is_some(), "{c:?}");
        }
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(&q).map(|b| b.command), Some(C::Quit));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(is_force_quit(&ctrl_c) && lookup(&ctrl_c).is_none());
    }
}
