//! The non-interactive commands of the real binary against `envdeck serve`: output formats,
//! persisted stage, and every exit code of the promotion lifecycle.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{BIN, ServeProcess};

struct Cli {
    url: String,
    home: tempfile::TempDir,
    tokens: std::collections::HashMap<&'static str, String>,
    _server: ServeProcess,
    _data: tempfile::TempDir,
}

impl Cli {
    fn start() -> Cli {
        let data = tempfile::tempdir().expect("data dir");
        let server = ServeProcess::start(data.path(), "demo");
        let url = server.url.clone();
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let mut tokens = std::collections::HashMap::new();
        for user in ["dave", "dora", "vic", "tess"] {
            let token = rt.block_on(crate::support::token(&url, user));
            tokens.insert(user, token.expose().to_string());
        }
        Cli {
            url,
            home: tempfile::tempdir().expect("home"),
            tokens,
            _server: server,
            _data: data,
        }
    }

    fn run(&self, user: &str, args: &[&str]) -> Output {
        run_in(self.home.path(), &self.url, &self.tokens[user], args)
    }

    fn json(&self, user: &str, args: &[&str]) -> Value {
        let out = self.run(user, args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON on stdout")
    }
}

fn run_in(home: &Path, url: &str, token: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--server", url, "--tenant", "acme"])
        .args(args)
        .env("ENVDECK_HOME", home)
        .env("ENVDECK_TOKEN", token)
        .env_remove("NO_COLOR")
        .output()
        .expect("run envdeck")
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn get_prints_json_and_tables_and_env_persists() {
    let cli = Cli::start();
    let apis = cli.json(
        "dave",
        &["get", "apis", "--env", "development", "-o", "json"],
    );
    let apis = apis.as_array().expect("array");
    assert!(apis.len() >= 20, "demo has at least 20 APIs in dev");
    assert!(
        apis.iter()
            .all(|a| a["name"].is_string() && a["id"].is_string())
    );

    let table = cli.run(
        "dave",
        &["get", "deployments", "--env", "stg", "-o", "table"],
    );
    assert!(table.status.success(), "{}", stderr(&table));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("API"), "table header: {text}");

    // No saved choice: the safe default, dev.
    let env = cli.json("dave", &["env", "-o", "json"]);
    assert_eq!(env["stage"], "dev");
    assert_eq!(env["source"], "default");
    let set = cli.run("dave", &["env", "prod", "-o", "table"]);
    assert!(set.status.success(), "{}", stderr(&set));
    assert_eq!(String::from_utf8_lossy(&set.stdout), "production\n");
    let env = cli.json("dave", &["env", "-o", "json"]);
    assert_eq!(env["stage"], "production");
    assert_eq!(env["mode"], "read-only");
    assert_eq!(env["source"], "saved");

    let unknown = cli.run("dave", &["env", "qa"]);
    assert_eq!(code(&unknown), 4, "{}", stderr(&unknown));
    assert!(stderr(&unknown).contains("no stage \"qa\""));
    // Gateways are an admin list on STOA: a devops user is told so, in the server's words.
    let refused = cli.run("dave", &["get", "gateways", "-o", "json"]);
    assert_eq!(code(&refused), 3, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("tenant-admin"),
        "{}",
        stderr(&refused)
    );
    for (user, kind) in [
        ("tess", "gateways"),
        ("dave", "subscriptions"),
        ("dave", "promotions"),
        ("dave", "audit"),
    ] {
        let out = cli.run(user, &["get", kind, "-o", "json"]);
        assert!(out.status.success(), "get {kind}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert!(v.is_array(), "get {kind}");
    }
}

#[test]
fn misuse_and_sign_in_errors_have_their_exit_codes() {
    let cli = Cli::start();
    let no_server = Command::new(BIN)
        .args(["get", "apis"])
        .env("ENVDECK_HOME", cli.home.path())
        .env_remove("ENVDECK_SERVER")
        .output()
        .expect("run");
    assert_eq!(code(&no_server), 2, "{}", stderr(&no_server));
    let bad_token = run_in(cli.home.path(), &cli.url, "not-a-token", &["get", "apis"]);
    assert_eq!(code(&bad_token), 3, "{}", stderr(&bad_token));
    assert_eq!(stderr(&bad_token).lines().count(), 1, "one clear line");
    let bad_kind = cli.run("dave", &["get", "widgets"]);
    assert_eq!(code(&bad_kind), 2);
}

/// The whole lifecycle as scripts drive it, with every refusal's exit code.
#[test]
fn promotion_lifecycle_and_exit_codes() {
    let cli = Cli::start();
    let apis = cli.json("dave", &["get", "apis", "--env", "dev", "-o", "json"]);
    let open = cli.json("dave", &["promote", "list", "-o", "json"]);
    let busy: Vec<String> = open
        .as_array()
        .expect("array")
        .iter()
        .filter(|p| p["status"] == "pending" || p["status"] == "promoting")
        .map(|p| p["api_id"].as_str().unwrap_or_default().to_string())
        .collect();
    let staging: Vec<String> = cli
        .json(
            "dave",
            &["get", "deployments", "--env", "staging", "-o", "json"],
        )
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["api_id"].as_str().unwrap_or_default().to_string())
        .collect();
    // An API synced in dev with no open promotion.
    let candidates: Vec<String> = apis
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_string())
        .filter(|n| !busy.contains(n))
        .collect();
    let mut created = None;
    // Promotion sources are an admin list on STOA: a devops user gets the plain reason.
    let devops = cli.run(
        "dave",
        &[
            "promote",
            "create",
            &candidates[0],
            "--to",
            "staging",
            "-m",
            "m",
        ],
    );
    assert_eq!(code(&devops), 3, "{}", stderr(&devops));
    assert!(stderr(&devops).contains(envdeck::api::prepare::ADMIN_ONLY_SOURCES));
    for name in &candidates {
        let out = cli.run(
            "tess",
            &[
                "promote",
                "create",
                name,
                "--to",
                "staging",
                "-m",
                "Release to staging",
                "-o",
                "json",
            ],
        );
        if out.status.success() {
            created = Some((
                name.clone(),
                serde_json::from_slice::<Value>(&out.stdout).expect("json"),
            ));
            break;
        }
    }
    let (api, promotion) = created.expect("some dev API can be promoted to staging");
    let id = promotion["id"].as_str().expect("id").to_string();
    assert_eq!(promotion["status"], "pending");
    assert_eq!(promotion["requested_by"], "tess");

    let again = cli.run(
        "tess",
        &["promote", "create", &api, "--to", "staging", "-m", "again"],
    );
    assert_eq!(code(&again), 5, "duplicate: {}", stderr(&again));
    let no_message = cli.run("tess", &["promote", "create", &api, "--to", "staging"]);
    assert_eq!(code(&no_message), 2);
    let long = "x".repeat(1001);
    let too_long = cli.run(
        "tess",
        &["promote", "create", &api, "--to", "staging", "-m", &long],
    );
    assert_eq!(code(&too_long), 6);
    let first = cli.run(
        "tess",
        &["promote", "create", &api, "--to", "dev", "-m", "m"],
    );
    assert_eq!(code(&first), 6, "nothing promotes into the first stage");
    let viewer = cli.run("vic", &["promote", "approve", &id]);
    assert_eq!(code(&viewer), 3, "viewer: {}", stderr(&viewer));
    let missing = cli.run(
        "dora",
        &["promote", "show", "00000000-0000-0000-0000-000000000000"],
    );
    assert_eq!(code(&missing), 4);

    let shown = cli.run("dora", &["promote", "show", &id, "--diff", "-o", "table"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    // The diff line by line (not sanitised into one line), uncoloured in a pipe.
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.lines().any(|l| l.starts_with("--- ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("+++ ")), "{text}");
    assert!(
        text.lines().count() > 5 && !text.contains('\u{1b}'),
        "{text}"
    );
    let approved = cli.json("dora", &["promote", "approve", &id, "-o", "json"]);
    assert_eq!(approved["status"], "promoting");
    assert_eq!(approved["approved_by"], "dora");
    let twice = cli.run("dora", &["promote", "approve", &id]);
    assert_eq!(code(&twice), 5, "approve twice: {}", stderr(&twice));
    let done = cli.json(
        "dora",
        &["promote", "complete", &id, "--wait", "-o", "json"],
    );
    assert_eq!(done["status"], "promoted");
    let in_staging = cli.json("dave", &["get", "apis", "--env", "staging", "-o", "json"]);
    assert!(
        in_staging
            .as_array()
            .expect("array")
            .iter()
            .any(|a| a["name"] == api.as_str()),
        "{api} is in staging after the promotion"
    );
    assert!(!staging.is_empty());

    // Into production: four-eyes and the typed confirmation.
    let to_prod = cli.json(
        "tess",
        &[
            "promote",
            "create",
            &api,
            "--to",
            "prod",
            "-m",
            "Release to production",
            "-o",
            "json",
        ],
    );
    let prod_id = to_prod["id"].as_str().expect("id").to_string();
    let own = cli.run(
        "tess",
        &["promote", "approve", &prod_id, "--confirm", "production"],
    );
    assert_eq!(code(&own), 3, "four-eyes: {}", stderr(&own));
    assert!(stderr(&own).contains("four-eyes"));
    let unconfirmed = cli.run("dora", &["promote", "approve", &prod_id]);
    assert_eq!(code(&unconfirmed), 2, "{}", stderr(&unconfirmed));
    assert!(stderr(&unconfirmed).contains("--confirm production"));
    let wrong = cli.run(
        "dora",
        &["promote", "approve", &prod_id, "--confirm", "staging"],
    );
    assert_eq!(code(&wrong), 2);
    let ok = cli.json(
        "dora",
        &[
            "promote",
            "approve",
            &prod_id,
            "--confirm",
            "prod",
            "-o",
            "json",
        ],
    );
    assert_eq!(ok["status"], "promoting");
    let done = cli.json(
        "dora",
        &[
            "promote",
            "complete",
            &prod_id,
            "--wait",
            "--confirm",
            "production",
            "-o",
            "json",
        ],
    );
    assert_eq!(done["status"], "promoted");

    let no_reason = cli.run("dora", &["promote", "rollback", &prod_id]);
    assert_eq!(code(&no_reason), 2);
    let reverse = cli.json(
        "dora",
        &[
            "promote",
            "rollback",
            &prod_id,
            "-m",
            "Error rate spike",
            "--confirm",
            "prod",
            "-o",
            "json",
        ],
    );
    assert_eq!(reverse["source_environment"], "production");
    assert_eq!(reverse["target_environment"], "staging");
    let original = cli.json("dora", &["promote", "show", &prod_id, "-o", "json"]);
    assert_eq!(original["status"], "rolled_back");
    let again = cli.run("dora", &["promote", "rollback", &prod_id, "-m", "again"]);
    assert_eq!(code(&again), 5, "{}", stderr(&again));
}

#[test]
fn api_writes_are_judged_by_every_stage_the_shared_catalog_entry_reaches() {
    let cli = Cli::start();
    // payments runs in read-only Production: deleting it "from dev" would remove it there too.
    let refused = cli.run("tess", &["api", "delete", "payments", "--env", "dev"]);
    assert_eq!(code(&refused), 3, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("payments is live in Production (read-only)"),
        "{}",
        stderr(&refused)
    );
    let prod = cli.json("tess", &["get", "apis", "--env", "prod", "-o", "json"]);
    assert!(
        prod.as_array()
            .expect("array")
            .iter()
            .any(|a| a["name"] == "payments"),
        "nothing was deleted"
    );
    // orders runs in dev and staging (both writable): an edit reaches both.
    let saved = cli.json(
        "tess",
        &[
            "api",
            "edit",
            "orders",
            "--env",
            "dev",
            "--display-name",
            "Orders (v2 checkout)",
            "-o",
            "json",
        ],
    );
    assert_eq!(saved["display_name"], "Orders (v2 checkout)");
    let staging = cli.json("tess", &["get", "apis", "--env", "staging", "-o", "json"]);
    assert!(
        staging
            .as_array()
            .expect("array")
            .iter()
            .any(|a| a["name"] == "orders" && a["display_name"] == "Orders (v2 checkout)"),
        "the catalog entry is shared"
    );
    let nothing = cli.run("tess", &["api", "edit", "orders", "--env", "dev"]);
    assert_eq!(code(&nothing), 2);
}

#[test]
fn api_create_is_what_the_console_prints_after_a_create() {
    let cli = Cli::start();
    // The console's equivalent command for a create in Development, run as printed.
    let created = cli.json(
        "dave",
        &[
            "api",
            "create",
            "billing",
            "--env",
            "dev",
            "--display-name",
            "Billing",
            "--version",
            "1.0.0",
            "--backend-url",
            "https://billing.internal",
            "-o",
            "json",
        ],
    );
    assert_eq!(created["name"], "billing");
    let dev = cli.json("dave", &["get", "apis", "--env", "dev", "-o", "json"]);
    assert!(
        dev.as_array()
            .expect("array")
            .iter()
            .any(|a| a["name"] == "billing" && a["display_name"] == "Billing"),
        "created in Development"
    );
    // Read-only Production refuses it before anything is sent.
    let refused = cli.run("tess", &["api", "create", "ledger-x", "--env", "prod"]);
    assert_eq!(code(&refused), 3, "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("Production is read-only"),
        "{}",
        stderr(&refused)
    );
    // A viewer lacks the permission.
    let viewer = cli.run("vic", &["api", "create", "ledger-y", "--env", "dev"]);
    assert_eq!(code(&viewer), 3, "{}", stderr(&viewer));
}
