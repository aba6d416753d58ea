//! The promotion state machine against a model: random short sequences of create, approve
//! (with the agent acknowledging), rollback and approval of pending reverses, after each of
//! which every stage serves, for the API, the spec hash a map stage → hash predicts.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use envdeck::server::Seed;
use envdeck::server::agent::{AgentOptions, GatewayMode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{As, Srv, create_api, id_of};

const STAGES: [&str; 3] = ["dev", "staging", "production"];
const SEQUENCES: u64 = 160;
const STEPS: usize = 10;
const PARALLEL: usize = 8;

/// xorshift64*: deterministic per seed, no crate needed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// What the model knows of one promotion.
struct Known {
    /// The stage whose gateways it changes.
    changes: &'static str,
    /// For a normal promotion, its source stage; `None` for a reverse.
    source: Option<&'static str>,
    /// What the changed stage held before it (set when it deploys; a pending reverse holds
    /// its restore here).
    before: Option<Option<String>>,
    /// For a pending reverse: what it will restore.
    restore: Option<Option<String>>,
    status: String,
}

type Model = HashMap<&'static str, Option<String>>;

/// Once no deployment of the API waits for a gateway (so nothing is promoting either: a
/// promotion completes in the acknowledging transaction), the spec hash each stage serves.
async fn served(who: &As<'_>, api: &str) -> Model {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = who
            .ok(
                Method::GET,
                &format!("/v1/admin/deployments?api_id={api}&tenant_id=acme&page_size=50"),
                None,
                200,
            )
            .await;
        let items = page["items"].as_array().unwrap();
        let busy = items.iter().any(|d| {
            matches!(
                d["sync_status"].as_str(),
                Some("pending" | "syncing" | "deleting")
            )
        });
        if !busy {
            let mut out: Model = STAGES.into_iter().map(|s| (s, None)).collect();
            for d in items {
                let env = stage(d["gateway_environment"].as_str().unwrap());
                let hash = d["desired_state"]["spec_hash"]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert!(out.insert(env, Some(hash)).unwrap().is_none(), "{page}");
            }
            return out;
        }
        assert!(Instant::now() < deadline, "{api} never settles");
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

fn stage(name: &str) -> &'static str {
    STAGES
        .into_iter()
        .find(|s| *s == name)
        .unwrap_or_else(|| panic!("stage {name}"))
}

async fn sequence(dave: &As<'_>, dora: &As<'_>, tess: &As<'_>, case: u64) {
    let mut rng = Rng::new(case + 1);
    let api = format!("m{case}");
    create_api(dave, "acme", "dev", &api).await;
    let mut model: Model = served(tess, &api).await;
    let mut known: HashMap<String, Known> = HashMap::new();
    let mut log = Vec::new();
    for step in 0..STEPS {
        let ids: Vec<String> = {
            let mut v: Vec<String> = known.keys().cloned().collect();
            v.sort();
            v
        };
        let base = "/v1/tenants/acme/promotions";
        match rng.below(5) {
            4 => {
                // A new spec in dev, so that stages can hold different ones.
                let (status, _) = dave
                    .put(
                        &format!("/v1/tenants/acme/apis/{api}?environment=dev"),
                        json!({"version": format!("1.{step}.{}", rng.below(1000))}),
                    )
                    .await;
                log.push(format!("edit dev: {status}"));
                if status == StatusCode::OK {
                    let dev = served(tess, &api).await["dev"].clone();
                    model.insert("dev", dev);
                }
            }
            0 => {
                // Mostly onwards once staging has the API, so production sees rollbacks too.
                let onwards = model["staging"].is_some() && rng.below(3) > 0;
                let (from, to) = if onwards {
                    ("staging", "production")
                } else {
                    ("dev", "staging")
                };
                let (status, body) = dave
                    .post(
                        &format!("{base}/{api}"),
                        json!({"source_environment": from, "target_environment": to, "message": "m"}),
                    )
                    .await;
                log.push(format!("create {from}->{to}: {status}"));
                if status == StatusCode::CREATED {
                    known.insert(
                        id_of(&body),
                        Known {
                            changes: stage(to),
                            source: Some(stage(from)),
                            before: None,
                            restore: None,
                            status: "pending".into(),
                        },
                    );
                }
            }
            1 | 3 => {
                let pending: Vec<&String> = ids
                    .iter()
                    .filter(|i| known[*i].status == "pending")
                    .collect();
                if pending.is_empty() {
                    continue;
                }
                let id = pending[rng.below(pending.len())].clone();
                let path = format!("{base}/{id}");
                let diff = dora
                    .ok(Method::GET, &format!("{path}/diff"), None, 200)
                    .await;
                let (status, _) = dora
                    .post(
                        &format!("{path}/approve"),
                        json!({"reviewed_spec_hash": diff["reviewed_spec_hash"]}),
                    )
                    .await;
                log.push(format!("approve {id}: {status}"));
                if status == StatusCode::OK {
                    let k = known.get_mut(&id).unwrap();
                    k.before = Some(model[k.changes].clone());
                    let now = match (&k.source, k.restore.take()) {
                        (Some(src), _) => model[src].clone(),
                        (None, Some(restore)) => restore,
                        (None, None) => unreachable!(),
                    };
                    model.insert(k.changes, now);
                    k.status = "promoted".into();
                }
            }
            _ => {
                let done: Vec<&String> = ids
                    .iter()
                    .filter(|i| known[*i].status == "promoted")
                    .collect();
                if done.is_empty() {
                    continue;
                }
                let id = done[rng.below(done.len())].clone();
                let (status, body) = dave
                    .post(&format!("{base}/{id}/rollback"), json!({"message": "undo"}))
                    .await;
                log.push(format!("rollback {id}: {status} {}", body["status"]));
                if status == StatusCode::CREATED {
                    let k = known.get_mut(&id).unwrap();
                    k.status = "rolled_back".into();
                    let (changes, restore) = (k.changes, k.before.clone().unwrap());
                    let waits = changes == "production";
                    assert_eq!(body["status"], if waits { "pending" } else { "promoting" });
                    let mut r = Known {
                        changes,
                        source: None,
                        before: None,
                        restore: Some(restore.clone()),
                        status: "pending".into(),
                    };
                    if !waits {
                        r.before = Some(model[changes].clone());
                        r.restore = None;
                        r.status = "promoted".into();
                        model.insert(changes, restore);
                    }
                    known.insert(id_of(&body), r);
                }
            }
        }
        let seen = served(tess, &api).await;
        assert_eq!(seen, model, "case {case} step {step}: {log:#?}");
    }
    // Every promotion is where the model says (the agent acknowledged each approval).
    for (id, k) in &known {
        let path = format!("/v1/tenants/acme/promotions/{id}");
        let p = tess.ok(Method::GET, &path, None, 200).await;
        assert_eq!(
            p["status"],
            Value::from(k.status.clone()),
            "case {case}: {log:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_promotion_sequences_leave_every_stage_as_the_model_says() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A fast agent: the property is about state, not timing.
    let agent = AgentOptions {
        mode: GatewayMode::Auto,
        delay: Duration::from_millis(1),
    };
    let server = envdeck::server::start_with(super::options(dir.path(), Seed::None), agent)
        .await
        .expect("server starts");
    let srv = Srv {
        server,
        dir,
        http: super::http(),
    };
    let (dave, dora, tess) = (
        srv.login("dave").await,
        srv.login("dora").await,
        srv.login("tess").await,
    );
    let started = Instant::now();
    let cases: Vec<u64> = (0..SEQUENCES).collect();
    for chunk in cases.chunks(PARALLEL) {
        futures::future::join_all(
            chunk
                .iter()
                .map(|case| sequence(&dave, &dora, &tess, *case)),
        )
        .await;
    }
    // Speed is a benchmark's business, never an assertion: report it only.
    eprintln!("{SEQUENCES} sequences in {:?}", started.elapsed());
}
