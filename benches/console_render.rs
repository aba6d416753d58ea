//! The console without a terminal: frame render for 100 / 10,000 / 100,000 rows, one filter
//! keystroke over 100,000 rows, decoding a 100-item page of each resource, and the memory the
//! 100,000 rows take. Prints medians; asserts nothing.
//!
//! `cargo bench --bench console_render` (optionally `-- RUNS`, default 21).

#[path = "../tests/it/ui/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

use std::time::{Duration, Instant};

use envdeck::app::action::ListPayload;
use envdeck::wire::{
    Api, AuditEntry, AuditPage, Deployment, Gateway, GatewayDeployment, Page, Promotion,
    Subscription,
};
use fixtures::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn measure(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

/// Resident memory of this process in KiB (Linux).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn rows(n: usize) -> Vec<Api> {
    (0..n).map(|i| api(i, &format!("service-{i:06}"))).collect()
}

fn frames(runs: usize) {
    for n in [100, 10_000, 100_000] {
        let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
        deliver(&mut state, ListPayload::of(rows(n)));
        let t = measure(runs, || {
            render(&state, 120, 40);
        });
        println!("frame render, {n:>7} rows (120x40): {t:?}");
    }
}

fn filter_and_memory(runs: usize) {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let before = rss_kib();
    deliver(&mut state, ListPayload::of(rows(100_000)));
    let after = rss_kib();
    typed(&mut state, "/09");
    // One keystroke that narrows, then its undo, so every run starts from the same filter.
    let t = measure(runs, || {
        typed(&mut state, "9");
        update_backspace(&mut state);
    });
    println!("one filter keystroke over 100000 rows (type + backspace): {t:?}");
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "memory for 100000 loaded rows: {} MiB",
            a.saturating_sub(b) / 1024
        ),
        _ => println!("memory for 100000 loaded rows: unknown (no /proc)"),
    }
}

fn update_backspace(state: &mut envdeck::app::State) {
    envdeck::app::update(state, code(crossterm::event::KeyCode::Backspace));
}

fn page_json<T: Serialize>(items: Vec<T>) -> String {
    let total = items.len();
    serde_json::json!({ "items": items, "total": total, "page": 1, "page_size": 100 }).to_string()
}

fn decode<T: DeserializeOwned>(runs: usize, what: &str, json: &str) {
    let t = measure(runs, || {
        let page: Result<T, _> = serde_json::from_str(json);
        std::hint::black_box(page.is_ok());
    });
    println!(
        "decode a 100-item page of {what:<19} ({:>6} bytes): {t:?}",
        json.len()
    );
}

fn repeat<T: Clone>(seed: Vec<T>) -> Vec<T> {
    seed.into_iter().cycle().take(100).collect()
}

fn decoding(runs: usize) {
    decode::<Page<Api>>(runs, "Api", &page_json(rows(100)));
    decode::<Page<Deployment>>(runs, "Deployment", &page_json(repeat(deployments())));
    decode::<Page<Gateway>>(runs, "Gateway", &page_json(repeat(gateways())));
    let gd = GatewayDeployment {
        id: "gd-1".into(),
        api_catalog_id: "6a1f3c52-0d6e-4b0e-9a43-1f0c2b7d9e10".into(),
        gateway_instance_id: "gw-1".into(),
        desired_state: serde_json::json!({
            "api_id": "api-0001", "api_name": "payments", "tenant_id": "acme",
            "version": "1.1.0", "spec_hash": "sha256:0f3c",
        }),
        gateway_name: Some("edge-dev".into()),
        gateway_environment: Some("dev".into()),
        sync_status: "synced".into(),
        last_sync_success: Some(now()),
        ..GatewayDeployment::default()
    };
    decode::<Page<GatewayDeployment>>(runs, "GatewayDeployment", &page_json(repeat(vec![gd])));
    decode::<Page<Subscription>>(runs, "Subscription", &page_json(repeat(subscriptions())));
    decode::<Page<Promotion>>(runs, "Promotion", &page_json(repeat(promotions())));
    let entries: Vec<AuditEntry> = repeat(audit());
    let audit_json = serde_json::json!({
        "entries": entries, "total": 100, "page": 1, "page_size": 100, "has_more": false
    })
    .to_string();
    decode::<AuditPage>(runs, "AuditPage", &audit_json);
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(21);
    println!("median of {runs} runs");
    frames(runs);
    filter_and_memory(runs);
    decoding(runs * 10);
}
