//! Faults an operator's machine throws at the console: a kill in the middle of saving, and
//! state or cache folders that cannot be written.

use std::process::Command;
use std::time::Duration;

use envdeck::store::{Loaded, StateStore};

use super::pty::Session;
use crate::support::ServeProcess;

const WAIT: Duration = Duration::from_secs(20);

fn console(server: &ServeProcess, home: &str, token: &str) -> Session {
    Session::spawn(
        &["--server", server.url.as_str(), "--tenant", "acme"],
        &[("ENVDECK_HOME", home), ("ENVDECK_TOKEN", token)],
    )
}

/// SIGKILL while stage switches are being saved: the state file is the old or the new
/// one, never a broken one.
#[test]
fn a_kill_while_saving_leaves_a_readable_state_file() {
    let data = tempfile::tempdir().expect("data");
    let server = ServeProcess::start(data.path(), "demo");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let token = rt.block_on(crate::support::token(&server.url, "dave"));
    let home = tempfile::tempdir().expect("home");
    let home_s = home.path().to_string_lossy().to_string();
    for round in 0..6u64 {
        let s = console(&server, &home_s, token.expose());
        s.wait_for("APIs in", WAIT);
        // Switch back and forth; every switch is an atomic save on a task.
        for _ in 0..(10 + round * 7) {
            s.send("]");
            s.send("[");
        }
        std::thread::sleep(Duration::from_millis(round * 3));
        let pid = s.pid().expect("pid");
        let killed = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        drop(s);
        let store = StateStore::new(&home.path().join("state"));
        let loaded = store.load(&envdeck::cli::control_plane_key(&server.url, "acme"));
        assert!(
            !matches!(loaded, Loaded::Corrupt(_)),
            "round {round}: the state file is broken after a kill"
        );
    }
}

/// The state and cache folders cannot be created (a file stands where each should be):
/// the console says so and works on.
#[test]
fn unwritable_state_and_cache_still_leave_a_working_console() {
    let data = tempfile::tempdir().expect("data");
    let server = ServeProcess::start(data.path(), "demo");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let token = rt.block_on(crate::support::token(&server.url, "dave"));
    let home = tempfile::tempdir().expect("home");
    for blocked in ["state", "cache"] {
        std::fs::write(home.path().join(blocked), b"not a folder").expect("block");
    }
    let home_s = home.path().to_string_lossy().to_string();
    let mut s = console(&server, &home_s, token.expose());
    s.wait_for("payments", WAIT);
    s.send("]");
    s.wait_for("APIs in Staging", WAIT);
    s.send("2");
    s.wait_for("Deployments in Staging", WAIT);
    s.send("q");
    assert_eq!(s.wait_exit(WAIT), Some(0), "{}", s.screen());
}

/// A panic while the console runs: the terminal leaves raw mode and the alternate screen,
/// the report reads normally, and the saved state is intact.
#[test]
fn a_panic_restores_the_terminal_and_keeps_the_saved_state() {
    let data = tempfile::tempdir().expect("data");
    let server = ServeProcess::start(data.path(), "demo");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let token = rt.block_on(crate::support::token(&server.url, "dave"));
    let home = tempfile::tempdir().expect("home");
    let home_s = home.path().to_string_lossy().to_string();
    let mut s = console(&server, &home_s, token.expose());
    s.wait_for("payments", WAIT);
    s.send("]");
    s.wait_for("APIs in Staging", WAIT);
    s.send("q");
    // The choice is saved before the process ends: wait for the exit, then read it.
    assert_eq!(s.wait_exit(WAIT), Some(0), "{}", s.screen());
    drop(s);
    let store = StateStore::new(&home.path().join("state"));
    let key = envdeck::cli::control_plane_key(&server.url, "acme");
    assert!(matches!(store.load(&key), Loaded::Found(_)));

    let mut s = Session::spawn(
        &["--server", server.url.as_str(), "--tenant", "acme"],
        &[
            ("ENVDECK_HOME", home_s.as_str()),
            ("ENVDECK_TOKEN", token.expose()),
            ("ENVDECK_DEBUG_PANIC", "1"),
        ],
    );
    let code = s.wait_exit(WAIT);
    assert!(
        matches!(code, Some(c) if c != 0),
        "the panic ends the process"
    );
    let screen = s.wait_for("deliberate panic", WAIT);
    assert!(
        !s.alternate_screen(),
        "left the alternate screen:\n{screen}"
    );
    // Out of raw mode a newline returns the carriage: the report's lines start at column 0.
    let report: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("panicked"))
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .collect();
    assert!(report.len() >= 2, "a readable report:\n{screen}");
    for line in &report {
        assert_eq!(
            line.trim_start(),
            *line,
            "a staircase means raw mode stayed on:\n{screen}"
        );
    }
    match store.load(&key) {
        Loaded::Found(state) => assert_eq!(state.stage.as_deref(), Some("staging")),
        other => panic!("the saved state is gone after the panic: {other:?}"),
    }
}

/// The control plane dies while a promotion request is in flight: the console says it is
/// offline, recovers when the server is back, and never sends the request a second time.
#[test]
fn a_server_killed_mid_promotion_creates_nothing_twice() {
    let data = tempfile::tempdir().expect("data");
    let server = ServeProcess::start(data.path(), "demo");
    let listen = server.url.trim_start_matches("http://").to_string();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // tess: promotion sources are listed to tenant-admins.
    let token = rt.block_on(crate::support::token(&server.url, "tess"));
    let open_for_cart = |url: &str| {
        rt.block_on(async {
            let client = crate::support::client_as(url, "ada", "acme").await;
            let filter = envdeck::api::PromotionFilter {
                api_id: Some("cart".into()),
                ..Default::default()
            };
            client
                .promotions(&filter)
                .await
                .expect("promotions")
                .into_iter()
                .filter(|p| p.status == "pending" || p.status == "promoting")
                .count()
        })
    };
    assert_eq!(open_for_cart(&server.url), 0);
    let home = tempfile::tempdir().expect("home");
    let home_s = home.path().to_string_lossy().to_string();
    let s = Session::spawn(
        &["--server", server.url.as_str(), "--tenant", "acme"],
        &[
            ("ENVDECK_HOME", home_s.as_str()),
            ("ENVDECK_TOKEN", token.expose()),
            ("ENVDECK_TIMEOUT_SECS", "3"),
        ],
    );
    s.wait_for("Development", WAIT);
    s.send("/");
    s.type_text("cart");
    s.send("\r");
    s.wait_for("▶ cart", WAIT);
    s.send("p");
    s.wait_for("Promote cart", WAIT);
    s.type_text("Cart to staging");
    s.send("\r");
    s.wait_for("Request promotion of cart", WAIT);
    // The request leaves while the server is frozen, then the server dies with it.
    server.stall();
    s.send("y");
    std::thread::sleep(Duration::from_millis(300));
    server.kill();
    s.wait_for("offline", WAIT);

    let server = ServeProcess::start_on(data.path(), "demo", &listen);
    s.send("r");
    assert!(
        crate::support::eventually(WAIT, || !s.screen().contains("offline")),
        "back online; screen:\n{}",
        s.screen()
    );
    // Give a blind retry every chance to happen before counting.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        open_for_cart(&server.url),
        0,
        "the request that died with the server was not sent again"
    );
    // The same steps against a live server create exactly one promotion.
    s.send("p");
    s.wait_for("Promote cart", WAIT);
    s.type_text("Cart to staging, again");
    s.send("\r");
    s.wait_for("Request promotion of cart", WAIT);
    s.send("y");
    assert!(
        crate::support::eventually(WAIT, || open_for_cart(&server.url) == 1),
        "one promotion; screen:\n{}",
        s.screen()
    );
    s.send("q");
}
