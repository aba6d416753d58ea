//! A login and a session (CLI commands and the console in a pseudo-terminal), then a search
//! of the log, the screen, stdout/stderr and the config, state, cache and data dirs for the
//! token text: only the token store may hold it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use envdeck::server::Seed;

use super::{Home, plane};
use crate::e2e::pty::Session;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_appear_only_in_the_token_store() {
    let plane = plane(Seed::Demo).await;
    let home = Home::new();
    home.add_context("team", &plane.url, &["--use"]);
    // A loosening entry: the console shows the warning at start.
    let config = home.path().join("config/config.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        format!("{text}\n[tighten]\nproduction = \"full\"\n"),
    )
    .expect("config");

    let mut printed = String::new();
    let out = home.run(
        &["login", "--username", "dave", "--password-stdin"],
        "demo\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (access, refresh) = home.stored("team").expect("stored");
    let mut secrets = vec![access];
    secrets.extend(refresh);
    for args in [
        &["whoami", "-o", "json"][..],
        &["get", "apis", "--env", "dev", "-o", "table"],
        &["get", "promotions", "-o", "json"],
        &["context", "show"],
    ] {
        let out = home.run(args, "");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
        printed.push_str(&String::from_utf8_lossy(&out.stderr));
    }

    let home_str = home.path().to_string_lossy().into_owned();
    let mut console = Session::spawn(
        &[],
        &[
            ("ENVDECK_HOME", home_str.as_str()),
            ("ENVDECK_KEYRING", "off"),
            ("ENVDECK_LOG", "debug"),
        ],
    );
    let screen = console.wait_for("dave", Duration::from_secs(20));
    console.wait_for("never looser", Duration::from_secs(10));
    console.send("q");
    assert!(
        console.wait_exit(Duration::from_secs(10)).is_some(),
        "console quits"
    );
    printed.push_str(&screen);

    // Tokens refreshed during the session are secrets too.
    if let Some((access, refresh)) = home.stored("team") {
        secrets.push(access);
        secrets.extend(refresh);
    }
    let mut files = Vec::new();
    files_under(home.path(), &mut files);
    let log = home.path().join("state/envdeck.log");
    assert!(files.contains(&log), "a log was written: {files:?}");
    assert!(std::fs::metadata(&log).expect("log").len() > 0);
    for file in files.iter().filter(|f| **f != home.token_file()) {
        let bytes = std::fs::read(file).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a token is in {}",
                file.display()
            );
        }
    }
    for secret in &secrets {
        assert!(!printed.contains(secret.as_str()), "a token was printed");
        // JWTs share their header: look for the signature part too.
        if let Some(signature) = secret.rsplit('.').next().filter(|s| s.len() > 16) {
            assert!(
                !printed.contains(signature),
                "a token signature was printed"
            );
        }
    }
}
