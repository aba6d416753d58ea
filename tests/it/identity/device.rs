//! `envdeck login` with the device-code grant, end to end: the binary prints the URL and the
//! code, the test approves it on the provider's HTML page as a person would, the binary
//! stores the tokens (0600 file), `whoami` shows the user, `logout` forgets them.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use envdeck::server::Seed;

use super::{Home, code, plane, stderr};

/// Reads stderr lines until the one with the code; returns (page URL, code).
fn read_prompt(stderr: impl std::io::Read) -> (String, String, BufReader<impl std::io::Read>) {
    let mut reader = BufReader::new(stderr);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).expect("stderr line");
        assert!(n > 0, "login ended before printing a code");
        if let Some(rest) = line.trim().split_once(", open ").map(|(_, r)| r) {
            let (url, code) = rest
                .split_once(" and enter the code ")
                .expect("URL and code");
            return (url.to_string(), code.to_string(), reader);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_login_approved_on_the_html_page_then_whoami_and_logout() {
    envdeck::net::install_crypto_provider();
    let plane = plane(Seed::Demo).await;
    let home = Home::new();
    home.add_context("team", &plane.url, &["--use"]);

    // Not signed in yet: exit code 3 with a hint.
    let out = home.run(&["whoami"], "");
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("envdeck login"), "{}", stderr(&out));

    let mut child = home
        .command(&["login"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn login");
    let (page, user_code, mut rest) = read_prompt(child.stderr.take().expect("stderr"));
    assert_eq!(page, format!("{}/realms/stoa/device", plane.url));
    assert_eq!(user_code.len(), 9, "{user_code}");

    // A person opens the page and approves the code.
    let http = reqwest::Client::new();
    let html = http
        .get(format!("{page}?user_code={user_code}"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains(&user_code), "{html}");
    let approved = http
        .post(&page)
        .form(&[
            ("user_code", user_code.as_str()),
            ("username", "dave"),
            ("password", "demo"),
            ("action", "approve"),
        ])
        .send()
        .await
        .expect("approve");
    assert!(approved.status().is_success());

    let status = tokio::task::spawn_blocking(move || child.wait().expect("login exits"))
        .await
        .expect("wait task");
    let mut tail = String::new();
    let _ = std::io::Read::read_to_string(&mut rest, &mut tail);
    assert!(status.success(), "login failed: {tail}");
    assert!(tail.contains("Signed in to team"), "{tail}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.token_file())
            .expect("token file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (access, refresh) = home.stored("team").expect("tokens stored for team");
    assert!(!access.is_empty() && refresh.is_some());

    let me: serde_json::Value =
        serde_json::from_str(&home.ok(&["whoami", "-o", "json"])).expect("json");
    assert_eq!(me["username"], "dave");
    assert_eq!(me["context"], "team");

    home.ok(&["logout"]);
    assert_eq!(home.stored("team"), None);
    let out = home.run(&["whoami"], "");
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_code_fails_the_login_with_exit_code_3() {
    envdeck::net::install_crypto_provider();
    let plane = plane(Seed::None).await;
    let home = Home::new();
    home.add_context("team", &plane.url, &["--use"]);
    let mut child = home
        .command(&["login"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn login");
    let (page, user_code, mut rest) = read_prompt(child.stderr.take().expect("stderr"));
    reqwest::Client::new()
        .post(&page)
        .form(&[
            ("user_code", user_code.as_str()),
            ("username", "dave"),
            ("password", "demo"),
            ("action", "deny"),
        ])
        .send()
        .await
        .expect("deny");
    let status = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    })
    .await
    .expect("wait task")
    .expect("login gives up after a denial");
    let mut tail = String::new();
    let _ = std::io::Read::read_to_string(&mut rest, &mut tail);
    assert_eq!(status.code(), Some(3), "{tail}");
    assert_eq!(home.stored("team"), None);
}
