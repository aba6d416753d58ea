//! Two contexts on two control planes: each with its own login; `--context`, `ENVDECK_CONTEXT`
//! and the current context in that order; `--server`/`--tenant` for one-off use; config.toml
//! edited without losing comments, and a malformed one reported and left alone.

use serde_json::Value;

use envdeck::server::Seed;

use super::{Home, code, plane, stderr};

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON on stdout")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_contexts_each_with_its_own_login() {
    let busy = plane(Seed::Demo).await;
    let empty = plane(Seed::None).await;
    let home = Home::new();
    std::fs::create_dir_all(home.path().join("config")).expect("config dir");
    std::fs::write(
        home.path().join("config/config.toml"),
        "# written by hand\n[client]\ntimeout_secs = 20 # generous\n",
    )
    .expect("config");
    home.add_context("busy", &busy.url, &["--use"]);
    home.add_context("empty", &empty.url, &[]);
    let config = std::fs::read_to_string(home.path().join("config/config.toml")).expect("read");
    assert!(config.contains("# written by hand\n[client]"), "{config}");
    assert!(config.contains("timeout_secs = 20 # generous"), "{config}");

    home.login_password(&[], "dave");
    // The other context is not signed in: its own login.
    let out = home.run(&["--context", "empty", "whoami"], "");
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
    home.login_password(&["--context", "empty"], "tess");

    let me = json(&home.ok(&["whoami", "-o", "json"]));
    assert_eq!(
        (me["context"].as_str(), me["username"].as_str()),
        (Some("busy"), Some("dave"))
    );
    let me = json(&home.ok(&["--context", "empty", "whoami", "-o", "json"]));
    assert_eq!(
        (me["context"].as_str(), me["username"].as_str()),
        (Some("empty"), Some("tess"))
    );
    assert_eq!(me["server"], empty.url.as_str());
    // ENVDECK_CONTEXT picks a context; the flag wins over it.
    let env = [("ENVDECK_CONTEXT", "empty")];
    let out = home.run_env(&["whoami", "-o", "json"], "", &env);
    assert_eq!(
        json(&String::from_utf8_lossy(&out.stdout))["context"],
        "empty"
    );
    let out = home.run_env(&["--context", "busy", "whoami", "-o", "json"], "", &env);
    assert_eq!(
        json(&String::from_utf8_lossy(&out.stdout))["context"],
        "busy"
    );

    let apis = json(&home.ok(&["get", "apis", "--env", "dev", "-o", "json"]));
    assert!(!apis.as_array().expect("array").is_empty());
    let apis = json(&home.ok(&[
        "--context",
        "empty",
        "get",
        "apis",
        "--env",
        "dev",
        "-o",
        "json",
    ]));
    assert!(apis.as_array().expect("array").is_empty());

    home.ok(&["context", "use", "empty"]);
    let list = json(&home.ok(&["context", "list", "-o", "json"]));
    let current: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter(|c| c["current"] == true)
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(current, ["empty"]);
    let shown = json(&home.ok(&["context", "show", "busy", "-o", "json"]));
    assert_eq!(
        (shown["realm"].as_str(), shown["client_id"].as_str()),
        (Some("stoa"), Some("stoactl"))
    );

    // Removing a context forgets its tokens, and only its own.
    home.ok(&["context", "remove", "busy"]);
    assert_eq!(home.stored("busy"), None);
    assert!(home.stored("empty").is_some());
    let out = home.run(&["--context", "busy", "whoami"], "");
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));

    // One-off use: --server and --tenant with a ready token; no context involved.
    let token = crate::support::token(&busy.url, "vic").await;
    let out = home.run_env(
        &[
            "--server", &busy.url, "--tenant", "acme", "whoami", "-o", "json",
        ],
        "",
        &[("ENVDECK_TOKEN", token.expose())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        json(&String::from_utf8_lossy(&out.stdout))["username"],
        "vic"
    );
}

#[test]
fn a_malformed_config_is_reported_with_its_line_and_left_alone() {
    let home = Home::new();
    let file = home.path().join("config/config.toml");
    std::fs::create_dir_all(file.parent().expect("dir")).expect("config dir");
    let broken = "current_context = \"a\"\n\n[[context]\nname = \"a\"\n";
    std::fs::write(&file, broken).expect("config");
    for args in [
        &["context", "list"][..],
        &[
            "context",
            "add",
            "b",
            "--server",
            "http://127.0.0.1:1",
            "--tenant",
            "t",
        ],
        &["context", "use", "a"],
        &["whoami"],
    ] {
        let out = home.run(args, "");
        assert_eq!(code(&out), Some(2), "{args:?}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(message.contains("config.toml"), "{message}");
        assert!(message.contains("line 3"), "{message}");
        assert_eq!(std::fs::read_to_string(&file).expect("read"), broken);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_from_the_environment_sign_in_and_store_nothing() {
    let plane = plane(Seed::None).await;
    let home = Home::new();
    home.add_context("ci", &plane.url, &["--use"]);
    let secret = std::fs::read_to_string(plane.identity.client_secret_path()).expect("secret");
    let env = [
        ("ENVDECK_CLIENT_ID", "stoactl-admin"),
        ("ENVDECK_CLIENT_SECRET", secret.trim()),
    ];
    let out = home.run_env(&["whoami", "-o", "json"], "", &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let me = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(me["username"], "service-account-stoactl-admin");
    let out = home.run_env(&["login"], "", &env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !home.token_file().exists(),
        "client credentials are never stored"
    );

    let wrong = [
        ("ENVDECK_CLIENT_ID", "stoactl-admin"),
        ("ENVDECK_CLIENT_SECRET", "not-the-secret"),
    ];
    let out = home.run_env(&["whoami"], "", &wrong);
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not-the-secret"), "{}", stderr(&out));
}
