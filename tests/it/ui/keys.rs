//! config.toml's `[keys]` in the console: overrides act through `update`, bad entries come
//! back as notices with their line, and the help overlay and footer follow the key map.

use std::path::Path;

use crossterm::event::KeyCode;
use envdeck::app::action::ListPayload;
use envdeck::app::keymap::{Command, KeyMap, Scope};
use envdeck::app::state::Popup;
use envdeck::app::update;
use envdeck::store::config::Config;

use super::fixtures::*;

fn keymap(text: &str) -> (KeyMap, Vec<String>) {
    let path = Path::new("/home/op/.config/envdeck/config.toml");
    let config = Config::parse(text, path).expect("valid toml");
    let (map, mut notices) = KeyMap::from_config(&config.keys);
    notices.extend(config.warnings);
    (map, notices)
}

#[test]
fn an_override_from_config_toml_drives_the_console() {
    let (map, notices) =
        keymap("[keys]\nquit = \"x\"\nrefresh = [\"F5\"]\n[keys.help]\nclose = [\"Esc\", \"h\"]\n");
    assert!(notices.is_empty(), "{notices:?}");
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    state.keymap = map;
    deliver(&mut state, ListPayload::of(apis()));
    update(&mut state, key('q'));
    assert!(!state.should_quit, "q is no longer quit");
    // F5 refreshes: the list is fetched again.
    let effects = update(&mut state, code(KeyCode::F(5)));
    assert!(!effects.is_empty(), "F5 refreshes");
    // Popups read their keys from the map too.
    update(&mut state, key('?'));
    assert!(matches!(state.popup, Some(Popup::Help { .. })));
    update(&mut state, key('h'));
    assert!(state.popup.is_none(), "h closes the help overlay");
    // The footer and help show the new keys.
    let screen = format!("{}", render(&state, 100, 20).backend());
    assert!(screen.contains("x quit"), "{screen}");
    update(&mut state, key('x'));
    assert!(state.should_quit);
}

#[test]
fn each_bad_entry_is_a_start_up_notice_naming_its_line() {
    let text = "\
[keys]
quit = \"x\"
qiut = \"y\"
refresh = \"F13\"
help = \"x\"
sort = 5
[keys.reveiw]
approve = \"A\"
";
    let (map, notices) = keymap(text);
    let expect = [
        ("qiut", "line 3", "no command"),
        ("refresh", "line 4", "unknown key"),
        ("help", "line 5", "x is already quit"),
        ("approve", "line 8", "unknown scope"),
        ("sort", "line 6", "a key such as"),
    ];
    assert_eq!(notices.len(), expect.len(), "{notices:?}");
    for (command, line, problem) in expect {
        let notice = notices.iter().find(|n| n.contains(&format!(" {command} ")));
        let notice = notice.unwrap_or_else(|| panic!("{command}: {notices:?}"));
        assert!(
            notice.contains(line) && notice.contains(problem),
            "{notice}"
        );
        assert!(notice.contains("config.toml"), "{notice}");
    }
    // The good entry applies; every refused one keeps its default.
    let press = |c| crossterm::event::KeyEvent::new(c, crossterm::event::KeyModifiers::NONE);
    assert_eq!(
        map.lookup(Scope::Table, &press(KeyCode::Char('x'))),
        Some(Command::Quit)
    );
    for (c, command) in [
        ('r', Command::Refresh),
        ('?', Command::Help),
        ('s', Command::SortColumn),
    ] {
        assert_eq!(
            map.lookup(Scope::Table, &press(KeyCode::Char(c))),
            Some(command)
        );
    }
    assert_eq!(
        map.lookup(Scope::Review, &press(KeyCode::Char('a'))),
        Some(Command::Approve)
    );
    // The notices reach the screen at start.
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    state.notices = notices;
    let screen = format!("{}", render(&state, 120, 20).backend());
    assert!(screen.contains("notice: [keys] qiut"), "{screen}");
}

#[test]
fn paging_moves_by_the_rows_drawn() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    state.size = (100, 20);
    let many: Vec<_> = (0..60).map(|i| api(i, &format!("api-{i:02}"))).collect();
    deliver(&mut state, ListPayload::of(many));
    update(&mut state, code(KeyCode::PageDown));
    let screen = format!("{}", render(&state, 100, 20).backend());
    // The banner takes a line: the rows drawn are what PgDn moved by.
    let drawn = screen.lines().filter(|l| l.contains("api-")).count();
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].selected,
        drawn,
        "{screen}"
    );
    assert!(
        screen.contains("▶ api-"),
        "the selection is on screen:\n{screen}"
    );
}
