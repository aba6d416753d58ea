//! The client under faults: broken connections, throttling, silence, trickles, oversized and
//! malformed answers, expired tokens, lying totals. Reads are retried only where it is safe;
//! writes are never sent twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use envdeck::api::{ApiError, Client, ClientOptions, TokenRefresher};
use envdeck::domain::StageName;
use envdeck::secret::Secret;
use envdeck::wire::TenantCreate;
use tokio::io::AsyncWriteExt;

use super::raw::{RawStub, read_request, reset, respond, respond_json, respond_keep_alive};

const HEALTH: &str = r#"{"status":"healthy","version":"2.0.0"}"#;

fn client(url: &str) -> Client {
    crate::support::trusting(
        Client::new(url, "acme", Some(Secret::new("fault-token"))).expect("client"),
    )
}

fn client_with(url: &str, options: ClientOptions) -> Client {
    let client = Client::with_options(url, "acme", Some(Secret::new("fault-token")), options);
    crate::support::trusting(client.expect("client"))
}

fn tenant() -> TenantCreate {
    TenantCreate {
        name: "acme".into(),
        display_name: "Acme".into(),
        description: None,
        owner_email: None,
    }
}

#[tokio::test]
async fn a_read_is_resent_once_on_a_fresh_connection_after_a_reset() {
    let stub = RawStub::start(|n, _req, stream| async move {
        if n == 0 {
            reset(stream);
        } else {
            respond_json(stream, "200 OK", HEALTH).await;
        }
    })
    .await;
    let health = client(&stub.url)
        .health()
        .await
        .expect("retried read succeeds");
    assert_eq!(health.status, "healthy");
    assert_eq!(stub.requests(), 2);
}

#[tokio::test]
async fn a_reset_on_a_reused_keep_alive_connection_is_survived() {
    // The real service answers, keeps the socket, then resets it on the next request.
    let stub = RawStub::start(|n, _req, mut stream| async move {
        if n == 0 {
            respond_keep_alive(&mut stream, HEALTH).await;
            if read_request(&mut stream).await.is_some() {
                reset(stream);
            }
        } else {
            respond_json(stream, "200 OK", HEALTH).await;
        }
    })
    .await;
    let client = client(&stub.url);
    client.health().await.expect("first read");
    let again = client.health().await.expect("read after the reset");
    assert_eq!(again.status, "healthy");
    assert_eq!(
        stub.requests(),
        2,
        "a fresh connection answered the second read"
    );
}

#[tokio::test]
async fn a_read_is_resent_only_once() {
    let stub = RawStub::start(|_n, _req, stream| async move { reset(stream) }).await;
    let error = client(&stub.url).health().await.expect_err("broken twice");
    assert!(matches!(error, ApiError::Network(_)), "{error:?}");
    assert!(error.to_string().contains(&stub.url), "{error}");
    assert!(error.is_offline());
    assert_eq!(stub.requests(), 2);
}

#[tokio::test]
async fn a_write_is_never_resent_after_a_reset() {
    let stub = RawStub::start(|_n, _req, stream| async move { reset(stream) }).await;
    let error = client(&stub.url)
        .create_tenant(&tenant())
        .await
        .expect_err("reset write");
    assert!(matches!(error, ApiError::Network(_)), "{error:?}");
    assert_eq!(stub.requests(), 1, "the write was sent again");
}

#[tokio::test]
async fn a_server_error_on_a_write_is_reported_not_retried() {
    let stub = RawStub::start(|_n, _req, stream| async move {
        respond_json(
            stream,
            "500 Internal Server Error",
            r#"{"detail":"Internal server error."}"#,
        )
        .await;
    })
    .await;
    let stage = StageName::parse("prod").expect("stage");
    let error = client(&stub.url)
        .delete_api(&stage, "orders")
        .await
        .expect_err("500");
    assert_eq!(error.status(), Some(500));
    assert_eq!(error.to_string(), "Internal server error.");
    assert_eq!(error.exit_code(), 1);
    assert_eq!(stub.requests(), 1);
}

#[tokio::test]
async fn a_throttled_read_backs_off_and_retries() {
    let stub = RawStub::start(|n, _req, stream| async move {
        if n == 0 {
            respond(
                stream,
                "429 Too Many Requests",
                &[("retry-after", "1"), ("content-type", "application/json")],
                br#"{"detail":"Rate limit exceeded"}"#,
            )
            .await;
        } else {
            respond_json(stream, "200 OK", r#"[{"id":"acme","name":"Acme"}]"#).await;
        }
    })
    .await;
    let tenants = client(&stub.url).tenants().await.expect("after back-off");
    assert_eq!(tenants.len(), 1);
    assert_eq!(stub.requests(), 2);
}

#[tokio::test]
async fn a_throttled_write_is_reported_with_retry_after() {
    let stub = RawStub::start(|_n, _req, stream| async move {
        respond(
            stream,
            "429 Too Many Requests",
            &[("retry-after", "7")],
            br#"{"detail":"Rate limit exceeded"}"#,
        )
        .await;
    })
    .await;
    let error = client(&stub.url)
        .create_tenant(&tenant())
        .await
        .expect_err("429");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(error.to_string(), "Rate limit exceeded");
    assert_eq!(stub.requests(), 1);
}

#[tokio::test]
async fn a_read_throttled_for_too_long_gives_up_at_once() {
    let stub = RawStub::start(|_n, _req, stream| async move {
        respond(
            stream,
            "429 Too Many Requests",
            &[("retry-after", "3600")],
            b"",
        )
        .await;
    })
    .await;
    let error = client(&stub.url).me().await.expect_err("429");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(stub.requests(), 1);
}

#[tokio::test]
async fn a_silent_server_is_a_timeout_within_the_bound() {
    let stub = RawStub::start(|_n, _req, stream| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
    .await;
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        ..ClientOptions::default()
    };
    let error = client_with(&stub.url, options)
        .environments()
        .await
        .expect_err("silence");
    assert!(
        matches!(error, ApiError::Timeout(d) if d == Duration::from_millis(300)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the control plane did not answer within 300ms"
    );
    assert!(error.is_offline());
}

#[tokio::test]
async fn a_trickling_body_is_a_timeout() {
    let stub = RawStub::start(|_n, _req, mut stream| async move {
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        for _ in 0..1000 {
            if stream.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let options = ClientOptions {
        timeout: Duration::from_millis(500),
        ..ClientOptions::default()
    };
    let error = client_with(&stub.url, options)
        .health()
        .await
        .expect_err("trickle");
    assert!(matches!(error, ApiError::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_announced_or_not() {
    let stub = RawStub::start(|n, _req, mut stream| async move {
        let body = format!("[{}\"x\"]", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",".repeat(200));
        if n == 0 {
            respond_json(stream, "200 OK", &body).await;
        } else {
            // Chunked: no length announced, the limit must hold while reading.
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            let _ = stream.write_all(head.as_bytes()).await;
            for piece in body.as_bytes().chunks(256) {
                let chunk = format!("{:x}\r\n", piece.len());
                let _ = stream.write_all(chunk.as_bytes()).await;
                let _ = stream.write_all(piece).await;
                let _ = stream.write_all(b"\r\n").await;
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
    })
    .await;
    let options = ClientOptions {
        max_body_bytes: 1024,
        ..ClientOptions::default()
    };
    let client = client_with(&stub.url, options);
    for _ in 0..2 {
        let error = client.tenants().await.expect_err("too large");
        assert!(
            matches!(error, ApiError::TooLarge { limit: 1024, .. }),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "the answer to GET /v1/tenants is larger than 1024 bytes; refused"
        );
    }
}

#[tokio::test]
async fn a_closed_port_is_named_with_its_url() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let error = client(&url).health().await.expect_err("refused");
    assert_eq!(
        error.to_string(),
        format!("cannot reach the control plane at {url}: connection refused")
    );
    assert!(error.is_offline());
    assert_eq!(error.exit_code(), 1);
}

/// Answers 200 only to `Bearer fresh`, 401 otherwise.
async fn expiring_stub() -> RawStub {
    RawStub::start(|_n, req, stream| async move {
        if req.header("authorization") == Some("Bearer fresh") {
            respond_json(
                stream,
                "200 OK",
                r#"{"username":"dave","roles":["devops"]}"#,
            )
            .await;
        } else {
            respond_json(
                stream,
                "401 Unauthorized",
                r#"{"detail":"Invalid token: Signature has expired."}"#,
            )
            .await;
        }
    })
    .await
}

#[tokio::test]
async fn a_401_asks_the_refresher_once_and_resends() {
    let stub = expiring_stub().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let refresher = move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, String>(Secret::new("fresh")) }
    };
    let client = client(&stub.url);
    client.set_token_refresher(Some(Arc::new(refresher) as Arc<dyn TokenRefresher>));
    let me = client.me().await.expect("after refresh");
    assert_eq!(me.username, "dave");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(stub.requests(), 2);
    // The fresh token is kept: no more refreshing.
    client.me().await.expect("fresh token");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn calls_refused_together_share_one_refresh() {
    let stub = expiring_stub().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let refresher = move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, String>(Secret::new("fresh"))
        }
    };
    let client = client(&stub.url);
    client.set_token_refresher(Some(Arc::new(refresher) as Arc<dyn TokenRefresher>));
    let calls_at_once = (0..5).map(|_| {
        let client = client.clone();
        async move { client.me().await }
    });
    for result in futures::future::join_all(calls_at_once).await {
        assert_eq!(result.expect("after refresh").username, "dave");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failed_refresh_reports_the_401() {
    let stub = expiring_stub().await;
    let client = client(&stub.url);
    let refresher = || async { Err::<Secret, _>("refresh token expired".to_string()) };
    client.set_token_refresher(Some(Arc::new(refresher) as Arc<dyn TokenRefresher>));
    let error = client.me().await.expect_err("still 401");
    assert!(error.is_unauthenticated());
    assert_eq!(error.exit_code(), 3);
    assert_eq!(error.to_string(), "Invalid token: Signature has expired.");
    assert_eq!(stub.requests(), 1);
}

/// 250 APIs in pages of at most 100; `total` always lies.
fn apis_page(target: &str) -> String {
    let query: Vec<(String, String)> = url::Url::parse(&format!("http://x{target}"))
        .expect("target")
        .query_pairs()
        .into_owned()
        .collect();
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.parse::<usize>().expect("number"))
    };
    let (page, size) = (
        get("page").unwrap_or(1),
        get("page_size").unwrap_or(20).min(100),
    );
    let items: Vec<String> = (page.saturating_sub(1) * size..(page * size).min(250))
        .map(|i| format!(r#"{{"id":"api-{i:03}","name":"api-{i:03}"}}"#))
        .collect();
    format!(
        r#"{{"items":[{}],"total":5,"page":{page},"page_size":{size}}}"#,
        items.join(",")
    )
}

#[tokio::test]
async fn every_page_is_fetched_whatever_total_says() {
    let stub = RawStub::start(|_n, req, stream| async move {
        let body = apis_page(req.target());
        respond_json(stream, "200 OK", &body).await;
    })
    .await;
    let stage = StageName::parse("dev").expect("stage");
    let apis = client(&stub.url).apis(&stage).await.expect("apis");
    assert_eq!(apis.len(), 250);
    assert_eq!(apis[0].id, "api-000");
    assert_eq!(apis[249].id, "api-249");
    let mut ids: Vec<_> = apis.iter().map(|a| a.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 250);
    assert_eq!(stub.requests(), 3);
}

#[tokio::test]
async fn a_server_that_ignores_paging_is_read_once() {
    let stub = RawStub::start(|_n, _req, stream| async move {
        let items: Vec<String> = (0..100).map(|i| format!(r#"{{"id":"gw-{i}"}}"#)).collect();
        respond_json(stream, "200 OK", &format!("[{}]", items.join(","))).await;
    })
    .await;
    let gateways = client(&stub.url).gateways(None).await.expect("gateways");
    assert_eq!(gateways.len(), 100);
    assert_eq!(stub.requests(), 2);
}

#[tokio::test]
async fn a_malformed_answer_names_the_call_and_the_problem() {
    let stub = RawStub::start(|n, _req, stream| async move {
        let body = if n == 0 {
            r#""nope""#
        } else {
            r#"{"status": 5}"#
        };
        respond_json(stream, "200 OK", body).await;
    })
    .await;
    let client = client(&stub.url);
    let stage = StageName::parse("staging").expect("stage");
    let error = client.apis(&stage).await.expect_err("not an envelope");
    let text = error.to_string();
    assert!(
        text.starts_with("unexpected answer from GET /v1/tenants/acme/apis: "),
        "{text}"
    );
    assert!(text.contains("list envelope"), "{text}");
    let error = client.health().await.expect_err("wrong type");
    assert!(
        error
            .to_string()
            .starts_with("unexpected answer from GET /health: invalid type"),
        "{error}"
    );
}

#[tokio::test]
async fn not_found_as_400_maps_to_exit_code_4() {
    let stub = RawStub::start(|_n, _req, stream| async move {
        respond_json(
            stream,
            "400 Bad Request",
            r#"{"detail":"Promotion 1234 not found"}"#,
        )
        .await;
    })
    .await;
    let error = client(&stub.url)
        .approve_promotion("1234", None)
        .await
        .expect_err("400");
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.exit_code(), 4);
    assert_eq!(error.to_string(), "Promotion 1234 not found");
}

#[tokio::test]
async fn the_token_travels_only_in_the_authorization_header() {
    let stub = RawStub::start(|_n, req, stream| async move {
        let echo = if req.head.matches("fault-token").count() == 1
            && req.header("authorization") == Some("Bearer fault-token")
        {
            r#"{"username":"dave"}"#
        } else {
            r#"{"username":"token misplaced"}"#
        };
        respond_json(stream, "200 OK", echo).await;
    })
    .await;
    let client = client(&stub.url);
    assert_eq!(client.me().await.expect("me").username, "dave");
    // Public endpoints go without it.
    let stub_public = RawStub::start(|_n, req, stream| async move {
        let status = if req.header("authorization").is_none() {
            "healthy"
        } else {
            "token sent"
        };
        respond_json(stream, "200 OK", &format!(r#"{{"status":"{status}"}}"#)).await;
    })
    .await;
    let health = Client::new(&stub_public.url, "acme", Some(Secret::new("fault-token")))
        .expect("client")
        .health()
        .await
        .expect("health");
    assert_eq!(health.status, "healthy");
    assert!(!format!("{client:?}").contains("fault-token"));
}
