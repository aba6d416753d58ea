//! Gateway acknowledgements and what follows them: the deployment history row settles, and
//! the promotion that asked for the change completes or fails, as the real service's
//! `check_promotion_completion` decides after each route-sync-ack.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::{audit, now};

/// The user the agent's audit entries name.
pub const AGENT_USER: &str = "gateway-agent";

/// What a gateway answered.
#[derive(Clone, Debug)]
pub enum Ack {
    Synced,
    Error(String),
}

/// Settles one waiting deployment (`pending`, `syncing` or `deleting`). A synced deletion
/// removes the row. Returns the promotion the deployment belongs to, if any.
pub fn acknowledge(conn: &Connection, id: &str, ack: &Ack) -> rusqlite::Result<Option<String>> {
    let row: Option<(String, Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT sync_status, promotion_id, history_id FROM gateway_deployments
             WHERE id = ?1 AND sync_status IN ('pending', 'syncing', 'deleting')",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((status, promotion, history)) = row else {
        return Ok(None);
    };
    let at = now();
    match ack {
        Ack::Synced if status == "deleting" => {
            conn.prepare_cached("DELETE FROM gateway_deployments WHERE id = ?1")?
                .execute([id])?;
        }
        Ack::Synced => {
            conn.prepare_cached(
                "UPDATE gateway_deployments SET sync_status = 'synced',
                     synced_generation = desired_generation, last_sync_success = ?2,
                     last_sync_attempt = ?2, last_sync_error = NULL,
                     sync_attempts = sync_attempts + 1, updated_at = ?2
                 WHERE id = ?1",
            )?
            .execute(params![id, at])?;
        }
        Ack::Error(reason) => {
            conn.prepare_cached(
                "UPDATE gateway_deployments SET sync_status = 'error', last_sync_error = ?3,
                     last_sync_attempt = ?2, sync_attempts = sync_attempts + 1, updated_at = ?2
                 WHERE id = ?1",
            )?
            .execute(params![id, at, reason])?;
        }
    }
    if let Some(h) = history {
        settle_history(conn, &h, ack)?;
    }
    Ok(promotion)
}

/// A history row is done when none of its deployments waits any more.
fn settle_history(conn: &Connection, history: &str, ack: &Ack) -> rusqlite::Result<()> {
    let waiting: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM gateway_deployments WHERE history_id = ?1
                 AND sync_status IN ('pending', 'syncing', 'deleting')",
        )?
        .query_row([history], |r| r.get(0))?;
    let at = now();
    if let Ack::Error(reason) = ack {
        conn.prepare_cached(
            "UPDATE deployments SET status = 'failed', error_message = ?2, updated_at = ?3,
                 completed_at = ?3, attempt_count = attempt_count + 1
             WHERE id = ?1",
        )?
        .execute(params![history, reason, at])?;
    } else if waiting == 0 {
        conn.prepare_cached(
            "UPDATE deployments SET status = CASE WHEN rollback_of IS NULL THEN 'success'
                     ELSE 'rolled_back' END, updated_at = ?2, completed_at = ?2,
                 attempt_count = attempt_count + 1
             WHERE id = ?1 AND status = 'in_progress'",
        )?
        .execute(params![history, at])?;
    }
    Ok(())
}

/// After an acknowledgement: all linked deployments synced → promoted; an error and nothing
/// left waiting → failed, with the reason kept in `failure_reason` (and `spec_diff`).
pub fn check_promotion_completion(conn: &Connection, promotion: &str) -> rusqlite::Result<()> {
    let header: Option<(String, String, String, String, String)> = conn
        .prepare_cached(
            "SELECT status, tenant_id, api_id, source_stage, target_stage FROM promotions
             WHERE id = ?1",
        )?
        .query_row([promotion], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((status, tenant, api, source, target)) = header else {
        return Ok(());
    };
    // Only a promotion that completing may act on (the one rule, in domain::policy).
    let completable = crate::domain::Operation::CompletePromotion.required_status();
    if completable.map(crate::domain::PromotionStatus::as_str) != Some(status.as_str()) {
        return Ok(());
    }
    let rows: Vec<(String, String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT d.id, d.sync_status, g.name, d.last_sync_error FROM gateway_deployments d
             JOIN gateways g ON g.id = d.gateway_id WHERE d.promotion_id = ?1 ORDER BY g.name",
        )?
        .query_map([promotion], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let waiting = |s: &str| matches!(s, "pending" | "syncing" | "deleting");
    if rows.iter().any(|r| waiting(&r.1)) {
        return Ok(());
    }
    let errors: Vec<&(String, String, String, Option<String>)> =
        rows.iter().filter(|r| r.1 == "error").collect();
    let at = now();
    let mut details = Map::new();
    details.insert("api_id".into(), Value::from(api.clone()));
    details.insert("source_environment".into(), Value::from(source));
    details.insert("target_environment".into(), Value::from(target.clone()));
    details.insert("environment".into(), Value::from(target));
    details.insert("user".into(), Value::from(AGENT_USER));
    let action = if errors.is_empty() {
        // Every deployment synced (or every deletion done: a rollback of a first arrival).
        conn.prepare_cached(
            "UPDATE promotions SET status = 'promoted', target_deployment_id = ?2,
                 completed_at = ?3, updated_at = ?3
             WHERE id = ?1 AND status = 'promoting'",
        )?
        .execute(params![promotion, rows.first().map(|r| r.0.clone()), at])?;
        "promotion.completed"
    } else {
        let reason = format!(
            "Partial deployment failure: {}/{} gateways failed",
            errors.len(),
            rows.len()
        );
        let gateways: Vec<Value> = errors
            .iter()
            .map(|r| json!({ "gateway_name": r.2, "sync_error": r.3 }))
            .collect();
        let spec_diff = json!({ "failure_reason": reason, "failed_gateways": gateways });
        conn.prepare_cached(
            "UPDATE promotions SET status = 'failed', failure_reason = ?2, spec_diff = ?3,
                 completed_at = ?4, updated_at = ?4
             WHERE id = ?1 AND status = 'promoting'",
        )?
        .execute(params![promotion, reason, spec_diff.to_string(), at])?;
        details.insert("reason".into(), Value::from(reason));
        "promotion.failed"
    };
    audit::record(
        conn,
        audit::Record {
            tenant: &tenant,
            user_id: AGENT_USER,
            user_email: None,
            action,
            resource_type: "promotion",
            resource_id: promotion,
            success: true,
            details,
        },
    )
}

/// The waiting deployments the agent may acknowledge: desired before `cutoff`, on a gateway
/// that is not offline (an offline gateway has no agent to answer).
pub fn due(conn: &Connection, cutoff: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT d.id FROM gateway_deployments d JOIN gateways g ON g.id = d.gateway_id
         WHERE d.sync_status IN ('pending', 'syncing', 'deleting') AND g.status != 'offline'
             AND coalesce(d.desired_at, d.updated_at) <= ?1
         ORDER BY d.desired_at LIMIT 200",
    )?
    .query_map([cutoff], |r| r.get(0))?
    .collect()
}
