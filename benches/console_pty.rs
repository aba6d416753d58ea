//! The real binary in a pseudo-terminal, against `envdeck serve` in another process. Prints
//! figures; asserts nothing (issue 11's goals are in BENCHMARKS.md).
//!
//! 1. start to the first frame showing the cached rows, warm cache, live server;
//! 2. the same with the server stalled (SIGSTOP: everything on screen comes from the cache);
//! 3. start to the first frame showing the header, no cache, a server that accepts and never
//!    answers; then `q` to the process's exit;
//! 4. key to repaint with 20,000 rows in the APIs list (the cache entry of step 1 primed with
//!    20,000 rows, the server stalled so nothing replaces them): Down/j, and switching to
//!    Deployments and back.
//!
//! `cargo bench --bench console_pty` (optionally `-- RUNS`, default 15).

#[path = "../tests/it/e2e/pty.rs"]
#[allow(dead_code)]
mod pty;
#[path = "../tests/it/support.rs"]
mod support;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pty::Session;
use support::ServeProcess;

const WAIT: Duration = Duration::from_secs(30);
/// How often the screen is looked at: fine enough that the figures measure the console.
const POLL: Duration = Duration::from_micros(250);
const BIG: usize = 20_000;

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
    s.wait_for("updated", WAIT);
    quit(s);

    // 1. Live server, warm cache: the cached rows (or the server's, whichever is first).
    let mut live = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let s = Session::spawn(&args, &env);
        until(&s, |screen| screen.contains("payments"));
        live.push(start.elapsed());
        // Let the fetches land so the next run starts the same way.
        s.wait_for("updated", WAIT);
        quit(s);
    }

    // 2. With the server stalled, everything on screen comes from the cache.
    server.stall();
    let mut stalled = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let s = Session::spawn(&args, &env);
        until(&s, |screen| screen.contains("payments"));
        stalled.push(start.elapsed());
        quit(s);
    }

    // 4. 20,000 rows from the cache (the server still stalled).
    let primed = prime_apis(&home.path().join("cache"), BIG);
    assert!(primed > 0, "no cached API list to prime");
    let mut big_first = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let s = Session::spawn(&args, &env);
        until(&s, |screen| screen.contains(&BIG.to_string()));
        big_first.push(start.elapsed());
        quit(s);
    }
    let s = Session::spawn(&args, &env);
    s.wait_for(&BIG.to_string(), WAIT);
    let mut downs = Vec::with_capacity(runs * 2);
    for key in ["j", "\x1b[B"] {
        for _ in 0..runs {
            let before = selected(&s.screen());
            let start = Instant::now();
            s.send(key);
            until(&s, |screen| {
                let now = selected(screen);
                now.is_some() && now != before
            });
            downs.push(start.elapsed());
        }
    }
    let mut switches = Vec::with_capacity(runs * 2);
    for _ in 0..runs {
        for (key, shows) in [("2", "Deployments in"), ("1", "APIs in")] {
            let start = Instant::now();
            s.send(key);
            until(&s, |screen| screen.contains(shows));
            switches.push(start.elapsed());
        }
    }
    quit(s);
    server.resume();

    // 3. No cache, a server that accepts and never answers.
    let silent = Silent::start();
    let mut headers = Vec::with_capacity(runs);
    let mut quits = Vec::with_capacity(runs);
    for _ in 0..runs {
        let empty = tempfile::tempdir().expect("empty home");
        let empty_s = empty.path().to_string_lossy().to_string();
        let start = Instant::now();
        let s = Session::spawn(
            &["--server", silent.url.as_str(), "--tenant", "acme"],
            &[
                ("ENVDECK_HOME", empty_s.as_str()),
                ("ENVDECK_TOKEN", "never-checked"),
                ("ENVDECK_TIMEOUT_SECS", "60"),
            ],
        );
        until(&s, |screen| screen.contains("tenant acme"));
        headers.push(start.elapsed());
        // Give the console time to reach the silent server before quitting.
        std::thread::sleep(Duration::from_millis(100));
        quits.push(timed_quit(s));
    }
    drop(silent);

    println!("console in a PTY ({runs} runs each; {BIG} rows where said)");
    report(
        "1. start to first frame with the cached rows, warm cache, live server",
        &mut live,
    );
    report(
        "2. start to first frame with the cached rows, warm cache, server stalled",
        &mut stalled,
    );
    report(
        "3. start to first frame (header), no cache, server never answers",
        &mut headers,
    );
    report("3. q to process exit, server never answers", &mut quits);
    report(
        "4. start to first frame with 20,000 cached rows, server stalled",
        &mut big_first,
    );
    report("4. key to repaint, Down/j, 20,000 rows", &mut downs);
    report(
        "4. key to repaint, view switch (2, then 1), 20,000 rows",
        &mut switches,
    );
}

/// Polls the screen until `check` holds; panics with the screen after [`WAIT`].
fn until(s: &Session, check: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let screen = s.screen();
        if check(&screen) {
            return;
        }
        if Instant::now() > deadline {
            panic!("timed out; the screen was:\n{screen}");
        }
        std::thread::sleep(POLL);
    }
}

/// The selected row (marked ▶, as is the active stage in the header, whose dot tells it apart).
fn selected(screen: &str) -> Option<String> {
    screen
        .lines()
        .find(|l| l.starts_with("▶ ") && !l.contains('●'))
        .map(str::to_string)
}

fn quit(s: Session) {
    timed_quit(s);
}

/// Sends `q` and returns the time until the process has exited (a zombie or gone).
fn timed_quit(mut s: Session) -> Duration {
    let pid = s.pid().expect("pid");
    let start = Instant::now();
    s.send("q");
    while start.elapsed() < WAIT {
        if exited(pid) {
            return start.elapsed();
        }
        std::thread::sleep(POLL);
    }
    if s.wait_exit(Duration::from_millis(1)).is_none() {
        eprintln!("the console did not quit in time");
    }
    start.elapsed()
}

fn exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => true,
    }
}

/// Rewrites every cached API list under `cache` to hold `n` rows (copies of its rows with
/// distinct ids and names). Returns how many entries it rewrote.
fn prime_apis(cache: &Path, n: usize) -> usize {
    let mut primed = 0;
    for entry in std::fs::read_dir(cache).expect("cache dir").flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.contains("-apis-") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("cache entry");
        let mut doc: serde_json::Value = serde_json::from_str(&text).expect("cache json");
        let Some(items) = doc.get("value").and_then(|v| v.as_array()).cloned() else {
            continue;
        };
        if items.is_empty() {
            continue;
        }
        let rows: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let mut row = items[i % items.len()].clone();
                row["id"] = format!("bench-{i:05}").into();
                row["name"] = format!("svc-{i:05}").into();
                row["display_name"] = format!("Service {i:05}").into();
                row
            })
            .collect();
        doc["value"] = rows.into();
        std::fs::write(&path, doc.to_string()).expect("write cache entry");
        primed += 1;
    }
    primed
}

/// Accepts connections and never answers (they stay open until it is dropped).
struct Silent {
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Silent {
    fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let stop = Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            while !halt.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => held.push(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Silent {
            url,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
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
