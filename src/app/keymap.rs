//! The one key map: per scope (the table and each popup), key → command with its
//! description; table keys also carry the views they apply to and the policy operation
//! guarding them. The footer, the `?` overlay and the `:` palette are generated from it.
//! A [`KeyMap`] is the defaults with config.toml's `[keys]` overrides applied
//! ([`KeyMap::from_config`]); every key press is looked up through it.

mod defaults;
mod overrides;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::ViewKind;
use crate::domain::Operation;
pub use defaults::KEEP;

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
    /// The Pipeline view: the stage column to the left or right.
    Left,
    Right,
    NewApi,
    EditApi,
    DeleteApi,
    Promote,
    Approve,
    Complete,
    Rollback,
    StatusFilter,
    TargetFilter,
    /// Popups: close or cancel.
    Close,
    /// Popups: the selected entry, or send the form / confirmation.
    Submit,
    Yes,
    No,
    NextField,
    PrevField,
    /// The promote form: choose or leave the gateway under the cursor.
    Toggle,
    /// The switcher's digit keys (the digit is the stage's number; not rebindable).
    PickStage,
}

impl Command {
    /// The name in config.toml's `[keys]` (the palette's name where it has one).
    pub fn name(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::Back => "back",
            Command::Help => "help",
            Command::Palette => "palette",
            Command::NextView => "next-view",
            Command::PrevView => "prev-view",
            Command::View(v) => v.key(),
            Command::Switcher => "stages",
            Command::NextStage => "next-stage",
            Command::PrevStage => "prev-stage",
            Command::Filter => "filter",
            Command::SortColumn => "sort",
            Command::SortDirection => "reverse",
            Command::Detail => "detail",
            Command::Refresh => "refresh",
            Command::Up => "up",
            Command::Down => "down",
            Command::PageUp => "page-up",
            Command::PageDown => "page-down",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::Left => "left",
            Command::Right => "right",
            Command::NewApi => "new",
            Command::EditApi => "edit",
            Command::DeleteApi => "delete",
            Command::Promote => "promote",
            Command::Approve => "approve",
            Command::Complete => "complete",
            Command::Rollback => "rollback",
            Command::StatusFilter => "status-filter",
            Command::TargetFilter => "target-filter",
            Command::Close => "close",
            Command::Submit => "submit",
            Command::Yes => "yes",
            Command::No => "no",
            Command::NextField => "next-field",
            Command::PrevField => "prev-field",
            Command::Toggle => "toggle",
            Command::PickStage => "pick",
        }
    }
}

/// Where a key press lands: the table, or the popup that is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Table,
    Review,
    Confirm,
    Form,
    Palette,
    Help,
    Switcher,
    Detail,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Scope::Table,
        Scope::Review,
        Scope::Confirm,
        Scope::Form,
        Scope::Palette,
        Scope::Help,
        Scope::Switcher,
        Scope::Detail,
    ];

    /// The name in config.toml (`[keys.review]`) and the help overlay's group.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Table => "table",
            Scope::Review => "review",
            Scope::Confirm => "confirm",
            Scope::Form => "form",
            Scope::Palette => "palette",
            Scope::Help => "help",
            Scope::Switcher => "switcher",
            Scope::Detail => "detail",
        }
    }

    /// The help overlay's heading.
    pub fn title(self) -> &'static str {
        match self {
            Scope::Table => "Lists",
            Scope::Review => "Promotion review",
            Scope::Confirm => "Confirmations",
            Scope::Form => "Forms",
            Scope::Palette => "Command palette",
            Scope::Help => "This overlay",
            Scope::Switcher => "Stage switcher",
            Scope::Detail => "Detail pane",
        }
    }

    pub fn parse(raw: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == raw)
    }

    fn defaults(self) -> &'static [Binding] {
        match self {
            Scope::Table => &defaults::TABLE,
            Scope::Review => defaults::REVIEW,
            Scope::Confirm => defaults::CONFIRM,
            Scope::Form => defaults::FORM,
            Scope::Palette => defaults::PALETTE,
            Scope::Help => defaults::HELP,
            Scope::Switcher => defaults::SWITCHER,
            Scope::Detail => defaults::DETAIL,
        }
    }
}

/// A default binding: its keys and everything about it that config.toml cannot change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the default keys are written in the footer and help.
    pub key_label: &'static str,
    pub command: Command,
    pub description: &'static str,
    /// The palette entry (`:name`); `None` for pure navigation keys.
    pub palette: Option<&'static str>,
    pub guard: Option<Operation>,
    /// The footer's short label (navigation keys are only in the help overlay).
    pub hint: Option<&'static str>,
    /// Which footer hints go first when the line is too narrow (higher goes first; [`KEEP`]
    /// never goes).
    pub drop_order: u8,
    /// The views the key applies to; empty means every view.
    pub views: &'static [ViewKind],
}

impl Binding {
    pub fn applies_to(&self, view: ViewKind) -> bool {
        self.views.is_empty() || self.views.contains(&view)
    }
}

/// One key: a key code, with Ctrl or without (Shift is in the character itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }

    pub fn of(event: &KeyEvent) -> Key {
        Key {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// A key that types a character (text fields take it before any binding).
    pub fn is_text(self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl
    }
}

/// A binding as this console has it: the default, and the keys it answers to now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    pub binding: &'static Binding,
    pub keys: Vec<Key>,
    /// How the keys are written (the default label until config.toml changes the keys).
    pub label: String,
}

impl std::ops::Deref for Bound {
    type Target = Binding;
    fn deref(&self) -> &Binding {
        self.binding
    }
}

/// Every scope's bindings: the defaults with config.toml's overrides applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMap {
    scopes: Vec<Vec<Bound>>,
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::defaults()
    }
}

impl KeyMap {
    pub fn defaults() -> KeyMap {
        let scopes = Scope::ALL
            .iter()
            .map(|s| {
                s.defaults()
                    .iter()
                    .map(|b| Bound {
                        binding: b,
                        keys: b.keys.iter().copied().map(Key::plain).collect(),
                        label: b.key_label.to_string(),
                    })
                    .collect()
            })
            .collect();
        KeyMap { scopes }
    }

    /// The defaults with config.toml's `[keys]` entries applied; each entry that cannot be
    /// applied keeps the default and comes back as a notice naming its line.
    pub fn from_config(entries: &[crate::store::config::KeyEntry]) -> (KeyMap, Vec<String>) {
        overrides::apply(entries)
    }

    pub fn bindings(&self, scope: Scope) -> &[Bound] {
        &self.scopes[scope as usize]
    }

    fn bindings_mut(&mut self, scope: Scope) -> &mut Vec<Bound> {
        &mut self.scopes[scope as usize]
    }

    /// The binding a key press selects in `scope` (Ctrl-C is never bound: it always quits).
    pub fn binding(&self, scope: Scope, key: &KeyEvent) -> Option<&Bound> {
        let key = Key::of(key);
        self.bindings(scope).iter().find(|b| b.keys.contains(&key))
    }

    /// The command a key press selects in `scope`.
    pub fn lookup(&self, scope: Scope, key: &KeyEvent) -> Option<Command> {
        self.binding(scope, key).map(|b| b.command)
    }

    /// As [`KeyMap::lookup`], for a popup whose focus is a text field: keys that type a
    /// character are text there, whatever they are bound to.
    pub fn lookup_text(&self, scope: Scope, key: &KeyEvent) -> Option<Command> {
        if Key::of(key).is_text() {
            return None;
        }
        self.lookup(scope, key)
    }

    pub fn find(&self, scope: Scope, command: Command) -> Option<&Bound> {
        self.bindings(scope).iter().find(|b| b.command == command)
    }

    /// How `command`'s keys are written in `scope` ("" when unbound), for popups' key lines.
    pub fn label(&self, scope: Scope, command: Command) -> &str {
        self.find(scope, command).map_or("", |b| b.label.as_str())
    }
}

/// Ctrl-C quits from anywhere, whatever popup is open.
pub fn is_force_quit(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

/// The default table binding of `command` (descriptions and guards never change).
pub fn binding_for(command: Command) -> Option<&'static Binding> {
    defaults::TABLE.iter().find(|b| b.command == command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_key_is_bound_once_per_scope_and_palette_names_are_unique() {
        let map = KeyMap::defaults();
        for scope in Scope::ALL {
            let mut keys = HashSet::new();
            let mut names = HashSet::new();
            for b in map.bindings(scope) {
                for k in &b.keys {
                    assert!(keys.insert(*k), "{k:?} bound twice in {scope:?}");
                }
                assert!(names.insert(b.command.name()), "{:?} twice", b.command);
                if let Some(p) = b.palette {
                    assert_eq!(p, b.command.name(), "the palette and config names agree");
                }
            }
        }
    }

    #[test]
    fn writes_are_guarded_and_ctrl_c_is_never_a_binding() {
        for c in [Command::NewApi, Command::EditApi, Command::DeleteApi] {
            assert!(binding_for(c).and_then(|b| b.guard).is_some(), "{c:?}");
        }
        let map = KeyMap::defaults();
        let q = press(KeyCode::Char('q'));
        assert_eq!(map.lookup(Scope::Table, &q), Some(Command::Quit));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(is_force_quit(&ctrl_c));
        for scope in Scope::ALL {
            assert_eq!(map.lookup(scope, &ctrl_c), None, "{scope:?}");
        }
    }

    #[test]
    fn popup_scopes_have_the_keys_the_popups_use() {
        let map = KeyMap::defaults();
        let cases = [
            (Scope::Review, KeyCode::Char(' '), Command::PageDown),
            (Scope::Review, KeyCode::Char('a'), Command::Approve),
            (Scope::Review, KeyCode::Enter, Command::Close),
            (Scope::Confirm, KeyCode::Char('y'), Command::Yes),
            (Scope::Form, KeyCode::BackTab, Command::PrevField),
            (Scope::Form, KeyCode::Char(' '), Command::Toggle),
            (Scope::Palette, KeyCode::Tab, Command::Down),
            (Scope::Switcher, KeyCode::Char('7'), Command::PickStage),
            (Scope::Detail, KeyCode::Char('q'), Command::Close),
            (Scope::Help, KeyCode::Char('?'), Command::Close),
        ];
        for (scope, code, command) in cases {
            assert_eq!(map.lookup(scope, &press(code)), Some(command), "{scope:?}");
        }
        // In a text field `j` is text and `y` is a letter of the stage name.
        assert_eq!(
            map.lookup_text(Scope::Form, &press(KeyCode::Char('j'))),
            None
        );
        assert_eq!(
            map.lookup_text(Scope::Confirm, &press(KeyCode::Char('y'))),
            None
        );
        assert_eq!(
            map.lookup_text(Scope::Form, &press(KeyCode::Down)),
            Some(Command::Down)
        );
    }
}
