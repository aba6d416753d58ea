//! Password guessing is throttled like Keycloak's brute-force detection: a few failures are
//! free, then 429 with Retry-After and a wait that doubles up to a cap; a success resets.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::server::identity::{Idp, TOKEN_PATH, idp};

/// A password grant: status and Retry-After (seconds) when there is one.
async fn attempt(idp: &Idp, username: &str, password: &str) -> (StatusCode, Option<u64>) {
    let resp = idp
        .http
        .post(format!("{}{TOKEN_PATH}", idp.url))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "stoactl"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("token request");
    let retry = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (resp.status(), retry)
}

#[tokio::test]
async fn five_wrong_passwords_then_429_with_retry_after_and_a_success_resets() {
    let idp = idp().await;
    for i in 0..5 {
        let (status, _) = attempt(&idp, "dave", "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "failure {i} is free");
    }
    let (status, retry) = attempt(&idp, "dave", "wrong").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry = retry.expect("Retry-After");
    assert!((1..=2).contains(&retry), "a short first wait: {retry}");
    // While locked even the right password waits (else guessing would go on).
    let (status, _) = attempt(&idp, "dave", "demo").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another user from the same address is not locked out.
    let (status, _) = attempt(&idp, "ada", "demo").await;
    assert_eq!(status, StatusCode::OK);

    // The real user gets in once the wait is over, and the success forgets the failures.
    tokio::time::sleep(Duration::from_secs(retry) + Duration::from_millis(100)).await;
    let (status, _) = attempt(&idp, "dave", "demo").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = attempt(&idp, "dave", "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the count started over");
}

#[tokio::test]
async fn concurrent_guesses_for_one_user_get_at_most_the_free_failures() {
    let idp = idp().await;
    let started = Instant::now();
    let guesses: Vec<_> = (0..40)
        .map(|i| {
            let (http, url) = (idp.http.clone(), format!("{}{TOKEN_PATH}", idp.url));
            tokio::spawn(async move {
                let password = format!("guess-{i}");
                http.post(url)
                    .form(&[
                        ("grant_type", "password"),
                        ("client_id", "stoactl"),
                        ("username", "dave"),
                        ("password", password.as_str()),
                    ])
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        let status = g.await.expect("task").expect("response");
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
        checked += usize::from(status == StatusCode::UNAUTHORIZED);
    }
    assert!(checked <= 5, "{checked} passwords were checked of 40");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn guesses_spread_over_many_usernames_are_throttled_per_address() {
    let idp = idp().await;
    let mut refused = 0;
    let mut checked = 0;
    for i in 0..40 {
        let (status, retry) = attempt(&idp, &format!("nobody-{i}"), "guess").await;
        match status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(retry.is_some(), "429 without Retry-After");
                refused += 1;
            }
            other => panic!("{other}"),
        }
    }
    assert!(
        refused > 0 && checked <= 20,
        "{checked} checked, {refused} refused"
    );
}

/// Not a check: prints password-grant guesses per second for one user (run with --ignored).
#[tokio::test]
#[ignore = "measurement only"]
async fn measure_wrong_password_rate() {
    let idp = idp().await;
    let (mut checked, mut refused) = (0u32, 0u32);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        match attempt(&idp, "dave", "wrong").await.0 {
            StatusCode::UNAUTHORIZED => checked += 1,
            _ => refused += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "in {secs:.1}s: {checked} checked ({:.1}/s), {refused} refused",
        f64::from(checked) / secs
    );
}
