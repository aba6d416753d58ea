//! Lists from a hostile control plane: pages larger than asked for, and lists that never end.
//! The client refuses them with an error that names the call and the bound, without holding
//! more than one page beyond its cap in memory.

use envdeck::api::{Client, ClientOptions};
use envdeck::domain::StageName;
use envdeck::secret::Secret;

use super::raw::{RawStub, respond_json};

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
