//! `--confirm STAGE`: the stage name typed before a write lands in a guarded stage. Which
//! stage (if any) is the policy's answer ([`PolicyContext::typed_confirmation`]); this only
//! compares it with what was typed, by stage identity (any alias of it counts).

use super::error::{CliError, MISUSE};
use crate::domain::policy::PolicyContext;
use crate::domain::{Operation, StageName};

/// `what` names the write for the message ("approve 42", "delete payments").
pub fn typed(
    ctx: &PolicyContext<'_>,
    op: Operation,
    landing: &[StageName],
    confirm: Option<&str>,
    what: &str,
) -> Result<(), CliError> {
    let Some(needed) = ctx.typed_confirmation(op, landing) else {
        return Ok(());
    };
    let typed = confirm.map(|c| StageName::parse(c).ok());
    if matches!(&typed, Some(Some(name)) if *name == needed) {
        return Ok(());
    }
    let label = ctx
        .pipeline
        .get(&needed)
        .map_or(needed.as_str(), |s| s.label.as_str());
    let mode = ctx
        .effective_mode(&needed)
        .map_or("guarded", |m| m.as_str());
    let message = match typed {
        Some(_) => format!("--confirm does not name {label}: type --confirm {needed}"),
        None => format!("{what} reaches {label} ({mode}): type --confirm {needed}"),
    };
    Err(CliError::new(MISUSE, message))
}
