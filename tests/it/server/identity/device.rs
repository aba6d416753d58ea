//! The device authorization grant end to end: code, pending, slow_down, the HTML page
//! signed in by the test, tokens; plus expiry, denial and the page's escaping.

use std::time::Duration;

use envdeck::server::identity::DeviceTiming;
use reqwest::StatusCode;
use serde_json::Value;

use super::{DEVICE_PATH, Idp, TOKEN_PATH, idp};

fn timing(interval_secs: u64, expires_secs: u64) -> DeviceTiming {
    DeviceTiming {
        interval: Duration::from_secs(interval_secs),
        expires_in: Duration::from_secs(expires_secs),
        slow_down_step: Duration::from_secs(1),
    }
}

async fn start_device(idp: &Idp) -> Value {
    let (status, body) = idp
        .post_form(DEVICE_PATH, &[("client_id", "stoactl")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn poll(idp: &Idp, device_code: &str) -> (StatusCode, Value) {
    idp.post_form(
        TOKEN_PATH,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", "stoactl"),
            ("device_code", device_code),
        ],
    )
    .await
}

/// Submits the verification page's form as a browser would; returns status and HTML.
async fn submit(idp: &Idp, form: &[(&str, &str)]) -> (StatusCode, String) {
    let resp = idp
        .http
        .post(format!("{}/realms/stoa/device", idp.url))
        .form(form)
        .send()
        .await
        .expect("page post");
    let status = resp.status();
    (status, resp.text().await.expect("html"))
}

fn error_of(body: &Value) -> Option<&str> {
    body["error"].as_str()
}

#[tokio::test]
async fn device_flow_end_to_end_through_the_html_page() {
    let idp = idp().await;
    idp.identity.set_device_timing(timing(1, 60));
    let started = start_device(&idp).await;
    let device_code = started["device_code"].as_str().expect("device_code");
    let user_code = started["user_code"].as_str().expect("user_code");
    assert_eq!(user_code.len(), 9, "like WDJB-MJHT: {user_code}");
    assert_eq!(
        (started["interval"].as_u64(), started["expires_in"].as_u64()),
        (Some(1), Some(60))
    );
    let page_url = format!("{}/device", idp.issuer());
    assert_eq!(started["verification_uri"], page_url.as_str());
    let complete = started["verification_uri_complete"]
        .as_str()
        .expect("complete uri");
    assert_eq!(complete, format!("{page_url}?user_code={user_code}"));

    let page = idp.http.get(complete).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(
        html.contains(&format!("value=\"{user_code}\"")),
        "code prefilled"
    );

    let (status, body) = poll(&idp, device_code).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, Some("authorization_pending"))
    );
    let (status, body) = poll(&idp, device_code).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, Some("slow_down")),
        "polled at once"
    );

    let (status, html) = submit(
        &idp,
        &[
            ("user_code", user_code),
            ("username", "dave"),
            ("password", "nope"),
            ("action", "approve"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Invalid username or password."), "{html}");

    // Typed in lower case without the dash: still the same code.
    let typed = user_code.replace('-', "").to_lowercase();
    let (status, html) = submit(
        &idp,
        &[
            ("user_code", &typed),
            ("username", "dave"),
            ("password", "demo"),
            ("action", "approve"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Device approved, you may close this window"),
        "{html}"
    );

    // slow_down raised the interval to 2 s; wait it out, then the tokens come.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let (status, tokens) = poll(&idp, device_code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert!(tokens["refresh_token"].is_string());
    let (status, me, _) = idp.me(tokens["access_token"].as_str()).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("dave"))
    );

    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let (status, body) = poll(&idp, device_code).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "a code is spent once"
    );
}

#[tokio::test]
async fn expired_and_denied_device_codes() {
    let idp = idp().await;
    idp.identity.set_device_timing(timing(1, 0));
    let started = start_device(&idp).await;
    let (status, body) = poll(&idp, started["device_code"].as_str().expect("code")).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, Some("expired_token"))
    );
    let user_code = started["user_code"].as_str().expect("user code");
    let (status, html) = submit(
        &idp,
        &[
            ("user_code", user_code),
            ("username", "dave"),
            ("password", "demo"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("expired"), "{html}");

    idp.identity.set_device_timing(timing(1, 60));
    let started = start_device(&idp).await;
    let user_code = started["user_code"].as_str().expect("user code");
    let (status, html) = submit(
        &idp,
        &[
            ("user_code", user_code),
            ("username", "dave"),
            ("password", "demo"),
            ("action", "deny"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (status, body) = poll(&idp, started["device_code"].as_str().expect("code")).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, Some("access_denied"))
    );

    let (status, body) = idp.post_form(DEVICE_PATH, &[("client_id", "nobody")]).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) = poll(&idp, "made-up").await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn the_verification_page_escapes_what_it_echoes() {
    let idp = idp().await;
    let hostile = "<script>alert(\"x\")</script>";
    let page = idp
        .http
        .get(format!("{}/device", idp.issuer()))
        .query(&[("user_code", hostile)])
        .send()
        .await
        .expect("page");
    assert_eq!(
        page.headers()
            .get("x-frame-options")
            .and_then(|v| v.to_str().ok()),
        Some("DENY")
    );
    let html = page.text().await.expect("html");
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
    let (status, html) = submit(
        &idp,
        &[
            ("user_code", "BCDF-GHJK"),
            ("username", hostile),
            ("password", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        !html.contains("<script>") && html.contains("Invalid username or password"),
        "{html}"
    );
}
