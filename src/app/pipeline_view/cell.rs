//! The Pipeline view's cell detail (Enter): what runs in the cell on which gateway, and the
//! latest promotion into it.

use crate::app::state::{Detail, Popup, State};
use crate::domain::PromotionStatus;
use crate::domain::matrix::Cell;

/// Enter on a cell: what runs there on which gateway, and the last promotion into it.
pub(super) fn open(state: &mut State) {
    let b = &state.board;
    let (Some(api), Some(slot), Some(stage)) = (
        b.selected_api(),
        b.selected_slot(),
        b.matrix.stages.get(b.selected_stage),
    ) else {
        state.set_status("nothing selected", false);
        return;
    };
    let row = &b.matrix.rows[b.rows[b.selected_row]];
    let mut lines: Vec<(&'static str, String)> = vec![
        ("api", row.display_name.clone()),
        ("api id", api.to_string()),
        ("stage", stage.label.clone()),
    ];
    match &slot.cell {
        Cell::Known {
            version,
            sync,
            gateways,
        } => {
            let version =
                version
                    .as_ref()
                    .map_or("not readable with your role".into(), |v| {
                        match &v.spec_hash {
                            Some(h) => format!("{} (spec {h})", v.version),
                            None => v.version.clone(),
                        }
                    });
            lines.push(("version", version));
            lines.push(("sync", sync.as_str().to_string()));
            lines.push(("gateways", gateways.to_string()));
        }
        Cell::Absent => lines.push(("runs", "not deployed here".into())),
        Cell::Unknown { why } => lines.push(("runs", format!("unknown: {why}"))),
    }
    if let Some(differs) = slot.differs {
        let before = if differs { "differs from" } else { "same as" };
        lines.push(("vs before", format!("{before} the stage before")));
    }
    let deployments = b
        .inputs
        .as_ref()
        .and_then(|i| i.deployments_of(b.selected_stage, api));
    match deployments {
        Some(list) => {
            for d in list {
                let gateway = d
                    .gateway_display_name
                    .clone()
                    .or_else(|| d.gateway_name.clone())
                    .unwrap_or_else(|| d.gateway_instance_id.clone());
                let error = d.sync_error.as_deref().map(|e| format!(" ({e})"));
                lines.push((
                    "deployment",
                    format!(
                        "{gateway}: {} {}{}",
                        d.version(),
                        d.sync_status,
                        error.unwrap_or_default()
                    ),
                ));
            }
        }
        None => lines.push(("deployments", "not readable with your role".into())),
    }
    let last = state
        .promo
        .all
        .iter()
        .filter(|p| {
            p.api_id == api
                && state.pipeline.find(&p.target_environment).map(|s| &s.name) == Some(&stage.name)
        })
        .max_by_key(|p| p.created_at.map(|t| t.0));
    lines.push((
        "latest",
        match last {
            Some(p) => format!(
                "promotion {}, {}, asked by {} {}",
                crate::domain::diff::short_id(&p.id),
                PromotionStatus::parse(&p.status).map_or(p.status.as_str(), |s| s.as_str()),
                p.requested_by,
                crate::app::rows::short_time(&p.created_at)
            ),
            None => "no promotion into it yet".into(),
        },
    ));
    let title = format!("{} in {}", row.display_name, stage.label);
    let lines = lines
        .into_iter()
        .map(|(k, v)| (k, crate::domain::text::sanitize(&v).into_owned()))
        .collect();
    state.popup = Some(Popup::Detail(Detail {
        title,
        lines,
        scroll: 0,
    }));
}
