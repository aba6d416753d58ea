//! Lists from a hostile control plane: pages larger than asked for, and lists that never end.
//! The client refuses them with an error that names the call and the bound, without holding
//! more than one page beyond its cap in memory; the real binary's peak RSS shows it.

use envdeck::api::{Client, ClientOptions};
use envdeck::domain::StageName;
use envdeck::secret::Secret;

use crate::client::raw::{RawStub, respond_json};

fn client_with(url: &str, options: ClientOptions) -> Client {
    Client::with_options(url, "acme", Some(Secret::new("paging-token")), options).expect("client")
}

/// The `page` the client asked for (1 when absent).
fn asked_page(target: &str) -> usize {
    url::Url::parse(&format!("http://x{target}"))
        .expect("target")
        .query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

/// `count` APIs of page `page`, honestly numbered, with `page_size` echoed as 100.
fn page_of(page: usize, count: usize) -> String {
    let items: Vec<String> = (0..count)
        .map(|i| format!(r#"{{"id":"api-{page}-{i}","name":"api-{page}-{i}"}}"#))
        .collect();
    format!(
        r#"{{"items":[{}],"total":{count},"page":{page},"page_size":100}}"#,
        items.join(",")
    )
}

#[tokio::test]
async fn a_page_larger_than_asked_for_is_refused() {
    // 150 items on each of three pages of 100 asked for, then an empty page.
    let stub = RawStub::start(|_n, req, stream| async move {
        let page = asked_page(req.target());
        let body = page_of(page, if page <= 3 { 150 } else { 0 });
        respond_json(stream, "200 OK", &body).await;
    })
    .await;
    let stage = StageName::parse("dev").expect("stage");
    let error = client_with(&stub.url, ClientOptions::default())
        .apis(&stage)
        .await
        .expect_err("an oversized page");
    let text = error.to_string();
    assert!(text.contains("GET /v1/tenants/acme/apis"), "{text}");
    assert!(text.contains("150") && text.contains("100"), "{text}");
    assert_eq!(stub.requests(), 1, "refused at the first page");
}

#[tokio::test]
async fn a_list_that_never_ends_stops_at_the_item_cap() {
    // Full pages of 100, numbered as asked, forever.
    let stub = RawStub::start(|_n, req, stream| async move {
        let body = page_of(asked_page(req.target()), 100);
        respond_json(stream, "200 OK", &body).await;
    })
    .await;
    let stage = StageName::parse("dev").expect("stage");
    let error = client_with(&stub.url, ClientOptions::default())
        .apis(&stage)
        .await
        .expect_err("an endless list");
    let text = error.to_string();
    assert!(text.contains("GET /v1/tenants/acme/apis"), "{text}");
    assert!(text.contains("100000 items"), "{text}");
    // The page that would cross the cap is the last one asked for.
    assert_eq!(stub.requests(), 1001);
}

#[tokio::test]
async fn the_item_cap_is_an_option() {
    let stub = RawStub::start(|_n, req, stream| async move {
        let body = page_of(asked_page(req.target()), 100);
        respond_json(stream, "200 OK", &body).await;
    })
    .await;
    let options = ClientOptions {
        max_list_items: 250,
        ..ClientOptions::default()
    };
    let stage = StageName::parse("dev").expect("stage");
    let error = client_with(&stub.url, options)
        .apis(&stage)
        .await
        .expect_err("over the cap");
    assert!(error.to_string().contains("250 items"), "{error}");
    assert_eq!(stub.requests(), 3, "the third page crosses the cap");
}

/// `/v1/environments` lists dev; every other request gets `per_page` APIs of the page asked.
async fn hostile_plane(per_page: usize) -> RawStub {
    RawStub::start(move |_n, req, stream| async move {
        if req.target().starts_with("/v1/environments") {
            let body = r#"{"environments":[{"name":"dev","label":"Development","mode":"full","color":null,"endpoints":null,"is_current":true}]}"#;
            return respond_json(stream, "200 OK", body).await;
        }
        let body = page_of(asked_page(req.target()), per_page);
        respond_json(stream, "200 OK", &body).await;
    })
    .await
}

/// How a run of the real binary ended.
struct Run {
    code: Option<i32>,
    stderr: String,
    peak_rss_kib: i64,
    took: std::time::Duration,
}

/// The process's peak resident set (`VmHWM`, KiB) while it runs.
fn vm_hwm_kib(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `envdeck get apis --env dev` against `url`. The peak RSS is sampled from /proc every
/// millisecond until exit (wait4's ru_maxrss would count the test binary's memory: Linux
/// carries the spawning process's high-water mark across exec).
fn get_apis(url: &str) -> Run {
    use std::io::Read;
    let home = tempfile::tempdir().expect("home");
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(crate::support::BIN)
        .args([
            "--server", url, "--tenant", "acme", "get", "apis", "--env", "dev",
        ])
        .args(["-o", "json"])
        .env_clear()
        .env("ENVDECK_HOME", home.path())
        .env("ENVDECK_KEYRING", "off")
        .env("ENVDECK_TOKEN", "paging-token")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn envdeck");
    let reader = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    });
    let mut peak = 0;
    let status = loop {
        peak = peak.max(vm_hwm_kib(child.id()).unwrap_or(0));
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    Run {
        code: status.code(),
        stderr: reader.and_then(|r| r.join().ok()).unwrap_or_default(),
        peak_rss_kib: peak,
        took: started.elapsed(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_refuses_a_page_of_20000_items_in_bounded_memory() {
    let stub = hostile_plane(20_000).await;
    let url = stub.url.clone();
    let run = tokio::task::spawn_blocking(move || get_apis(&url))
        .await
        .expect("run task");
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("20000"), "{}", run.stderr);
    eprintln!("peak RSS {} KiB", run.peak_rss_kib);
    // Loose (about 38 MiB in a debug build, 31 MiB for an empty list): one page is decoded
    // once, then refused.
    assert!(run.peak_rss_kib < 128 * 1024, "{} KiB", run.peak_rss_kib);
}

/// Not a check: the binary's peak RSS against endless pages (run with --ignored).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement only"]
async fn measure_memory_against_endless_pages() {
    let baseline = {
        let stub = hostile_plane(0).await;
        let url = stub.url.clone();
        tokio::task::spawn_blocking(move || get_apis(&url))
            .await
            .expect("run")
    };
    println!(
        "empty list: peak RSS {:.1} MiB",
        baseline.peak_rss_kib as f64 / 1024.0
    );
    for per_page in [20_000, 100] {
        let stub = hostile_plane(per_page).await;
        let url = stub.url.clone();
        let run = tokio::task::spawn_blocking(move || get_apis(&url))
            .await
            .expect("run");
        println!(
            "{per_page} items on every page: exit {:?} after {} requests in {:.1?}, peak RSS {:.1} MiB: {}",
            run.code,
            stub.requests(),
            run.took,
            run.peak_rss_kib as f64 / 1024.0,
            run.stderr.trim()
        );
    }
}
