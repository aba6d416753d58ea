//! The console keeps its screen when the session cannot be refreshed: a popup shows the URL
//! and code of a device login; once approved on the provider's page, the console carries on.

use std::time::Duration;

use envdeck::server::Seed;

use super::{Home, plane};
use crate::e2e::pty::Session;

const WAIT: Duration = Duration::from_secs(30);

/// The code after "enter the code" on the screen.
fn code_on(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("enter the code"))?;
    let after = line.split("enter the code").nth(1)?;
    after.split_whitespace().next().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_signs_in_again_through_a_popup() {
    envdeck::net::install_crypto_provider();
    let plane = plane(Seed::Demo).await;
    // Access tokens live three seconds: the console soon needs its refresh token.
    plane
        .identity
        .set_token_lifetimes(Duration::from_secs(3), Duration::from_secs(3600));
    let home = Home::new();
    home.add_context("team", &plane.url, &["--use"]);
    home.login_password(&[], "dave");

    let home_str = home.path().to_string_lossy().into_owned();
    let mut console = Session::spawn(
        &[],
        &[
            ("ENVDECK_HOME", home_str.as_str()),
            ("ENVDECK_KEYRING", "off"),
        ],
    );
    console.wait_for("dave", WAIT);
    console.wait_for("accounts", WAIT);

    // The refresh token is lost (revoked, say): the next refresh fails.
    std::fs::write(
        home.token_file(),
        r#"{"version":1,"contexts":{"team":{"access_token":"gone","refresh_token":"revoked"}}}"#,
    )
    .expect("token file");
    let screen = console.wait_for("enter the code", WAIT);
    assert!(screen.contains("Sign-in needed for team"), "{screen}");
    assert!(
        screen.contains(&format!("{}/realms/stoa/device", plane.url)),
        "{screen}"
    );
    // The view is still there behind the popup.
    assert!(screen.contains("APIs in Development"), "{screen}");
    let code = code_on(&screen).expect("a code on the screen");

    let approved = reqwest::Client::new()
        .post(format!("{}/realms/stoa/device", plane.url))
        .form(&[
            ("user_code", code.as_str()),
            ("username", "dave"),
            ("password", "demo"),
            ("action", "approve"),
        ])
        .send()
        .await
        .expect("approve");
    assert!(approved.status().is_success());

    let deadline = std::time::Instant::now() + WAIT;
    while console.screen().contains("enter the code") {
        assert!(
            std::time::Instant::now() < deadline,
            "the popup stayed:\n{}",
            console.screen()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, refresh) = home.stored("team").expect("new tokens stored");
    assert_ne!(refresh.as_deref(), Some("revoked"));
    console.send("q");
    assert!(console.wait_exit(WAIT).is_some(), "console quits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emergency_override_is_explicit_loud_and_ends_on_request() {
    let plane = plane(Seed::Demo).await;
    let home = Home::new();
    home.add_context("team", &plane.url, &["--use"]);
    home.login_password(&[], "ada");
    let home_str = home.path().to_string_lossy().into_owned();
    let mut console = Session::spawn(
        &["--tenant", "acme"],
        &[
            ("ENVDECK_HOME", home_str.as_str()),
            ("ENVDECK_KEYRING", "off"),
        ],
    );
    console.wait_for("ada", WAIT);
    console.wait_for("accounts", WAIT);
    console.send(":");
    console.send("override INC-42 hotfix\r");
    let screen = console.wait_for("EMERGENCY OVERRIDE", WAIT);
    assert!(screen.contains("INC-42 hotfix"), "{screen}");
    assert!(
        screen.contains("10:00 left") || screen.contains("9:5"),
        "{screen}"
    );
    console.send(":");
    console.send("override off\r");
    let screen = console.wait_for("locked again", WAIT);
    assert!(!screen.contains("EMERGENCY OVERRIDE"), "{screen}");
    console.send("q");
    assert!(console.wait_exit(WAIT).is_some(), "console quits");
}
