//! Promotions as operators drive them: the real binary in a pseudo-terminal against
//! `envdeck serve --seed demo` in another process; the server is asked what really happened.

use std::time::Duration;

use envdeck::api::{Client, PromotionFilter};
use envdeck::domain::StageName;
use envdeck::wire::Promotion;

use crate::e2e::pty::Session;
use crate::support::{ServeProcess, client_as};

pub(crate) const WAIT: Duration = Duration::from_secs(30);

pub(crate) struct World {
    server: ServeProcess,
    _data: tempfile::TempDir,
    homes: Vec<tempfile::TempDir>,
    rt: tokio::runtime::Runtime,
}

impl World {
    pub(crate) fn start() -> World {
        let data = tempfile::tempdir().expect("data dir");
        let server = ServeProcess::start(data.path(), "demo");
        World {
            server,
            _data: data,
            homes: Vec::new(),
            rt: tokio::runtime::Runtime::new().expect("runtime"),
        }
    }

    /// The console signed in as `user` (`envdeck login`, password grant), with a home of its own.
    pub(crate) fn console(&mut self, user: &str) -> Session {
        let home = tempfile::tempdir().expect("home");
        let home_s = home.path().to_string_lossy().to_string();
        self.homes.push(home);
        let server = ["--server", self.server.url.as_str(), "--tenant", "acme"];
        let mut login = std::process::Command::new(crate::support::BIN)
            .args(server)
            .args(["login", "--username", user, "--password-stdin"])
            .env("ENVDECK_HOME", &home_s)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("envdeck login");
        if let Some(mut stdin) = login.stdin.take() {
            std::io::Write::write_all(&mut stdin, b"demo\n").expect("password");
        }
        let out = login.wait_with_output().expect("login ends");
        assert!(
            out.status.success(),
            "login: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Session::spawn(
            &server,
            &[
                ("ENVDECK_HOME", home_s.as_str()),
                ("ENVDECK_TIMEOUT_SECS", "5"),
            ],
        )
    }

    fn client(&self, user: &str) -> Client {
        self.rt.block_on(client_as(&self.server.url, user, "acme"))
    }

    pub(crate) fn promotions_of(&self, api: &str) -> Vec<Promotion> {
        let client = self.client("ada");
        let filter = PromotionFilter {
            api_id: Some(api.into()),
            ..PromotionFilter::default()
        };
        self.rt
            .block_on(client.promotions(&filter))
            .expect("promotions")
    }
}

fn stage(name: &str) -> StageName {
    StageName::parse(name).expect("stage")
}

pub(crate) fn quit(mut s: Session) {
    s.send("q");
    assert_eq!(s.wait_exit(WAIT), Some(0), "clean exit:\n{}", s.screen());
}

/// A demo API synced in dev, absent from staging and never promoted: a clean subject.
pub(crate) fn fresh_api(world: &World) -> String {
    let client = world.client("ada");
    world.rt.block_on(async {
        let synced = client
            .gateway_deployments(Some(&stage("dev")), Some("synced"))
            .await
            .expect("dev deployments");
        let in_staging: Vec<String> = client
            .apis(&stage("staging"))
            .await
            .expect("staging apis")
            .into_iter()
            .map(|a| a.name)
            .collect();
        let promoted: Vec<String> = client
            .promotions(&PromotionFilter::default())
            .await
            .expect("promotions")
            .into_iter()
            .map(|p| p.api_id)
            .collect();
        synced
            .into_iter()
            .map(|d| d.api_name().to_string())
            .find(|name| !in_staging.contains(name) && !promoted.contains(name))
            .expect("the demo has an API synced in dev only")
    })
}

/// `/` filter, typed, kept with Enter.
pub(crate) fn filter(s: &Session, text: &str) {
    s.send("/");
    s.type_text(text);
    s.send("\r");
}

#[test]
fn tess_requests_dora_reviews_approves_the_gateways_complete_and_dora_rolls_back() {
    let mut world = World::start();
    let api = fresh_api(&world);

    // tess (tenant-admin: she may list promotion sources) asks to promote from dev to staging.
    let s = world.console("tess");
    s.wait_for("Development", WAIT);
    filter(&s, &api);
    s.wait_for(&format!("{api} "), WAIT);
    s.send("p");
    s.wait_for(&format!("Promote {api}"), WAIT);
    s.wait_for("chain valid", WAIT);
    s.type_text("Ready for QA in staging");
    s.send("\r");
    s.wait_for("Request promotion of", WAIT);
    s.send("y");
    s.wait_for("requested", WAIT);
    quit(s);
    let created = world.promotions_of(&api);
    let [p] = created.as_slice() else {
        panic!("one promotion of {api}: {created:?}");
    };
    assert_eq!(
        (
            p.status.as_str(),
            p.requested_by.as_str(),
            p.message.as_str()
        ),
        ("pending", "tess", "Ready for QA in staging")
    );
    let id = p.id.clone();

    // dora reviews the diff and approves; the gateways acknowledge and complete it.
    let s = world.console("dora");
    s.wait_for("Development", WAIT);
    s.send("]");
    s.send("5");
    s.wait_for("Promotions into Staging", WAIT);
    filter(&s, &api);
    s.send("a");
    s.wait_for("review the diff first", WAIT);
    s.wait_for("chain valid", WAIT);
    s.wait_for("(after promotion)", WAIT);
    s.send("a");
    s.wait_for("Approve promotion of", WAIT);
    s.send("y");
    s.wait_for("approved", WAIT);
    s.wait_for(": promoted", WAIT);
    // The API is in staging's lists now.
    s.send("1");
    filter(&s, &api);
    s.wait_for("APIs in Staging ", WAIT);
    s.wait_for(&format!("{api} "), WAIT);

    // Rollback, with its mandatory message.
    s.send("5");
    s.wait_for("Promotions into Staging", WAIT);
    s.send("R");
    s.wait_for("Why roll back", WAIT);
    s.send("\r");
    s.wait_for("message is required", WAIT);
    s.type_text("Error rate spike");
    s.send("\r");
    // The status line moves on quickly (the gateways complete the reverse promotion too):
    // the list says what happened.
    s.wait_for("rolled_back", WAIT);
    quit(s);

    let after = world.promotions_of(&api);
    let original = after.iter().find(|p| p.id == id).expect("original");
    assert_eq!(original.status, "rolled_back");
    assert_eq!(original.approved_by.as_deref(), Some("dora"));
    let reverse = after
        .iter()
        .find(|p| p.id != id)
        .expect("a reverse promotion");
    assert_eq!(
        (
            reverse.source_environment.as_str(),
            reverse.target_environment.as_str(),
            reverse.message.as_str()
        ),
        ("staging", "dev", "Error rate spike")
    );
}

#[test]
fn dave_cannot_approve_his_own_promotion_into_production() {
    let mut world = World::start();
    let mine: Vec<Promotion> = world
        .promotions_of("payments")
        .into_iter()
        .filter(|p| p.status == "pending")
        .collect();
    let [p] = mine.as_slice() else {
        panic!("the demo's pending staging→production promotion: {mine:?}");
    };
    assert_eq!(p.requested_by, "dave");

    let s = world.console("dave");
    s.wait_for("Development", WAIT);
    // A devops user cannot list promotion sources on STOA: p says so plainly.
    filter(&s, "shipping");
    s.wait_for("shipping ", WAIT);
    s.send("p");
    s.wait_for("tenant-admin and cpi-admin only", WAIT);
    s.send("]");
    s.send("]");
    s.wait_for("read-only mode", WAIT);
    s.send("5");
    s.wait_for("Promotions into Production", WAIT);
    filter(&s, "payments");
    s.send("a");
    s.wait_for("you requested this: four-eyes", WAIT);
    // Not even from the review.
    s.send("\r");
    s.wait_for("pre-flight", WAIT);
    s.wait_for("a approve: you requested this", WAIT);
    s.send("a");
    s.wait_for("approve: you requested this", WAIT);
    s.send("\x1b");
    s.wait_for("(f status", WAIT);
    quit(s);

    let after = world.promotions_of("payments");
    let same = after.iter().find(|q| q.id == p.id).expect("still there");
    assert_eq!(same.status, "pending", "nothing was sent");
    assert_eq!(same.approved_by, None);
}
