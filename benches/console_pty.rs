//! The real binary in a pseudo-terminal: start to first full frame with a warm cache, and
//! key-to-repaint latency while the control plane stalls. Prints figures; asserts nothing.
//!
//! `cargo bench --bench console_pty` (optionally `-- RUNS`, default 15).

#[path = "../tests/it/e2e/pty.rs"]
#[allow(dead_code)]
mod pty;
#[path = "../tests/it/support.rs"]
mod support;

use std::time::{Duration, Instant};

use pty::Session;
use support::ServeProcess;

const WAIT: Duration = Duration::from_secs(30);

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(15);
    let data = tempfile::tempdir().expect("data dir");
    let home = tempfile::tempdir().expect("home");
    let server = ServeProcess::start(data.path(), "demo");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let token = rt.block_on(support::token(&server.url, "dave"));
    let home_s = home.path().to_string_lossy().to_string();
    let env = [
        ("ENVDECK_HOME", home_s.as_str()),
        ("ENVDECK_TOKEN", token.expose()),
        ("ENVDECK_TIMEOUT_SECS", "5"),
    ];
    let args = ["--server", server.url.as_str(), "--tenant", "acme"];

    // Warm the cache: one run that sees the rows, then quits.
    let s = Session::spawn(&args, &env);
    s.wait_for("payments", WAIT);
    quit(s);

    // With the server stalled, everything on screen comes from the cache.
    server.stall();
    let mut first_frames = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let s = Session::spawn(&args, &env);
        s.wait_for("payments", WAIT);
        first_frames.push(start.elapsed());
        quit(s);
    }

    let s = Session::spawn(&args, &env);
    s.wait_for("payments", WAIT);
    let mut repaints = Vec::with_capacity(runs * 2);
    for _ in 0..runs {
        for (key, shows) in [("2", "Deployments in"), ("1", "APIs in")] {
            let start = Instant::now();
            s.send(key);
            s.wait_for(shows, WAIT);
            repaints.push(start.elapsed());
        }
    }
    quit(s);
    server.resume();

    report(
        "start to first full frame, warm cache, server stalled",
        &mut first_frames,
    );
    report("key to repaint while the server stalls", &mut repaints);
}

fn quit(mut s: Session) {
    s.send("q");
    if s.wait_exit(WAIT).is_none() {
        eprintln!("the console did not quit in time");
    }
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{what}: n={} median {:.1} ms, p95 {:.1} ms, min {:.1} ms",
        samples.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.95).as_secs_f64() * 1e3,
        pick(0.0).as_secs_f64() * 1e3,
    );
}
