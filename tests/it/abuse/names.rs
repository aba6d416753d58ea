//! Hostile names: a 200-character display name and names laden with escape sequences and
//! control characters are stored as sent, and the CLI prints them harmlessly.

use std::process::{Command, Output};

use envdeck::server::Seed;
use reqwest::Method;
use serde_json::json;

use super::call;
use crate::support::{BIN, start_server, token};

/// Clears the screen, sets a window title, hides the cursor, rings the bell, adds a hyperlink
/// (OSC 8), a C1 CSI, a right-to-left override, a NUL, and breaks the line.
const HOSTILE: &str = "evil\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[?25l\u{7}\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{9b}31m\u{202e}kcah\u{0}line\nbreak\rret\ttab";

async fn cli(url: String, token: String, args: Vec<&'static str>) -> Output {
    let home = tempfile::tempdir().expect("home");
    tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(["--server", &url, "--tenant", "acme"])
            .args(&args)
            .env("ENVDECK_HOME", home.path())
            .env("ENVDECK_TOKEN", &token)
            .env("ENVDECK_LOG", "off")
            .output()
            .expect("run envdeck")
    })
    .await
    .expect("cli task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_and_control_laden_names_are_stored_and_printed_harmlessly() {
    let srv = start_server(Seed::None).await;
    let ada = token(srv.url(), "ada").await;
    let long = "L".repeat(199) + "Z";
    for (name, display, version) in [
        ("long-name", long.as_str(), "1.0.0"),
        ("hostile", HOSTILE, HOSTILE),
    ] {
        let body = json!({"name": name, "display_name": display, "version": version, "backend_url": "https://b"});
        let created = call(
            &srv,
            Method::POST,
            "/v1/tenants/acme/apis?environment=dev",
            Some(ada.expose()),
            Some(body),
        )
        .await;
        assert!(created.status.is_success(), "{name}: {}", created.text);
        // Stored as sent: sanitising is the console's job, on display.
        let read = call(
            &srv,
            Method::GET,
            &format!("/v1/tenants/acme/apis/{name}?environment=dev"),
            Some(ada.expose()),
            None,
        )
        .await;
        assert_eq!(read.body["display_name"], display, "{}", read.text);
    }

    let url = srv.url().to_string();
    let table = cli(
        url.clone(),
        ada.expose().to_string(),
        vec!["get", "apis", "--env", "dev", "-o", "table"],
    )
    .await;
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let printed = String::from_utf8(table.stdout).expect("UTF-8 on stdout");
    for c in printed.chars() {
        assert!(
            c == '\n' || !c.is_control(),
            "{c:?} reaches the terminal: {printed:?}"
        );
        assert!(
            !('\u{202a}'..='\u{202e}').contains(&c),
            "a bidi override reaches the terminal"
        );
    }
    // One line per API plus the header: the line breaks in the name did not split its row.
    assert_eq!(printed.lines().count(), 3, "{printed}");
    assert!(
        printed.contains(&long),
        "the 200-character name is printed whole"
    );
    let hostile_row = printed
        .lines()
        .find(|l| l.starts_with("hostile"))
        .expect("hostile row");
    assert!(
        hostile_row.contains("evil") && hostile_row.contains("kcah"),
        "{hostile_row}"
    );
    // The title an OSC would have set is not text to show.
    assert!(!hostile_row.contains("pwned"), "{hostile_row}");

    // JSON escapes what it carries: no ESC, no C0 or C1 control and no bidi control reaches
    // stdout (`-o json` is often read on a terminal too), and the data stays exact.
    let as_json = cli(
        url,
        ada.expose().to_string(),
        vec!["get", "apis", "--env", "dev", "-o", "json"],
    )
    .await;
    assert!(as_json.status.success());
    let text = String::from_utf8(as_json.stdout).expect("UTF-8 on stdout");
    assert!(!text.chars().any(|c| c != '\n' && c < ' '), "{text:?}");
    for c in text.chars() {
        assert!(
            !is_terminal_control(c),
            "{c:?} reaches the terminal raw: {text:?}"
        );
    }
    assert!(
        text.contains("\\u009b31m") && text.contains("\\u202e"),
        "{text}"
    );
    let items: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(
        items.to_string().contains("\\u001b[2J"),
        "JSON keeps the data exact, escaped"
    );
    let hostile = items
        .as_array()
        .and_then(|all| all.iter().find(|a| a["name"] == "hostile"))
        .expect("hostile API");
    assert_eq!(hostile["display_name"], HOSTILE, "round trip");
}

/// What a terminal acts on: C0 (but the line feed), DEL and C1, line and paragraph separators,
/// bidi embeddings, overrides and isolates.
fn is_terminal_control(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || ('\u{2028}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}
