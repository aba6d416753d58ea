//! The device verification page gives nothing away before sign-in: denying needs the user's
//! credentials, valid and made-up codes read the same, and code guessing is throttled.

use reqwest::StatusCode;
use serde_json::Value;

use super::{DEVICE_PATH, Idp, TOKEN_PATH, idp};

async fn start_device(idp: &Idp) -> Value {
    let (status, body) = idp
        .post_form(DEVICE_PATH, &[("client_id", "stoactl")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn poll_error(idp: &Idp, device_code: &str) -> String {
    let (_, body) = idp
        .post_form(
            TOKEN_PATH,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", "stoactl"),
                ("device_code", device_code),
            ],
        )
        .await;
    body["error"].as_str().unwrap_or_default().to_string()
}

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

#[tokio::test]
async fn denying_a_code_needs_credentials() {
    let idp = idp().await;
    let started = start_device(&idp).await;
    let user_code = started["user_code"].as_str().expect("user code");
    let device_code = started["device_code"].as_str().expect("device code");
    for form in [
        vec![("user_code", user_code), ("action", "deny")],
        vec![
            ("user_code", user_code),
            ("username", "dave"),
            ("password", "wrong"),
            ("action", "deny"),
        ],
    ] {
        let (status, html) = submit(&idp, &form).await;
        assert_ne!(status, StatusCode::OK, "{form:?}: {html}");
        assert!(!html.contains("Device refused"), "{form:?}: {html}");
    }
    assert_eq!(poll_error(&idp, device_code).await, "authorization_pending");
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
    assert_eq!(poll_error(&idp, device_code).await, "access_denied");
}

#[tokio::test]
async fn valid_and_made_up_codes_read_the_same_before_sign_in() {
    let idp = idp().await;
    let started = start_device(&idp).await;
    let real = started["user_code"].as_str().expect("user code");
    let fake = "ZZZZ-ZZZZ";
    for creds in [
        vec![],
        vec![("username", "dave"), ("password", "wrong")],
        vec![("username", "nobody"), ("password", "x")],
    ] {
        for action in ["approve", "deny"] {
            let mut answers = Vec::new();
            for code in [real, fake] {
                let mut form = vec![("user_code", code), ("action", action)];
                form.extend(creds.iter().copied());
                let (status, html) = submit(&idp, &form).await;
                answers.push((status, html.replace(code, "CODE")));
            }
            assert_eq!(answers[0], answers[1], "{action} with {creds:?}");
        }
    }
}

#[tokio::test]
async fn code_guesses_by_a_signed_in_user_are_throttled() {
    let idp = idp().await;
    let mut throttled = None;
    for i in 0..30 {
        let code = format!("QQQQ-{:04}", i);
        let (status, html) = submit(
            &idp,
            &[
                ("user_code", code.as_str()),
                ("username", "dave"),
                ("password", "demo"),
                ("action", "approve"),
            ],
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(i);
            break;
        }
        assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    }
    let after = throttled.expect("30 wrong codes were all checked");
    assert!(after <= 10, "throttled only after {after} guesses");
}
