//! The console as an operator meets it: the real binary in a pseudo-terminal against
//! `envdeck serve` in another process.

use std::time::Duration;

use super::pty::Session;
use crate::support::{ServeProcess, eventually};

const WAIT: Duration = Duration::from_secs(20);

struct World {
    server: ServeProcess,
    token: String,
    home: tempfile::TempDir,
    _data: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
}

impl World {
    fn start() -> World {
        let data = tempfile::tempdir().expect("data dir");
        let server = ServeProcess::start(data.path(), "demo");
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let token = rt
            .block_on(crate::support::token(&server.url, "dave"))
            .expose()
            .to_string();
        World {
            server,
            token,
            home: tempfile::tempdir().expect("home"),
            _data: data,
            rt,
        }
    }

    fn console(&self, extra: &[&str]) -> Session {
        let home = self.home.path().to_string_lossy().to_string();
        let mut args = vec!["--server", self.server.url.as_str(), "--tenant", "acme"];
        args.extend_from_slice(extra);
        Session::spawn(
            &args,
            &[
                ("ENVDECK_HOME", home.as_str()),
                ("ENVDECK_TOKEN", self.token.as_str()),
                ("ENVDECK_TIMEOUT_SECS", "2"),
            ],
        )
    }

    fn audit_count(&self) -> usize {
        self.rt.block_on(async {
            let client = crate::support::client_as(&self.server.url, "ada", "acme").await;
            client.audit(None).await.expect("audit").len()
        })
    }
}

fn quit(mut s: Session) {
    s.send("q");
    let code = s.wait_exit(WAIT);
    assert_eq!(code, Some(0), "clean exit; screen:\n{}", s.screen());
    assert!(!s.alternate_screen(), "the terminal is restored");
}

#[test]
fn production_is_locked_and_the_choice_survives_a_restart() {
    let world = World::start();
    let before = world.audit_count();
    let s = world.console(&[]);
    s.wait_for("Development", WAIT);
    s.wait_for("payments", WAIT);
    // Step right twice: dev → staging → production.
    s.send("]");
    s.send("]");
    s.wait_for("read-only mode", WAIT);
    for key in ["n", "E", "D"] {
        s.send(key);
        s.wait_for("Production is read-only", WAIT);
        s.send("\x1b");
    }
    quit(s);
    assert_eq!(
        world.audit_count(),
        before,
        "nothing was written to the server"
    );

    let again = world.console(&[]);
    again.wait_for("read-only mode", WAIT);
    quit(again);
}

#[test]
fn a_corrupt_state_file_falls_back_to_the_safe_default_with_a_notice() {
    let world = World::start();
    let state_dir = world.home.path().join("state");
    std::fs::create_dir_all(&state_dir).expect("state dir");
    let s = world.console(&[]);
    s.wait_for("payments", WAIT);
    s.send("]");
    s.wait_for("APIs in Staging", WAIT);
    quit(s);
    let files: Vec<_> = std::fs::read_dir(&state_dir)
        .expect("state dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "toml"))
        .collect();
    assert!(!files.is_empty(), "the console saved its state");
    for f in &files {
        std::fs::write(f, b"{ this is not state").expect("corrupt it");
    }
    let s = world.console(&[]);
    let screen = s.wait_for("Development", WAIT);
    assert!(!screen.contains("read-only mode"), "{screen}");
    s.wait_for("saved state", WAIT);
    quit(s);
}

#[test]
fn a_stalled_server_leaves_the_console_responsive_and_marked_offline() {
    let world = World::start();
    let s = world.console(&[]);
    s.wait_for("payments", WAIT);
    world.server.stall();
    s.send("r");
    s.send("?");
    s.wait_for("┌ Keys", WAIT);
    s.send("\x1b");
    s.wait_for("offline", WAIT);
    // Keys still work while offline: switch view.
    s.send("2");
    s.wait_for("Deployments", WAIT);
    world.server.resume();
    s.send("r");
    assert!(
        eventually(WAIT, || !s.screen().contains("offline")),
        "back online; screen:\n{}",
        s.screen()
    );
    quit(s);
}

#[test]
fn the_demo_starts_signed_in_and_quits_cleanly() {
    let home = tempfile::tempdir().expect("home");
    let home_str = home.path().to_string_lossy().to_string();
    let s = Session::spawn(
        &["demo", "--as", "dora"],
        &[("ENVDECK_HOME", home_str.as_str())],
    );
    s.wait_for("dora", WAIT);
    s.wait_for("acme", WAIT);
    quit(s);
}
