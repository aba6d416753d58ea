//! Fixed data and a fixed clock for console tests (no real times or ids in snapshots).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use envdeck::api::ApiError;
use envdeck::app::action::{Action, ListPayload, SavedState};
use envdeck::app::{Effect, State, update};
use envdeck::wire::{
    Api, AuditEntry, Deployment, Environment, EnvironmentList, Gateway, Me, Promotion,
    Subscription, Timestamp,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn at(raw: &str) -> Timestamp {
    Timestamp::parse(raw).expect("fixed timestamp")
}

/// The fixed "now" of every console test.
pub fn now() -> Timestamp {
    at("2026-11-24T10:00:00Z")
}

pub fn env(name: &str, label: &str, mode: &str, color: Option<&str>) -> Environment {
    Environment {
        name: name.into(),
        label: label.into(),
        mode: mode.into(),
        color: color.map(String::from),
        endpoints: None,
        is_current: false,
    }
}

/// The real service's three stages, production first as it lists them.
pub fn three_stages() -> EnvironmentList {
    EnvironmentList {
        environments: vec![
            env("production", "Production", "read-only", Some("#ef4444")),
            env("staging", "Staging", "full", Some("#f59e0b")),
            env("dev", "Development", "full", Some("#22c55e")),
        ],
        current: Some("dev".into()),
    }
}

pub fn one_stage() -> EnvironmentList {
    EnvironmentList {
        environments: vec![env("prod", "", "read-only", None)],
        current: None,
    }
}

/// Seven stages, unknown names among them, no colours for the unknown ones.
pub fn seven_stages() -> EnvironmentList {
    EnvironmentList {
        environments: vec![
            env("sandbox", "Sandbox", "full", None),
            env("qa-eu", "QA Europe", "full", None),
            env("stg", "Staging", "promote-only", None),
            env("perf", "Performance", "promote-only", Some("#8b5cf6")),
            env("canary", "Canary", "read-only", None),
            env("prod", "Production", "read-only", None),
            env("dr-site", "Disaster recovery", "read-only", Some("#64748b")),
        ],
        current: None,
    }
}

pub fn me(user: &str, roles: &[&str]) -> Me {
    let parsed: Vec<envdeck::domain::Role> = roles
        .iter()
        .map(|r| envdeck::domain::Role::parse(r))
        .collect();
    Me {
        user_id: format!("u-{user}"),
        username: user.into(),
        tenant_id: Some("acme".into()),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        permissions: envdeck::domain::permissions_for(&parsed)
            .into_iter()
            .map(String::from)
            .collect(),
        ..Me::default()
    }
}

pub fn api(i: usize, name: &str) -> Api {
    Api {
        id: format!("api-{i:04}"),
        tenant_id: "acme".into(),
        name: name.into(),
        display_name: format!("{} API", name.replace('-', " ")),
        version: format!("1.{i}.0"),
        status: if i.is_multiple_of(3) {
            "draft"
        } else {
            "published"
        }
        .into(),
        backend_url: Some(format!("https://{name}.internal.acme")),
        updated_at: Some(at("2026-11-20T08:15:00Z")),
        ..Api::default()
    }
}

/// Where each fixture API runs, as the real service spells it (payments in every stage, one
/// of them spelt `prod`).
const RUNS_IN: [&[&str]; 5] = [
    &["dev", "staging", "prod"],
    &["dev", "staging"],
    &["dev"],
    &[],
    &["dev"],
];

pub fn apis() -> Vec<Api> {
    ["payments", "orders", "customers", "ledger", "shipping"]
        .iter()
        .enumerate()
        .map(|(i, n)| Api {
            runtime_deployments: RUNS_IN[i]
                .iter()
                .map(|env| envdeck::wire::RuntimeDeployment {
                    environment: env.to_string(),
                    status: "synced".into(),
                    gateway_count: 1,
                    synced_count: 1,
                    ..Default::default()
                })
                .collect(),
            ..api(i + 1, n)
        })
        .collect()
}

pub fn deployments() -> Vec<Deployment> {
    vec![
        Deployment {
            id: "dep-1".into(),
            api_name: "payments".into(),
            environment: "production".into(),
            version: "1.1.0".into(),
            status: "success".into(),
            deployed_by: Some("dora".into()),
            created_at: Some(at("2026-11-21T09:00:00Z")),
            ..Deployment::default()
        },
        Deployment {
            id: "dep-2".into(),
            api_name: "orders".into(),
            environment: "production".into(),
            version: "1.2.0".into(),
            status: "failed".into(),
            deployed_by: Some("dave".into()),
            created_at: Some(at("2026-11-22T14:30:00Z")),
            error_message: Some("gateway timeout".into()),
            ..Deployment::default()
        },
    ]
}

pub fn gateways() -> Vec<Gateway> {
    vec![Gateway {
        id: "gw-1".into(),
        name: "kong-prod-eu".into(),
        display_name: "Kong EU".into(),
        gateway_type: "kong".into(),
        environment: "production".into(),
        base_url: Some("https://gw-eu.acme.example".into()),
        status: "online".into(),
        last_health_check: Some(at("2026-11-24T09:59:00Z")),
        ..Gateway::default()
    }]
}

pub fn subscriptions() -> Vec<Subscription> {
    vec![
        Subscription {
            id: "sub-1".into(),
            application_name: "mobile-app".into(),
            api_name: "payments".into(),
            plan_name: Some("gold".into()),
            status: "active".into(),
            subscriber_email: Some("ops@acme.example".into()),
            expires_at: Some(at("2027-01-01T00:00:00Z")),
            ..Subscription::default()
        },
        Subscription {
            id: "sub-2".into(),
            application_name: "erp-sync".into(),
            api_name: "payments".into(),
            plan_name: Some("default".into()),
            status: "active".into(),
            environment: Some("prod".into()),
            subscriber_email: Some("erp@acme.example".into()),
            expires_at: Some(at("2027-02-01T00:00:00Z")),
            ..Subscription::default()
        },
    ]
}

pub fn promotions() -> Vec<Promotion> {
    vec![Promotion {
        id: "promo-1".into(),
        api_id: "payments".into(),
        source_environment: "staging".into(),
        target_environment: "production".into(),
        status: "pending".into(),
        message: "Release 1.1: refunds".into(),
        requested_by: "dora".into(),
        created_at: Some(at("2026-11-23T16:00:00Z")),
        ..Promotion::default()
    }]
}

pub fn audit() -> Vec<AuditEntry> {
    vec![
        AuditEntry {
            id: "aud-1".into(),
            timestamp: Some(at("2026-11-23T16:00:05Z")),
            user_email: Some("dora@acme.example".into()),
            action: "promotion.create".into(),
            resource_id: Some("promo-1".into()),
            status: "success".into(),
            details: Some(serde_json::json!({"environment": "production"})),
            ..AuditEntry::default()
        },
        // As the real service writes promotion events: no `environment`, both stages.
        AuditEntry {
            id: "aud-2".into(),
            timestamp: Some(at("2026-11-23T15:10:00Z")),
            user_email: Some("tess@acme.example".into()),
            action: "promotion_created".into(),
            resource_id: Some("promo-2".into()),
            status: "success".into(),
            details: Some(serde_json::json!({
                "api_id": "orders", "source_environment": "dev", "target_environment": "staging"
            })),
            ..AuditEntry::default()
        },
        AuditEntry {
            id: "aud-3".into(),
            timestamp: Some(at("2026-11-23T14:00:00Z")),
            user_email: Some("ada@acme.example".into()),
            action: "tenant.update".into(),
            resource_id: Some("acme".into()),
            status: "success".into(),
            ..AuditEntry::default()
        },
    ]
}

pub fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(state, key(c))).collect()
}

/// A state as the console has it once the server answered: stages, user, saved stage.
pub fn loaded(envs: EnvironmentList, saved_stage: Option<&str>, me_: Me) -> State {
    let mut state = State::new("demo", "acme", "http://127.0.0.1:1#acme", now());
    state.size = (100, 30);
    update(
        &mut state,
        Action::SavedStateLoaded(match saved_stage {
            Some(s) => SavedState::Found {
                stage: Some(s.into()),
                view: None,
            },
            None => SavedState::Missing,
        }),
    );
    update(
        &mut state,
        Action::Environments {
            result: Ok(envs),
            cached: false,
        },
    );
    update(&mut state, Action::Me(Ok(me_)));
    state
}

/// Delivers a list for the active stage under the current generation.
pub fn deliver(state: &mut State, payload: ListPayload) -> Vec<Effect> {
    let kind = payload.kind();
    let stage = if kind.is_stage_scoped() {
        state.active.clone()
    } else {
        None
    };
    let generation = state.generation;
    update(
        state,
        Action::List {
            kind,
            stage,
            generation,
            result: Ok(payload),
        },
    )
}

/// What the runtime hands the console when the control plane is unreachable.
pub fn offline_error() -> envdeck::app::failure::Failure {
    ApiError::Network("connection refused".into()).into()
}

/// The frame's rows as plain text (the backend's quotes stripped).
pub fn screen_rows(state: &State, width: u16, height: u16) -> Vec<String> {
    let terminal = render(state, width, height);
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

pub fn render(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| envdeck::ui::view(frame, state))
        .expect("draw");
    terminal
}
