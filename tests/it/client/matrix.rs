//! The pipeline matrix from the client: against the embedded control plane (complete for a
//! tenant-admin, versions unknown to devops) and against recordings of the real service
//! (what each role may read, and how many requests it takes).

use envdeck::api::Client;
use envdeck::api::matrix::{GatewayAccess, NO_GATEWAY_LISTS};
use envdeck::domain::matrix::{ArrowStatus, Cell, Matrix, MatrixRow, Sync};
use envdeck::domain::{Mode, Stage, StageName};
use envdeck::secret::Secret;

use super::replay::{Env, Recording, ReplayStub};
use crate::support::{client_as, demo_server};

fn row<'a>(m: &'a Matrix, api: &str) -> &'a MatrixRow {
    m.rows
        .iter()
        .find(|r| r.api == api)
        .unwrap_or_else(|| panic!("no row {api}"))
}

fn version(cell: &Cell) -> Option<&str> {
    match cell {
        Cell::Known {
            version: Some(v), ..
        } => Some(&v.version),
        _ => None,
    }
}

async fn stages(client: &Client) -> Vec<Stage> {
    let (pipeline, _) = client.environments().await.expect("stages").pipeline();
    pipeline.stages().to_vec()
}

#[tokio::test]
async fn the_embedded_control_plane_tells_a_tenant_admin_every_cell() {
    let server = demo_server().await;
    let tess = client_as(server.url(), "tess", "acme").await;
    let stages = stages(&tess).await;
    let data = tess
        .pipeline_matrix(&stages, GatewayAccess::Yes)
        .await
        .expect("matrix");
    let m = &data.matrix;
    assert!(m.notes.is_empty(), "{:?}", m.notes);
    assert!(m.rows.len() >= 20);
    for r in &m.rows {
        for s in &r.slots {
            match &s.cell {
                Cell::Known { version, .. } => assert!(version.is_some(), "{}", r.api),
                Cell::Absent => {}
                Cell::Unknown { why } => panic!("{}: unknown ({why})", r.api),
            }
        }
    }
    // payments: 2.2.0 in dev and staging, 2.1.0 in production, a promotion waiting for it.
    let payments = row(m, "payments");
    let versions: Vec<_> = payments.slots.iter().map(|s| version(&s.cell)).collect();
    assert_eq!(versions, [Some("2.2.0"), Some("2.2.0"), Some("2.1.0")]);
    assert_eq!(payments.slots[2].differs, Some(true));
    let arrow = payments.slots[2].arrow.as_ref().expect("waiting promotion");
    assert_eq!(
        (arrow.status, arrow.requested_by.as_str()),
        (ArrowStatus::Pending, "dave")
    );
    let orders = row(m, "orders");
    assert!(orders.slots[1].arrow.is_some());
    assert_eq!(orders.slots[2].cell, Cell::Absent);
    // The most out-of-date rows come first.
    let first = m.rows.first().expect("rows").out_of_date();
    assert!(m.rows.iter().all(|r| r.out_of_date() <= first));
    assert!(
        data.promotions.iter().any(|p| p.status == "rolled_back"),
        "the history comes along for the health figures"
    );
}

#[tokio::test]
async fn devops_sees_presence_and_sync_but_no_versions() {
    let server = demo_server().await;
    let dave = client_as(server.url(), "dave", "acme").await;
    let stages = stages(&dave).await;
    for access in [GatewayAccess::No, GatewayAccess::Probe] {
        let m = dave
            .pipeline_matrix(&stages, access)
            .await
            .expect("matrix")
            .matrix;
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
        assert!(m.notes[0].contains(NO_GATEWAY_LISTS));
        let payments = row(&m, "payments");
        assert!(payments.slots.iter().all(|s| matches!(
            s.cell,
            Cell::Known {
                version: None,
                sync: Sync::Synced,
                ..
            }
        )));
        // Both deployed, versions unreadable: whether they differ is not known.
        assert_eq!(payments.slots[2].differs, None);
        assert_eq!(row(&m, "orders").slots[2].differs, Some(true));
    }
}

fn three_stages() -> Vec<Stage> {
    ["dev", "staging", "production"]
        .iter()
        .map(|n| Stage::new(StageName::parse(n).expect("stage"), None, Mode::Full, None))
        .collect()
}

fn replay_client(stub: &ReplayStub) -> Client {
    Client::new(&stub.url, "acme", Some(Secret::new("fixture-token"))).expect("client")
}

#[tokio::test]
async fn the_real_service_gives_a_tenant_admin_versions_in_stages_plus_two_requests() {
    let stub = ReplayStub::routed(vec![
        (
            Env::Exact(None),
            Recording::load("get_apis_ok_catalog.json"),
        ),
        (
            Env::Any,
            Recording::load("get_admin-deployments_ok_tenant-admin.json"),
        ),
        (Env::Any, Recording::load("get_promotions_ok_live.json")),
    ])
    .await;
    let data = replay_client(&stub)
        .pipeline_matrix(&three_stages(), GatewayAccess::Probe)
        .await
        .expect("matrix");
    let m = &data.matrix;
    assert_eq!(stub.seen().len(), 3 + 2, "{:#?}", stub.seen());
    // globex's ledger is not acme's, even though the admin list carries it.
    let apis: Vec<&str> = m.rows.iter().map(|r| r.api.as_str()).collect();
    assert!(!apis.contains(&"ledger"), "{apis:?}");
    // payments runs 2.1.0 everywhere; `prod` and `production` gateways are one stage.
    let payments = row(m, "payments");
    assert!(
        payments
            .slots
            .iter()
            .all(|s| version(&s.cell) == Some("2.1.0"))
    );
    assert!(matches!(
        payments.slots[2].cell,
        Cell::Known { gateways: 2, .. }
    ));
    assert_eq!(payments.out_of_date(), 0);
    let customers = row(m, "customers");
    assert!(matches!(
        customers.slots[0].cell,
        Cell::Known {
            sync: Sync::Pending,
            ..
        }
    ));
    // orders waits for approval into staging; inventory is promoting.
    let orders = row(m, "orders");
    assert_eq!(
        orders.slots[1].arrow.as_ref().map(|a| a.status),
        Some(ArrowStatus::Pending)
    );
    let inventory = row(m, "inventory");
    assert_eq!(
        inventory.slots[1].arrow.as_ref().map(|a| a.status),
        Some(ArrowStatus::Promoting)
    );
}

#[tokio::test]
async fn the_real_service_refuses_devops_the_gateway_lists_once() {
    let stub = ReplayStub::routed(vec![
        (
            Env::Exact(None),
            Recording::load("get_apis_ok_catalog.json"),
        ),
        (
            Env::Any,
            Recording::load("get_admin-deployments_403_devops.json"),
        ),
        (Env::Any, Recording::load("get_promotions_ok_live.json")),
    ])
    .await;
    let m = replay_client(&stub)
        .pipeline_matrix(&three_stages(), GatewayAccess::Probe)
        .await
        .expect("matrix")
        .matrix;
    // The catalog, the promotions, and the first stage's refused gateway list: no more.
    assert_eq!(stub.seen().len(), 3, "{:#?}", stub.seen());
    let payments = row(&m, "payments");
    assert!(
        payments
            .slots
            .iter()
            .all(|s| matches!(s.cell, Cell::Known { version: None, .. }))
    );
    let orders = row(&m, "orders");
    assert_eq!(orders.slots[2].cell, Cell::Absent);
    assert_eq!(orders.slots[2].differs, Some(true));
    assert_eq!(
        m.notes,
        [format!(
            "versions unknown in Development, Staging, Production: {NO_GATEWAY_LISTS}"
        )]
    );
}
