//! The client's write guard against `domain::policy`, as a table: every write the client can
//! send × stage mode (full, promote-only, read-only, locally tightened) × `--readonly` × role
//! × promotion facts (own or someone else's request, right or wrong status). The guard must
//! refuse exactly what the policy refuses, and a refused write must never reach the server: a
//! stub records every request it gets.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use envdeck::api::{ApiError, Client, ClientOptions, NOT_KNOWN_YET};
use envdeck::domain::policy::{Actor, PolicyContext, PromotionFacts};
use envdeck::domain::{
    Mode, Operation, Pipeline, PromotionStatus, Role, Stage, StageName, permissions_for,
};
use envdeck::secret::Secret;
use envdeck::wire::{ApiCreate, ApiUpdate, PromotionCreate};

/// The stub's stages: name, mode. `qa` is full on the server and read-only on this machine.
const STAGES: [(&str, &str); 4] = [
    ("dev", "full"),
    ("qa", "full"),
    ("staging", "promote-only"),
    ("production", "read-only"),
];
const ROLES: [Role; 4] = [
    Role::CpiAdmin,
    Role::TenantAdmin,
    Role::Devops,
    Role::Viewer,
];

type Log = Arc<Mutex<Vec<(String, String)>>>;

fn permissions(role: &Role) -> Vec<String> {
    permissions_for(std::slice::from_ref(role))
        .into_iter()
        .map(String::from)
        .collect()
}

/// Answers reads from what the request names; records every request.
async fn stub(State(log): State<Log>, request: Request) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    if let Ok(mut log) = log.lock() {
        log.push((method.clone(), path.clone()));
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let body = match (method.as_str(), segments.as_slice()) {
        ("GET", ["v1", "environments"]) => json!({ "environments": STAGES.iter()
            .map(|(name, mode)| json!({ "name": name, "label": name, "mode": mode }))
            .collect::<Vec<_>>() }),
        ("GET", ["v1", "me"]) => json!({
            "user_id": token, "username": token, "roles": [token],
            "permissions": permissions(&Role::parse(&token)),
        }),
        ("GET", ["v1", "tenants", _, "apis", id]) => api(id),
        ("GET", ["v1", "tenants", _, "promotions", id]) => promotion(id),
        (_, ["v1", "tenants", _, "apis", ..]) => api("api--dev"),
        _ => promotion("p--pending--someone--dev"),
    };
    axum::Json(body).into_response()
}

/// `api--{stage}`: an API running in that stage only.
fn api(id: &str) -> serde_json::Value {
    let stage = id.trim_start_matches("api--");
    json!({
        "id": id, "tenant_id": "acme", "name": id, "display_name": id, "version": "1",
        "status": "active", "tags": [], "deployed_dev": false, "deployed_staging": false,
        "runtime_deployments": [{ "environment": stage, "status": "synced" }],
    })
}

/// `p--{status}--{requested_by}--{target}`.
fn promotion(id: &str) -> serde_json::Value {
    let parts: Vec<&str> = id.split("--").collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or_default();
    json!({
        "id": id, "tenant_id": "acme", "api_id": "a", "source_environment": "dev",
        "target_environment": part(3), "status": part(1), "message": "m",
        "requested_by": part(2),
    })
}

async fn start_stub() -> (String, Log) {
    let log: Log = Arc::default();
    let app = axum::Router::new().fallback(stub).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, log)
}

fn writes(log: &Log) -> usize {
    log.lock()
        .map(|l| l.iter().filter(|(m, _)| m != "GET").count())
        .unwrap_or(usize::MAX)
}

fn name(raw: &str) -> StageName {
    StageName::parse(raw).expect("stage")
}

/// One write as the client sends it; the answer is refused (with the reason) or sent.
async fn send(client: &Client, op: Operation, stage: &StageName, id: &str) -> Option<String> {
    let result = match op {
        Operation::CreateApi => {
            let body = ApiCreate {
                name: "x".into(),
                display_name: "x".into(),
                version: "1".into(),
                description: String::new(),
                backend_url: "https://backend.example.test".into(),
                tags: Vec::new(),
            };
            client.create_api(stage, &body).await.map(drop)
        }
        Operation::EditApi => {
            let body = ApiUpdate {
                version: Some("2".into()),
                ..ApiUpdate::default()
            };
            client.update_api(stage, id, &body).await.map(drop)
        }
        Operation::DeleteApi => client.delete_api(stage, id).await.map(drop),
        Operation::CreatePromotion => {
            let body = PromotionCreate {
                source_deployment_id: "d".into(),
                target_gateway_ids: vec!["g".into()],
                source_environment: "dev".into(),
                target_environment: stage.as_str().into(),
                message: "m".into(),
            };
            client.create_promotion("a", &body).await.map(drop)
        }
        Operation::ApprovePromotion => client.approve_promotion(id, Some("h")).await.map(drop),
        Operation::CompletePromotion => client.complete_promotion(id).await.map(drop),
        Operation::RollbackPromotion => client.rollback_promotion(id, "m").await.map(drop),
    };
    match result {
        Err(ApiError::Refused(reason)) => Some(reason),
        // Sent: the stub's answer may not decode as this write's reply; that is not the point.
        _ => None,
    }
}

fn pipeline() -> Pipeline {
    Pipeline::in_order(
        STAGES
            .iter()
            .map(|(n, mode)| Stage::new(name(n), Some(n), Mode::parse(mode).expect("mode"), None))
            .collect(),
    )
}

#[tokio::test]
async fn the_guard_refuses_exactly_what_the_policy_refuses_and_sends_nothing_then() {
    let (url, log) = start_stub().await;
    let pipeline = pipeline();
    let tightening = BTreeMap::from([(name("qa"), Mode::ReadOnly)]);
    let mut checked = 0;
    for role in ROLES {
        for readonly in [false, true] {
            let options = ClientOptions {
                local_tightening: tightening.clone(),
                session_readonly: readonly,
                ..ClientOptions::default()
            };
            let token = Secret::new(role.as_str());
            let client = Client::with_options(&url, "acme", Some(token), options).expect("client");
            client.environments().await.expect("environments");
            client.me().await.expect("me");
            let actor = Actor {
                username: role.as_str().into(),
                roles: vec![role.clone()],
                permissions: permissions(&role).into_iter().collect(),
            };
            let ctx = PolicyContext::new(&pipeline, &actor)
                .tightened(&tightening)
                .session_readonly(readonly);
            for (stage, _) in STAGES {
                let stage = name(stage);
                for op in Operation::ALL {
                    for (id, facts) in cases(op, &stage, role.as_str()) {
                        let want = match (op, &facts) {
                            (Operation::EditApi | Operation::DeleteApi, _) => {
                                ctx.decide_catalog(op, &stage, &id, std::slice::from_ref(&stage))
                            }
                            (_, Some((status, by))) => ctx.decide(
                                op,
                                &stage,
                                Some(PromotionFacts {
                                    status: *status,
                                    requested_by: by,
                                }),
                            ),
                            (_, None) => ctx.decide(op, &stage, None),
                        };
                        let before = writes(&log);
                        let refused = send(&client, op, &stage, &id).await;
                        let sent = writes(&log) - before;
                        let what =
                            format!("{op:?} into {stage} as {role} (readonly {readonly}, {id})");
                        match want.denial() {
                            Some(denial) => {
                                assert_eq!(
                                    refused,
                                    Some(format!("{denial}; nothing was sent")),
                                    "{what}"
                                );
                                assert_eq!(sent, 0, "{what}: a refused write reached the server");
                            }
                            None => {
                                assert_eq!(refused, None, "{what}");
                                assert_eq!(sent, 1, "{what}: an allowed write was not sent");
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

/// The ids to act on, with the promotion facts the stub will report for them.
fn cases(
    op: Operation,
    stage: &StageName,
    me: &str,
) -> Vec<(String, Option<(PromotionStatus, String)>)> {
    let Some(needed) = op.required_status() else {
        return vec![(format!("api--{stage}"), None)];
    };
    let wrong = if needed == PromotionStatus::Pending {
        PromotionStatus::Promoted
    } else {
        PromotionStatus::Pending
    };
    [(needed, "someone"), (needed, me), (wrong, "someone")]
        .into_iter()
        .map(|(status, by)| {
            let id = format!("p--{}--{by}--{stage}", status.as_str());
            (id, Some((status, by.to_string())))
        })
        .collect()
}

#[tokio::test]
async fn until_the_stages_and_the_actor_are_fetched_every_write_is_refused_unsent() {
    let (url, log) = start_stub().await;
    let client = Client::new(&url, "acme", Some(Secret::new("cpi-admin"))).expect("client");
    client.environments().await.expect("environments");
    let dev = name("dev");
    for op in Operation::ALL {
        let id = if op.required_status().is_some() {
            "p--pending--someone--dev"
        } else {
            "api--dev"
        };
        let refused = send(&client, op, &dev, id).await;
        assert_eq!(refused.as_deref(), Some(NOT_KNOWN_YET), "{op:?}");
    }
    assert_eq!(writes(&log), 0);
    client.me().await.expect("me");
    assert_eq!(send(&client, Operation::CreateApi, &dev, "").await, None);
    assert_eq!(writes(&log), 1);
}
