//! The one write pipeline. Every write the console sends — an API's create, edit or delete and
//! each promotion step — is a [`Write`] wrapped in a [`Pending`] that names what it reaches. One
//! confirmation popup ([`Confirm`]) shows tenant, API, source → target and every stage affected,
//! and asks for a stage's name where the policy says so; one effect sends it; one reply path
//! ([`reply::on_written`]) announces it with the equivalent CLI command.

pub mod command;
pub mod confirm;
pub mod reply;

use tui_input::Input;

use super::action::Stamp;
use super::state::{Popup, State};
use crate::domain::{Decision, Operation, StageName};
use crate::wire::{ApiCreate, ApiUpdate, PromotionCreate};

#[derive(Clone, Debug, PartialEq)]
pub enum Write {
    CreateApi {
        body: ApiCreate,
    },
    EditApi {
        id: String,
        body: ApiUpdate,
    },
    DeleteApi {
        id: String,
    },
    RequestPromotion {
        api_id: String,
        body: PromotionCreate,
        /// The chosen target gateways' names (for the equivalent command).
        gateways: Vec<String>,
    },
    Approve {
        id: String,
        reviewed_spec_hash: Option<String>,
    },
    Complete {
        id: String,
    },
    Rollback {
        id: String,
        message: String,
    },
}

impl Write {
    pub fn operation(&self) -> Operation {
        match self {
            Write::CreateApi { .. } => Operation::CreateApi,
            Write::EditApi { .. } => Operation::EditApi,
            Write::DeleteApi { .. } => Operation::DeleteApi,
            Write::RequestPromotion { .. } => Operation::CreatePromotion,
            Write::Approve { .. } => Operation::ApprovePromotion,
            Write::Complete { .. } => Operation::CompletePromotion,
            Write::Rollback { .. } => Operation::RollbackPromotion,
        }
    }

    /// The promotion a step acts on.
    pub fn promotion_id(&self) -> Option<&str> {
        match self {
            Write::Approve { id, .. } | Write::Complete { id } | Write::Rollback { id, .. } => {
                Some(id)
            }
            _ => None,
        }
    }

    fn verb(&self) -> &'static str {
        match self {
            Write::CreateApi { .. } => "Create API",
            Write::EditApi { .. } => "Save changes to API",
            Write::DeleteApi { .. } => "Delete API",
            Write::RequestPromotion { .. } => "Request promotion of",
            Write::Approve { .. } => "Approve promotion of",
            Write::Complete { .. } => "Complete promotion of",
            Write::Rollback { .. } => "Roll back promotion of",
        }
    }
}

/// A write and everything it names: it is judged, confirmed, sent and announced as one.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub write: Write,
    /// The API's name.
    pub api: String,
    /// Where the change lands: the active stage for API writes, the promotion's target (for a
    /// rollback: the stage the promotion changed).
    pub lands_in: StageName,
    /// A promotion's source stage.
    pub source: Option<StageName>,
    /// Every stage the write changes, `lands_in` included (an API's catalog entry is shared by
    /// every stage it runs in).
    pub reaches: Vec<StageName>,
    /// The stage and generation it was opened under: a stage switch voids it.
    pub stamp: Stamp,
    /// The stage name typed to confirm it, if one was asked for.
    pub typed: Option<String>,
}

impl Pending {
    pub fn operation(&self) -> Operation {
        self.write.operation()
    }
}

/// The confirmation of a [`Pending`] write.
#[derive(Clone, Debug)]
pub struct Confirm {
    pub pending: Pending,
    /// What the write does, one fact a line: tenant, API, source → target, stages reached.
    pub lines: Vec<String>,
    /// The stage whose name must be typed, and what has been typed.
    pub typed: Option<(String, Input)>,
    /// A rollback's mandatory reason.
    pub message: Option<Input>,
    /// Keys go to the reason rather than the typed name.
    pub on_message: bool,
    pub error: Option<String>,
}

/// A stage's label where the pipeline knows it.
pub fn label(state: &State, stage: &StageName) -> String {
    state
        .pipeline
        .get(stage)
        .map(|s| s.label.clone())
        .unwrap_or_else(|| stage.to_string())
}

/// What the policy says of `pending` now: the strictest of every stage it reaches, with the
/// promotion's facts where the console knows them.
pub fn decide(state: &State, pending: &Pending) -> Result<(), String> {
    if state.active.as_ref() != pending.stamp.stage.as_ref()
        || state.generation != pending.stamp.generation
    {
        return Err("the stage changed".into());
    }
    let op = pending.operation();
    let decision = if op.is_promotion() {
        let known = pending
            .write
            .promotion_id()
            .and_then(|id| state.promo.all.iter().find(|p| p.id == id));
        state
            .policy()
            .decide(op, &pending.lands_in, known.map(|p| p.facts()))
    } else {
        state
            .policy()
            .decide_catalog(op, &pending.lands_in, &pending.api, &pending.reaches)
    };
    match decision {
        Decision::Allowed { .. } => Ok(()),
        Decision::Denied(reason) => Err(reason.to_string()),
    }
}

/// Opens the confirmation of `pending`, or says why the policy refuses it (nothing is sent).
pub fn ask(state: &mut State, pending: Pending) {
    if let Err(reason) = decide(state, &pending) {
        state.set_status(format!("{}: {reason}", pending.operation().verb()), true);
        return;
    }
    let confirm = confirmation(state, pending);
    state.popup = Some(Popup::Confirm(Box::new(confirm)));
}

/// The confirmation's text and fields. The typed name is asked, by stage identity, when the
/// policy says the write needs it in any stage it reaches.
pub fn confirmation(state: &State, pending: Pending) -> Confirm {
    let w = &pending.write;
    let mut lines = vec![
        format!("{} {}", w.verb(), pending.api),
        format!("Tenant: {}", state.tenant),
    ];
    match (&pending.source, w.promotion_id()) {
        (Some(source), id) => {
            let id = id
                .map(|i| format!(" ({})", crate::domain::diff::short_id(i)))
                .unwrap_or_default();
            lines.push(format!(
                "Promotion{id}: {} → {}",
                label(state, source),
                label(state, &pending.lands_in)
            ));
        }
        (None, _) => lines.push(format!("Stage: {}", label(state, &pending.lands_in))),
    }
    let others: Vec<String> = pending
        .reaches
        .iter()
        .filter(|s| **s != pending.lands_in)
        .map(|s| label(state, s))
        .collect();
    if !others.is_empty() {
        lines.push(format!(
            "Its catalog entry is shared: this also reaches {}",
            others.join(", ")
        ));
    }
    let typed = state
        .policy()
        .typed_confirmation(pending.operation(), &pending.reaches)
        .map(|s| (s.to_string(), Input::default()));
    let message = matches!(w, Write::Rollback { .. }).then(Input::default);
    Confirm {
        pending,
        lines,
        on_message: typed.is_none(),
        typed,
        message,
        error: None,
    }
}
