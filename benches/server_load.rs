//! A small bounded load generator for the embedded control plane (run by
//! scripts/bench-server.sh). Modes:
//!   server_load list  URL TOKEN SECONDS CONCURRENCY   GET apis?page_size=100 in a loop
//!   server_load cycle URL TOKEN_REQ TOKEN_APPR SECONDS CONCURRENCY
//!                                                     create → promote → approve → complete
//!   server_load serve DATA_DIR                        the server alone (same code as `envdeck serve`)
//! Prints one JSON line of figures on stdout.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::json;

fn usage() -> ! {
    eprintln!(
        "usage: server_load list URL TOKEN SECONDS CONCURRENCY\n       server_load cycle URL TOKEN_REQUESTER TOKEN_APPROVER SECONDS CONCURRENCY\n       server_load serve DATA_DIR"
    );
    std::process::exit(2)
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize) -> T {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| usage())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("no runtime: {e}");
            std::process::exit(1)
        }
    };
    match args.first().map(String::as_str) {
        Some("list") => runtime.block_on(list(
            arg(&args, 1),
            arg(&args, 2),
            arg(&args, 3),
            arg(&args, 4),
        )),
        Some("cycle") => runtime.block_on(cycle(
            arg(&args, 1),
            arg(&args, 2),
            arg(&args, 3),
            arg(&args, 4),
            arg(&args, 5),
        )),
        Some("serve") => {
            let dir: String = arg(&args, 1);
            let opts = envdeck::server::ServerOptions {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                data_dir: dir.into(),
                seed: envdeck::server::Seed::Demo,
                fresh: false,
                stages_file: None,
            };
            if let Err(e) = runtime.block_on(envdeck::server::serve(opts)) {
                eprintln!("{e}");
                std::process::exit(1)
            }
        }
        _ => usage(),
    }
}

fn client() -> reqwest::Client {
    envdeck::net::http_client_builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap_or_else(|e| {
            eprintln!("http client: {e}");
            std::process::exit(1)
        })
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
}

fn report(kind: &str, tallies: Vec<Tally>, elapsed: Duration, extra: serde_json::Value) {
    let mut all: Vec<u32> = Vec::new();
    let mut errors = 0;
    for t in tallies {
        all.extend(t.latencies_us);
        errors += t.errors;
    }
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 - 1.0) * p).round() as usize;
        all[i] as f64 / 1000.0
    };
    let secs = elapsed.as_secs_f64();
    let mut out = json!({
        "mode": kind,
        "requests": all.len(),
        "errors": errors,
        "seconds": (secs * 100.0).round() / 100.0,
        "req_per_s": (all.len() as f64 / secs).round(),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
    });
    if let (Some(o), serde_json::Value::Object(e)) = (out.as_object_mut(), extra) {
        o.extend(e);
    }
    println!("{out}");
}

async fn list(url: String, token: String, seconds: u64, concurrency: usize) {
    let http = client();
    let target = format!("{url}/v1/tenants/acme/apis?page_size=100");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, target, token) = (http.clone(), target.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let ok = match http.get(&target).bearer_auth(&token).send().await {
                    Ok(resp) => resp.status().is_success() && resp.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    tally.latencies_us.push(t0.elapsed().as_micros() as u32);
                } else {
                    tally.errors += 1;
                }
            }
            tally
        }));
    }
    let mut tallies = Vec::new();
    for t in tasks {
        if let Ok(tally) = t.await {
            tallies.push(tally);
        }
    }
    report("list", tallies, start.elapsed(), json!({}));
}

/// One POST; the answer's JSON when it succeeded (its latency counted either way).
async fn post(
    http: &reqwest::Client,
    target: &str,
    token: &str,
    body: &serde_json::Value,
    tally: &mut Tally,
) -> Option<serde_json::Value> {
    let t0 = Instant::now();
    let resp = http
        .post(target)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .ok()?;
    let success = resp.status().is_success();
    let value: serde_json::Value = resp.json().await.unwrap_or_default();
    tally.latencies_us.push(t0.elapsed().as_micros() as u32);
    success.then_some(value)
}

async fn cycle(url: String, requester: String, approver: String, seconds: u64, concurrency: usize) {
    let http = client();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (http, url, requester, approver) = (
            http.clone(),
            url.clone(),
            requester.clone(),
            approver.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut cycles = 0u64;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let name = format!("bench-{worker}-{n}-{}", std::process::id());
                // The real platform's cycle: the API is promoted once its dev gateway has
                // acknowledged it, and the promotion completes when its gateways acknowledge
                // (the server runs with --gateway-delay-ms 0); each retry is a request counted.
                let api = format!("{url}/v1/tenants/acme/apis?environment=dev");
                let body = json!({"name": name, "display_name": "Bench", "backend_url": "https://b.test"});
                let ok = post(&http, &api, &requester, &body, &mut tally).await.is_some();
                let promote = format!("{url}/v1/tenants/acme/promotions/{name}");
                let body = json!({"source_environment":"dev","target_environment":"staging","message":"bench"});
                let mut promotion = None;
                for _ in 0..if ok { 200 } else { 0 } {
                    promotion = post(&http, &promote, &requester, &body, &mut tally).await;
                    if promotion.is_some() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                let id = promotion
                    .as_ref()
                    .and_then(|p| p["id"].as_str())
                    .unwrap_or_default()
                    .to_string();
                // Approve what was reviewed: the diff's hash (the embedded server requires it).
                let diff = format!("{url}/v1/tenants/acme/promotions/{id}/diff");
                let t0 = Instant::now();
                let reviewed = match http.get(&diff).bearer_auth(&approver).send().await {
                    Ok(resp) => resp.json::<serde_json::Value>().await.unwrap_or_default()
                        ["reviewed_spec_hash"]
                        .clone(),
                    Err(_) => serde_json::Value::Null,
                };
                tally.latencies_us.push(t0.elapsed().as_micros() as u32);
                let approve = format!("{url}/v1/tenants/acme/promotions/{id}/approve");
                let body = json!({ "reviewed_spec_hash": reviewed });
                let approved = !id.is_empty()
                    && post(&http, &approve, &approver, &body, &mut tally).await.is_some();
                let show = format!("{url}/v1/tenants/acme/promotions/{id}");
                let mut ok = false;
                for _ in 0..if approved { 400 } else { 0 } {
                    let t0 = Instant::now();
                    let seen = http.get(&show).bearer_auth(&approver).send().await;
                    let Ok(seen) = seen else { break };
                    let value: serde_json::Value = seen.json().await.unwrap_or_default();
                    tally.latencies_us.push(t0.elapsed().as_micros() as u32);
                    if value["status"] == "promoted" {
                        ok = true;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                if ok {
                    cycles += 1;
                } else {
                    tally.errors += 1;
                }
            }
            (tally, cycles)
        }));
    }
    let mut tallies = Vec::new();
    let mut cycles = 0;
    for t in tasks {
        if let Ok((tally, c)) = t.await {
            tallies.push(tally);
            cycles += c;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    report(
        "cycle",
        tallies,
        start.elapsed(),
        json!({"cycles": cycles, "cycles_per_s": (cycles as f64 / secs * 10.0).round() / 10.0}),
    );
}
