//! `envdeck promote …`: the promotion lifecycle for scripts and CI. Every step asks the domain
//! policy first (the same rules the console's keys follow), then the server.

use super::args::{OutputFormat, PromoteCommand};
use super::connect::Connection;
use super::error::{CliError, NOT_FOUND, VALIDATION};
use super::output::{self, or_dash};
use super::stages::{find, pipeline};
use crate::api::PromotionFilter;
use crate::domain::policy::{Actor, PolicyContext};
use crate::domain::{Operation, Pipeline, PromotionStatus, Stage, StageName, validate_message};
use crate::wire::{Api, Promotion};

/// `colour`: stdout is a terminal and colour is allowed (NO_COLOR, --no-color).
pub async fn run(
    conn: &Connection,
    cmd: &PromoteCommand,
    readonly: bool,
    colour: bool,
) -> Result<String, CliError> {
    match cmd {
        PromoteCommand::Create {
            api,
            to,
            message,
            gateways,
            output,
        } => {
            let ask = super::promote_create::Ask {
                api,
                to,
                message: message.as_deref(),
                gateways,
            };
            let p = super::promote_create::create(conn, &ask, readonly).await?;
            one(*output, &p)
        }
        PromoteCommand::List {
            status,
            api,
            to,
            output,
        } => {
            let pipeline = pipeline(conn).await?;
            let status = match status {
                Some(raw) => Some(
                    PromotionStatus::parse(raw)
                        .ok_or_else(|| CliError::misuse(format!("unknown status {raw:?}; use pending, promoting, promoted, failed or rolled_back")))?
                        .as_str()
                        .to_string(),
                ),
                None => None,
            };
            let target = to
                .as_deref()
                .map(|t| find(&pipeline, t))
                .transpose()?
                .map(|s| s.name);
            let api_id = match api {
                Some(a) => Some(resolve_api_id(conn, &pipeline, a).await?),
                None => None,
            };
            let list = conn
                .client
                .promotions(&PromotionFilter {
                    api_id,
                    status,
                    target,
                })
                .await?;
            many(*output, &list)
        }
        PromoteCommand::Show { id, diff, output } => {
            let p = conn.client.promotion(id).await?;
            if !*diff {
                return one(*output, &p);
            }
            let d = conn.client.promotion_diff(id).await?;
            match output::resolve(*output) {
                OutputFormat::Json => {
                    output::json(&serde_json::json!({ "promotion": p, "diff": d }))
                }
                OutputFormat::Table => Ok(format!(
                    "{}\n{}",
                    promotions_table(std::slice::from_ref(&p)),
                    diff_text(&d, colour)
                )),
            }
        }
        PromoteCommand::Approve {
            id,
            confirm,
            output,
        } => {
            let step = Step {
                readonly,
                confirm: confirm.as_deref(),
            };
            let p = approve(conn, id, step).await?;
            one(*output, &p)
        }
        PromoteCommand::Complete {
            id,
            confirm,
            wait,
            timeout,
            output,
        } => {
            let step = Step {
                readonly,
                confirm: confirm.as_deref(),
            };
            let p = super::promote_complete::complete(conn, id, step, *wait, *timeout).await?;
            one(*output, &p)
        }
        PromoteCommand::Rollback {
            id,
            message,
            confirm,
            output,
        } => {
            let message = required_message(message.as_deref())?;
            let step = Step {
                readonly,
                confirm: confirm.as_deref(),
            };
            let p = act(conn, id, Operation::RollbackPromotion, step).await?;
            let reverse = conn.client.rollback_promotion(&p.id, &message).await?;
            one(*output, &reverse)
        }
    }
}

pub(super) fn required_message(message: Option<&str>) -> Result<String, CliError> {
    let Some(message) = message else {
        return Err(CliError::misuse("a message is required: -m \"why\""));
    };
    validate_message(message).map_err(|e| CliError::new(VALIDATION, e.to_string()))?;
    Ok(message.to_string())
}

pub(super) async fn actor(conn: &Connection) -> Result<Actor, CliError> {
    Ok(conn.client.me().await?.actor())
}

/// Asks the policy whether `op` may land in `stage`.
pub(super) fn check(
    ctx: &PolicyContext<'_>,
    op: Operation,
    stage: &StageName,
    promotion: Option<&Promotion>,
) -> Result<(), CliError> {
    match ctx
        .decide(op, stage, promotion.map(Promotion::facts))
        .denial()
    {
        Some(denial) => Err(denial.clone().into()),
        None => Ok(()),
    }
}

pub(super) fn stage_of(pipeline: &Pipeline, wire_name: &str) -> Result<Stage, CliError> {
    find(pipeline, wire_name)
}

pub(super) async fn find_api(
    conn: &Connection,
    stage: &StageName,
    wanted: &str,
) -> Result<Api, CliError> {
    let apis = conn.client.apis(stage).await?;
    apis.into_iter()
        .find(|a| a.id == wanted || a.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| CliError::new(NOT_FOUND, format!("no API {wanted:?} in {stage}")))
}

async fn resolve_api_id(
    conn: &Connection,
    pipeline: &Pipeline,
    wanted: &str,
) -> Result<String, CliError> {
    for stage in pipeline.stages() {
        if let Ok(api) = find_api(conn, &stage.name, wanted).await {
            return Ok(api.id);
        }
    }
    Err(CliError::new(
        NOT_FOUND,
        format!("no API {wanted:?} in any stage"),
    ))
}

/// How a step on a promotion was asked for: `--readonly`, and the stage typed with --confirm.
#[derive(Clone, Copy, Debug)]
pub(super) struct Step<'a> {
    pub readonly: bool,
    pub confirm: Option<&'a str>,
}

/// Fetches the promotion and checks the policy for `op` against its target stage.
pub(super) async fn act(
    conn: &Connection,
    id: &str,
    op: Operation,
    step: Step<'_>,
) -> Result<Promotion, CliError> {
    let p = conn.client.promotion(id).await?;
    act_on(conn, p, op, step).await
}

/// The policy for `op` on a promotion already fetched, then the typed confirmation when it
/// lands in a guarded stage. Fetching the stages and `/v1/me` here also lets the client's
/// write guard judge the write that follows.
pub(super) async fn act_on(
    conn: &Connection,
    p: Promotion,
    op: Operation,
    step: Step<'_>,
) -> Result<Promotion, CliError> {
    let pipeline = pipeline(conn).await?;
    let actor = actor(conn).await?;
    let ctx = conn.policy(&pipeline, &actor, step.readonly);
    let target = stage_of(&pipeline, &p.target_environment)?;
    check(&ctx, op, &target.name, Some(&p))?;
    let what = format!("{} {}", op.verb(), p.id);
    super::confirm::typed(&ctx, op, &[target.name], step.confirm, &what)?;
    Ok(p)
}

async fn approve(conn: &Connection, id: &str, step: Step<'_>) -> Result<Promotion, CliError> {
    act(conn, id, Operation::ApprovePromotion, step).await?;
    // The hash of the spec the approver could review: a spec changed since is refused (409).
    let diff = conn.client.promotion_diff(id).await?;
    Ok(conn
        .client
        .approve_promotion(id, diff.reviewed_spec_hash.as_deref())
        .await?)
}

fn one(format: Option<OutputFormat>, p: &Promotion) -> Result<String, CliError> {
    match output::resolve(format) {
        OutputFormat::Json => output::json(p),
        OutputFormat::Table => Ok(promotions_table(std::slice::from_ref(p))),
    }
}

fn many(format: Option<OutputFormat>, list: &[Promotion]) -> Result<String, CliError> {
    match output::resolve(format) {
        OutputFormat::Json => output::json(list),
        OutputFormat::Table => Ok(promotions_table(list)),
    }
}

fn promotions_table(list: &[Promotion]) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            vec![
                p.id.clone(),
                p.api_id.clone(),
                format!("{}→{}", p.source_environment, p.target_environment),
                p.status.clone(),
                p.requested_by.clone(),
                or_dash(p.approved_by.as_deref()),
                p.message.clone(),
            ]
        })
        .collect();
    output::table(
        &[
            "ID",
            "API",
            "CHAIN",
            "STATUS",
            "REQUESTED",
            "APPROVED",
            "MESSAGE",
        ],
        &rows,
    )
}

/// The diff line by line, each line sanitised on its own (so the lines stay lines), coloured
/// like the console's when `colour`.
pub fn diff_text(d: &crate::wire::PromotionDiff, colour: bool) -> String {
    use crate::domain::diff::DiffTag;
    let lines = crate::domain::diff::lines(
        d.target_spec.as_ref(),
        d.source_spec.as_ref(),
        &d.target_environment,
        &d.source_environment,
    );
    if lines.is_empty() {
        return "no difference: the target runs what the source has\n".to_string();
    }
    let mut out = String::new();
    for line in lines {
        let text = crate::domain::text::sanitize(&line.text);
        let paint = match line.tag {
            _ if !colour => None,
            DiffTag::Added => Some("32"),
            DiffTag::Removed => Some("31"),
            DiffTag::Header => Some("36"),
            DiffTag::Same => None,
        };
        match paint {
            Some(code) => out.push_str(&format!("\x1b[{code}m{text}\x1b[0m\n")),
            None => out.push_str(&format!("{text}\n")),
        }
    }
    out
}
