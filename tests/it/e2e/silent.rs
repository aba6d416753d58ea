//! Issue 11: the console against a control plane that accepts connections and never answers,
//! with nothing cached. The header is drawn and `q` quits all the same. How fast is measured by
//! `cargo bench --bench console_pty`, never asserted here: the timeouts only bound the waits.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use super::pty::Session;
use crate::support::eventually;

const WAIT: Duration = Duration::from_secs(20);

/// A listener on 127.0.0.1:0 that accepts every connection, reads nothing and answers
/// nothing; the connections stay open until it is dropped.
struct SilentServer {
    url: String,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SilentServer {
    fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (accepted.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            while !halt.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        count.fetch_add(1, Ordering::Relaxed);
                        held.push(stream);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        SilentServer {
            url,
            accepted,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn with_no_cache_and_a_silent_server_the_header_is_drawn_and_q_quits() {
    let server = SilentServer::start();
    let home = tempfile::tempdir().expect("home");
    let home_s = home.path().to_string_lossy().to_string();
    let mut s = Session::spawn(
        &["--server", server.url.as_str(), "--tenant", "acme"],
        &[
            ("ENVDECK_HOME", home_s.as_str()),
            // Some token, so the console goes to the network (without one it stops at
            // "not signed in" and never connects).
            ("ENVDECK_TOKEN", "a-token-the-silent-server-never-checks"),
            // Longer than the test: the console is still waiting when `q` is pressed.
            ("ENVDECK_TIMEOUT_SECS", "60"),
        ],
    );
    // The header: tenant, context and a spinner while the stages load.
    let screen = s.wait_for("tenant acme", WAIT);
    assert!(
        screen.contains("context "),
        "the context is named:\n{screen}"
    );
    assert!(
        screen.contains("loading stages"),
        "the stages are still loading:\n{screen}"
    );
    // The console really is waiting on the silent server when it is told to quit.
    assert!(
        eventually(WAIT, || server.accepted.load(Ordering::Relaxed) > 0),
        "the console never connected; screen:\n{}",
        s.screen()
    );
    assert!(
        !s.screen().contains("offline"),
        "nothing has answered or failed yet:\n{}",
        s.screen()
    );
    s.send("q");
    assert_eq!(
        s.wait_exit(WAIT),
        Some(0),
        "clean exit; screen:\n{}",
        s.screen()
    );
    assert!(!s.alternate_screen(), "the terminal is restored");
    // Nothing came back from the server, so nothing was cached.
    let cached = std::fs::read_dir(home.path().join("cache"))
        .map(|dir| dir.count())
        .unwrap_or(0);
    assert_eq!(
        cached, 0,
        "no list was cached from a server that never answered"
    );
}
