//! `envdeck get KIND --env STAGE -o table|json`: a stage's resources for scripts.
//! JSON is the control-plane contract's own shape (see README, "JSON output").

use serde::Serialize;

use super::args::{GetArgs, Kind, OutputFormat};
use super::connect::Connection;
use super::error::CliError;
use super::output::{self, or_dash};
use super::stages::resolve_stage;
use crate::api::PromotionFilter;
use crate::domain::{Stage, StageName};
use crate::wire::{AuditEntry, Timestamp};

pub async fn run(conn: &Connection, args: &GetArgs) -> Result<String, CliError> {
    let (pipeline, stage) = resolve_stage(conn, args.stage.as_deref()).await?;
    let label = |raw: &str| crate::app::localize::label(&pipeline, raw);
    let format = output::resolve(args.output);
    // A stage may live on its own control plane (contexts with stage_endpoints).
    let client = &conn.client_for(&stage.name).await?;
    let name = &stage.name;
    match args.kind {
        Kind::Apis => render(format, &client.apis(name).await?, apis_table),
        Kind::Deployments => render(format, &client.deployments(name).await?, |items| {
            rows(
                items,
                &["API", "VERSION", "STATUS", "BY", "CREATED", "ERROR"],
                |d| {
                    vec![
                        d.api_name.clone(),
                        d.version.clone(),
                        d.status.clone(),
                        or_dash(d.deployed_by.as_deref()),
                        time(d.created_at),
                        or_dash(d.error_message.as_deref()),
                    ]
                },
            )
        }),
        Kind::Gateways => {
            let gateways = client
                .gateways(Some(name))
                .await
                .map_err(crate::api::prepare::admin_list("gateways"))?;
            render(format, &gateways, |items| {
                rows(items, &["NAME", "TYPE", "STATUS", "URL"], |g| {
                    vec![
                        g.name.clone(),
                        g.gateway_type.clone(),
                        g.status.clone(),
                        or_dash(g.base_url.as_deref()),
                    ]
                })
            })
        }
        Kind::Subscriptions => render(format, &client.subscriptions(name).await?, |items| {
            rows(
                items,
                &[
                    "APPLICATION",
                    "API",
                    "PLAN",
                    "STATUS",
                    "STAGE",
                    "SUBSCRIBER",
                    "EXPIRES",
                ],
                |s| {
                    vec![
                        s.application_name.clone(),
                        s.api_name.clone(),
                        or_dash(s.plan_name.as_deref()),
                        s.status.clone(),
                        s.environment
                            .as_deref()
                            .map(label)
                            .unwrap_or_else(|| crate::app::localize::ALL_STAGES.into()),
                        or_dash(s.subscriber_email.as_deref()),
                        time(s.expires_at),
                    ]
                },
            )
        }),
        Kind::Promotions => {
            let all = client.promotions(&PromotionFilter::default()).await?;
            let involved: Vec<_> = all
                .into_iter()
                .filter(|p| {
                    touches(&stage, &p.source_environment) || touches(&stage, &p.target_environment)
                })
                .collect();
            render(format, &involved, |items| {
                rows(
                    items,
                    &[
                        "ID", "API", "FROM", "TO", "STATUS", "BY", "APPROVED", "MESSAGE",
                    ],
                    |p| {
                        vec![
                            p.id.clone(),
                            p.api_id.clone(),
                            label(&p.source_environment),
                            label(&p.target_environment),
                            p.status.clone(),
                            p.requested_by.clone(),
                            or_dash(p.approved_by.as_deref()),
                            p.message.clone(),
                        ]
                    },
                )
            })
        }
        Kind::Audit => {
            let entries: Vec<AuditEntry> = client
                .audit(None)
                .await?
                .into_iter()
                .filter(|e| {
                    args.stage.is_none()
                        || crate::app::localize::touches(&pipeline, &e.stage_names(), Some(name))
                })
                .collect();
            render(format, &entries, |items| {
                rows(
                    items,
                    &["TIME", "USER", "ACTION", "RESOURCE", "STATUS", "STAGE"],
                    |e| {
                        vec![
                            time(e.timestamp),
                            or_dash(e.user_email.as_deref()),
                            e.action.clone(),
                            or_dash(e.resource_id.as_deref()),
                            e.status.clone(),
                            audit_stages(e, &label),
                        ]
                    },
                )
            })
        }
    }
}

fn touches(stage: &Stage, wire_name: &str) -> bool {
    StageName::parse(wire_name).is_ok_and(|n| n == stage.name)
}

/// The stages an audit entry is about, by label ("Development → Staging" for a promotion).
fn audit_stages(entry: &AuditEntry, label: &impl Fn(&str) -> String) -> String {
    let names = entry.stage_names();
    if names.is_empty() {
        return "-".into();
    }
    names
        .iter()
        .map(|raw| label(raw))
        .collect::<Vec<_>>()
        .join(" → ")
}

fn render<T: Serialize>(
    format: OutputFormat,
    items: &[T],
    table: impl Fn(&[T]) -> String,
) -> Result<String, CliError> {
    match format {
        OutputFormat::Json => output::json(items),
        OutputFormat::Table => Ok(table(items)),
    }
}

fn rows<T>(items: &[T], headers: &[&str], row: impl Fn(&T) -> Vec<String>) -> String {
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    output::table(headers, &rows)
}

fn apis_table(items: &[crate::wire::Api]) -> String {
    rows(
        items,
        &["NAME", "DISPLAY NAME", "VERSION", "STATUS", "UPDATED"],
        |a| {
            vec![
                a.name.clone(),
                a.display_name.clone(),
                a.version.clone(),
                a.status.clone(),
                time(a.updated_at),
            ]
        },
    )
}

fn time(t: Option<Timestamp>) -> String {
    t.map(|t| t.0.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}
