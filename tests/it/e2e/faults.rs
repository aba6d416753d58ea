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
