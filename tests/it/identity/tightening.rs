//! Local tightening from config.toml on the client's write guard: stricter stages refuse
//! writes before anything is sent; a loosening entry is ignored with a warning; `--readonly`
//! makes every stage read-only.

use std::path::Path;

use envdeck::api::{Client, ClientOptions};
use envdeck::domain::{Mode, StageName};
use envdeck::server::Seed;
use envdeck::store::Config;
use envdeck::wire::ApiCreate;

use super::plane;

fn api(name: &str) -> ApiCreate {
    ApiCreate {
        name: name.to_string(),
        display_name: name.to_string(),
        version: "1.0.0".to_string(),
        description: String::new(),
        backend_url: format!("https://backend.example.test/{name}"),
        tags: Vec::new(),
    }
}

fn stage(name: &str) -> StageName {
    StageName::parse(name).expect("stage")
}

#[tokio::test]
async fn tightened_stages_refuse_writes_before_sending_and_loosening_is_ignored() {
    let config = Config::parse(
        "[tighten]\ndev = \"read-only\"\nstg = \"promote-only\"\nproduction = \"full\"\n",
        Path::new("/home/op/.config/envdeck/config.toml"),
    )
    .expect("config");
    assert_eq!(config.tighten.get(&stage("dev")), Some(&Mode::ReadOnly));
    assert_eq!(
        config.tighten.get(&stage("staging")),
        Some(&Mode::PromoteOnly)
    );
    assert!(!config.tighten.contains_key(&stage("production")));
    assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
    assert!(
        config.warnings[0].contains("never looser"),
        "{:?}",
        config.warnings
    );

    let plane = plane(Seed::None).await;
    let dora = crate::support::client_as(&plane.url, "dora", "acme").await;
    let guarded = |session_readonly: bool| {
        let client = dora.clone();
        let tightening = config.tighten.clone();
        async move {
            let options = ClientOptions {
                local_tightening: tightening,
                session_readonly,
                ..ClientOptions::default()
            };
            let token = crate::support::token(client.base_url(), "dora").await;
            let client = Client::with_options(client.base_url(), "acme", Some(token), options)
                .expect("client");
            // The write guard learns the stages and the actor from these.
            client.environments().await.expect("environments");
            client.me().await.expect("me");
            client
        }
    };
    let client = guarded(false).await;
    for name in ["dev", "staging"] {
        let refused = client
            .create_api(&stage(name), &api(&format!("tight-{name}")))
            .await
            .expect_err("tightened locally");
        assert_eq!(refused.exit_code(), 3, "{refused}");
        assert!(refused.to_string().contains("config.toml"), "{refused}");
    }
    // Nothing was sent: the server never saw those APIs.
    for name in ["dev", "staging"] {
        let apis = dora.apis(&stage(name)).await.expect("apis");
        assert!(
            apis.iter().all(|a| !a.name.starts_with("tight-")),
            "{apis:?}"
        );
    }

    // --readonly: no stage takes a write for the session.
    let readonly = guarded(true).await;
    let refused = readonly
        .create_api(&stage("dev"), &api("ro"))
        .await
        .expect_err("session read-only");
    assert!(refused.to_string().contains("--readonly"), "{refused}");
}
