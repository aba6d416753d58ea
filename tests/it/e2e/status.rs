//! `envdeck status` of the real binary against `envdeck serve --seed demo`: the matrix as
//! JSON and as a table, the filters, the health, and the exit codes of `--fail-on`.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::{BIN, ServeProcess};

struct Run {
    url: String,
    home: tempfile::TempDir,
    tess: String,
    vic: String,
    _server: ServeProcess,
    _data: tempfile::TempDir,
}

impl Run {
    fn start() -> Run {
        let data = tempfile::tempdir().expect("data dir");
        let server = ServeProcess::start(data.path(), "demo");
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let token = |user| {
            rt.block_on(crate::support::token(&server.url, user))
                .expose()
                .to_string()
        };
        Run {
            url: server.url.clone(),
            home: tempfile::tempdir().expect("home"),
            tess: token("tess"),
            vic: token("vic"),
            _server: server,
            _data: data,
        }
    }

    fn status(&self, token: &str, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(["--server", &self.url, "--tenant", "acme", "status"])
            .args(args)
            .env("ENVDECK_HOME", self.home.path())
            .env("ENVDECK_TOKEN", token)
            .output()
            .expect("run envdeck")
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn find<'a>(cells: &'a Value, api: &str, stage: &str) -> &'a Value {
    cells
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["api"] == api && c["stage"] == stage)
        .unwrap_or_else(|| panic!("no cell {api} {stage}"))
}

#[test]
fn status_as_json_tables_filters_health_and_exit_codes() {
    let run = Run::start();

    // Every API × stage, with the documented fields and nothing else.
    let out = run.status(&run.tess, &["-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cells = json(&out);
    let all = cells.as_array().expect("array");
    assert_eq!(all.len() % 3, 0);
    for c in all {
        let mut keys: Vec<&str> = c
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "api",
                "differs_from_previous",
                "open_promotion",
                "stage",
                "sync",
                "version"
            ]
        );
        assert_ne!(c["sync"], "unknown", "a tenant-admin knows every cell: {c}");
    }
    let prod = find(&cells, "payments", "production");
    assert_eq!(prod["version"], "2.1.0");
    assert_eq!(prod["sync"], "synced");
    assert_eq!(prod["differs_from_previous"], true);
    let open = &prod["open_promotion"];
    assert_eq!(
        (
            &open["status"],
            &open["requested_by"],
            &open["from"],
            &open["to"]
        ),
        (
            &Value::from("pending"),
            &Value::from("dave"),
            &Value::from("staging"),
            &Value::from("production")
        )
    );
    assert_eq!(
        find(&cells, "payments", "dev")["differs_from_previous"],
        false
    );
    let orders = find(&cells, "orders", "production");
    assert_eq!(
        (&orders["sync"], &orders["version"]),
        (&Value::from("absent"), &Value::Null)
    );

    // Only what waits; and the gate on it exits 7 after printing the same JSON.
    let waiting = json(&run.status(&run.tess, &["-o", "json", "--only-waiting"]));
    let mut apis: Vec<&str> = waiting
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["api"].as_str())
        .collect();
    apis.dedup();
    assert!(
        apis.contains(&"payments") && apis.contains(&"orders"),
        "{apis:?}"
    );
    let gate = run.status(
        &run.tess,
        &["-o", "json", "--only-waiting", "--fail-on", "waiting"],
    );
    assert_eq!(gate.status.code(), Some(7));
    assert_eq!(json(&gate), waiting);
    let stderr = String::from_utf8_lossy(&gate.stderr);
    assert!(
        stderr.contains("wait for a promotion (--fail-on)"),
        "{stderr}"
    );

    // Drift: the demo has drifted or failed gateways; filtered to them, none is healthy.
    let drift = run.status(
        &run.tess,
        &["-o", "json", "--only-drift", "--fail-on", "drift"],
    );
    assert_eq!(drift.status.code(), Some(7));
    let drift = json(&drift);
    let drift = drift.as_array().expect("array");
    assert!(!drift.is_empty());
    assert!(
        drift
            .iter()
            .any(|c| c["sync"] == "drifted" || c["sync"] == "error")
    );

    // Nothing found: exit 0.
    let none = run.status(
        &run.tess,
        &[
            "-o",
            "json",
            "--only-drift",
            "--only-waiting",
            "--fail-on",
            "drift",
        ],
    );
    let found = json(&none).as_array().map_or(0, Vec::len);
    assert_eq!(none.status.code(), Some(if found > 0 { 7 } else { 0 }));

    // Health as JSON: per stage after the first, 30 days.
    let h = json(&run.status(&run.tess, &["-o", "json", "--health"]));
    let stages = h["health"]["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0]["stage"], "staging");
    assert_eq!(
        stages[0]["promotions_per_day"].as_array().map(Vec::len),
        Some(30)
    );
    assert!(h["cells"].as_array().is_some_and(|c| c.len() == all.len()));

    // A viewer: presence and sync, no versions; the note on stderr; labels in the table.
    let out = run.status(&run.vic, &["-o", "table", "--health"]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("versions unknown in Development, Staging, Production"),
        "{stderr}"
    );
    assert!(table.starts_with("Health, last 30 days"), "{table}");
    let header = table
        .lines()
        .find(|l| l.starts_with("API "))
        .expect("header");
    assert!(
        header.contains(" DEVELOPMENT ") && header.ends_with(" PRODUCTION"),
        "{header}"
    );
    let payments = table
        .lines()
        .find(|l| l.starts_with("payments"))
        .expect("payments");
    assert!(payments.contains("? synced"), "{payments}");
    assert!(payments.contains("[pending, dave]"), "{payments}");
    let json_viewer = json(&run.status(&run.vic, &["-o", "json"]));
    assert_eq!(
        find(&json_viewer, "payments", "production")["differs_from_previous"],
        Value::Null
    );
}
