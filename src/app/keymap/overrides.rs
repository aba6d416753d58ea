//! config.toml's `[keys]` applied to the defaults: key names parsed, commands found in their
//! scope, and every entry that cannot be applied (unknown scope or command, a key that does
//! not parse, a key bound twice in one scope) refused with a notice naming its line; the
//! default stays, so nothing is lost.

use crossterm::event::KeyCode;

use super::{Command, Key, KeyMap, Scope};
use crate::store::config::KeyEntry;

/// Parses `q`, `Enter`, `S-Tab`, `PgDn`, `F5`, `Space`, `Ctrl-x`; names are case-insensitive,
/// single characters are not (`R` is Shift-r).
pub fn parse_key(raw: &str) -> Result<Key, String> {
    let lower = raw.trim().to_ascii_lowercase();
    for prefix in ["ctrl-", "ctrl+", "c-"] {
        if let Some(rest) = lower.strip_prefix(prefix)
            && rest.chars().count() == 1
        {
            let c = rest.chars().next().unwrap_or_default();
            if c == 'c' {
                return Err("Ctrl-C always quits".into());
            }
            return Ok(Key {
                code: KeyCode::Char(c),
                ctrl: true,
            });
        }
    }
    let mut chars = raw.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && !c.is_control()
    {
        return Ok(Key::plain(KeyCode::Char(c)));
    }
    let code = match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "s-tab" | "shift-tab" | "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        f if f.starts_with('f') => match f[1..].parse::<u8>() {
            Ok(n @ 1..=12) => KeyCode::F(n),
            _ => return Err(format!("unknown key {raw:?}")),
        },
        _ => return Err(format!("unknown key {raw:?}")),
    };
    Ok(Key::plain(code))
}

/// How a key is written in the footer and help (`parse_key` reads it back).
pub fn key_name(key: Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        KeyCode::Up => "Up".into(),
        KeyCode::Down => "Down".into(),
        KeyCode::Left => "Left".into(),
        KeyCode::Right => "Right".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Delete".into(),
        KeyCode::Insert => "Insert".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// One entry that parsed: which binding it rebinds, to what, and where it was written.
struct Override<'a> {
    scope: Scope,
    index: usize,
    keys: Vec<Key>,
    entry: &'a KeyEntry,
}

fn refused(entry: &KeyEntry, why: &str) -> String {
    // The problem first: the console's notice line may cut the end off.
    let section = match &entry.scope {
        Some(s) => format!("[keys.{s}]"),
        None => "[keys]".into(),
    };
    format!(
        "{section} {} = {:?} on line {} ignored: {why} ({})",
        entry.command,
        entry.keys.join(" "),
        entry.line,
        entry.at
    )
}

fn resolve<'a>(map: &KeyMap, entry: &'a KeyEntry) -> Result<Override<'a>, String> {
    let scope = match entry.scope.as_deref() {
        None => Scope::Table,
        Some(raw) => Scope::parse(raw).ok_or_else(|| {
            let known: Vec<&str> = Scope::ALL.iter().map(|s| s.name()).collect();
            format!("unknown scope (known: {})", known.join(", "))
        })?,
    };
    let index = map
        .bindings(scope)
        .iter()
        .position(|b| b.command.name() == entry.command)
        .ok_or_else(|| format!("no command {:?} in {}", entry.command, scope.name()))?;
    if map.bindings(scope)[index].command == Command::PickStage {
        return Err("the digits pick the stage of that number".into());
    }
    if entry.keys.is_empty() {
        return Err("no key given".into());
    }
    let mut keys: Vec<Key> = Vec::new();
    for raw in &entry.keys {
        let key = parse_key(raw)?;
        if scope == Scope::Palette && key.is_text() {
            return Err(format!("{raw:?} would be typed into the palette"));
        }
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(Override {
        scope,
        index,
        keys,
        entry,
    })
}

/// A key held by two bindings of one scope once `active` overrides are applied: the later
/// override in the file, and the command it collides with.
fn collision(map: &KeyMap, active: &[Override<'_>]) -> Option<(usize, String)> {
    for (i, o) in active.iter().enumerate().rev() {
        for (j, other) in map.bindings(o.scope).iter().enumerate() {
            if j == o.index {
                continue;
            }
            let other_keys = match active.iter().find(|a| a.scope == o.scope && a.index == j) {
                Some(a) => &a.keys,
                None => &other.keys,
            };
            if let Some(k) = o.keys.iter().find(|k| other_keys.contains(k)) {
                let why = format!(
                    "{} is already {} in {}",
                    key_name(*k),
                    other.command.name(),
                    o.scope.name()
                );
                return Some((i, why));
            }
        }
    }
    None
}

pub fn apply(entries: &[KeyEntry]) -> (KeyMap, Vec<String>) {
    let mut map = KeyMap::defaults();
    let mut notices = Vec::new();
    let mut active: Vec<Override<'_>> = Vec::new();
    for entry in entries {
        match resolve(&map, entry) {
            Ok(o)
                if active
                    .iter()
                    .any(|a| a.scope == o.scope && a.index == o.index) =>
            {
                notices.push(refused(entry, "this command is bound twice in the file"));
            }
            Ok(o) => active.push(o),
            Err(why) => notices.push(refused(entry, &why)),
        }
    }
    // Checked once all are read, so two entries may swap keys; each collision drops the later
    // entry, until none is left (the defaults never collide).
    while let Some((i, why)) = collision(&map, &active) {
        let o = active.remove(i);
        notices.push(refused(o.entry, &why));
    }
    for o in active {
        let bound = &mut map.bindings_mut(o.scope)[o.index];
        bound.label = o
            .keys
            .iter()
            .map(|k| key_name(*k))
            .collect::<Vec<_>>()
            .join("/");
        bound.keys = o.keys;
    }
    (map, notices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEvent, KeyModifiers};

    fn entry(scope: Option<&str>, command: &str, keys: &[&str], line: usize) -> KeyEntry {
        KeyEntry {
            scope: scope.map(String::from),
            command: command.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line,
            at: format!("config.toml, line {line}, column 1"),
        }
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn key_names_parse_and_print_back() {
        for raw in [
            "q", "R", "Enter", "S-Tab", "PgDn", "F5", "Space", "Ctrl-x", "?",
        ] {
            let key = parse_key(raw).unwrap();
            assert_eq!(parse_key(&key_name(key)), Ok(key), "{raw}");
        }
        assert_eq!(parse_key("esc"), Ok(Key::plain(KeyCode::Esc)));
        for bad in ["", "qq", "F13", "Hyper-x", "Ctrl-c"] {
            assert!(parse_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn overrides_rebind_per_scope_and_swaps_work() {
        let (map, notices) = apply(&[
            entry(None, "quit", &["x"], 2),
            entry(None, "refresh", &["F5", "r"], 3),
            entry(Some("review"), "approve", &["A"], 5),
            // A swap: each key is the other's default.
            entry(None, "sort", &["S"], 6),
            entry(None, "reverse", &["s"], 7),
        ]);
        assert!(notices.is_empty(), "{notices:?}");
        let table = |c| map.lookup(Scope::Table, &press(c));
        assert_eq!(table(KeyCode::Char('x')), Some(Command::Quit));
        assert_eq!(table(KeyCode::Char('q')), None);
        assert_eq!(table(KeyCode::F(5)), Some(Command::Refresh));
        assert_eq!(table(KeyCode::Char('S')), Some(Command::SortColumn));
        assert_eq!(map.label(Scope::Table, Command::Refresh), "F5/r");
        let review = |c| map.lookup(Scope::Review, &press(c));
        assert_eq!(review(KeyCode::Char('A')), Some(Command::Approve));
        assert_eq!(review(KeyCode::Char('a')), None);
        // The table's `a` is untouched by the review's override.
        assert_eq!(table(KeyCode::Char('a')), Some(Command::Approve));
    }

    #[test]
    fn each_bad_entry_is_refused_with_its_line_and_the_default_kept() {
        let cases = [
            (entry(None, "qiut", &["x"], 4), "no command \"qiut\""),
            (entry(Some("reveiw"), "approve", &["A"], 5), "unknown scope"),
            (entry(None, "quit", &["F13"], 6), "unknown key"),
            (
                entry(None, "quit", &["r"], 7),
                "r is already refresh in table",
            ),
            (entry(None, "quit", &[], 8), "no key given"),
            (
                entry(Some("palette"), "close", &["x"], 9),
                "typed into the palette",
            ),
            (entry(Some("switcher"), "pick", &["x"], 10), "digits"),
        ];
        for (bad, problem) in cases {
            let line = bad.at.clone();
            let (map, notices) = apply(std::slice::from_ref(&bad));
            assert_eq!(map, KeyMap::defaults(), "{problem}");
            assert_eq!(notices.len(), 1, "{notices:?}");
            assert!(notices[0].contains(problem), "{notices:?}");
            assert!(notices[0].ends_with(&format!("({line})")), "{notices:?}");
        }
        // Two entries for one key: the later is refused, the earlier applies.
        let (map, notices) = apply(&[
            entry(None, "quit", &["x"], 2),
            entry(None, "help", &["x"], 3),
        ]);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].starts_with("[keys] help = \"x\" on line 3 ignored: x is already quit"),
            "{notices:?}"
        );
        assert!(notices[0].contains("line 3"), "{notices:?}");
        assert_eq!(
            map.lookup(Scope::Table, &press(KeyCode::Char('?'))),
            Some(Command::Help)
        );
        // The same command twice (once through [keys.table]).
        let (_, notices) = apply(&[
            entry(None, "quit", &["x"], 2),
            entry(Some("table"), "quit", &["z"], 9),
        ]);
        assert!(notices[0].contains("bound twice") && notices[0].contains("line 9"));
    }
}
