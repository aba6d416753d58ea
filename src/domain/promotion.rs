//! Promotion rules shared by the console, the CLI and the embedded server.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::stage::{Pipeline, StageName};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromotionStatus {
    Pending,
    Promoting,
    Promoted,
    Failed,
    RolledBack,
}

impl PromotionStatus {
    pub const ALL: [PromotionStatus; 5] = [
        PromotionStatus::Pending,
        PromotionStatus::Promoting,
        PromotionStatus::Promoted,
        PromotionStatus::Failed,
        PromotionStatus::RolledBack,
    ];

    pub fn parse(raw: &str) -> Option<PromotionStatus> {
        match raw.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "pending" => Some(PromotionStatus::Pending),
            "promoting" => Some(PromotionStatus::Promoting),
            "promoted" => Some(PromotionStatus::Promoted),
            "failed" => Some(PromotionStatus::Failed),
            "rolled_back" | "rolledback" => Some(PromotionStatus::RolledBack),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PromotionStatus::Pending => "pending",
            PromotionStatus::Promoting => "promoting",
            PromotionStatus::Promoted => "promoted",
            PromotionStatus::Failed => "failed",
            PromotionStatus::RolledBack => "rolled_back",
        }
    }

    /// Open promotions block another one for the same API and target.
    pub fn is_open(self) -> bool {
        matches!(self, PromotionStatus::Pending | PromotionStatus::Promoting)
    }
}

impl fmt::Display for PromotionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("source and target are the same stage ({0})")]
    SameStage(StageName),
    #[error("stage {0} is not part of this control plane's pipeline")]
    UnknownStage(StageName),
    #[error("Invalid promotion chain: {from}→{to}. Allowed chains: {allowed}")]
    NotNext {
        from: StageName,
        to: StageName,
        allowed: String,
    },
}

/// Only the next stage in the pipeline may be promoted into.
pub fn validate_chain(
    pipeline: &Pipeline,
    source: &StageName,
    target: &StageName,
) -> Result<(), ChainError> {
    if source == target {
        return Err(ChainError::SameStage(source.clone()));
    }
    for name in [source, target] {
        if pipeline.get(name).is_none() {
            return Err(ChainError::UnknownStage(name.clone()));
        }
    }
    match pipeline.next(source) {
        Some(next) if &next.name == target => Ok(()),
        _ => Err(ChainError::NotNext {
            from: source.clone(),
            to: target.clone(),
            allowed: allowed_chains(pipeline),
        }),
    }
}

pub fn allowed_chains(pipeline: &Pipeline) -> String {
    pipeline
        .stages()
        .windows(2)
        .map(|w| format!("{}→{}", w[0].name, w[1].name))
        .collect::<Vec<_>>()
        .join(", ")
}

pub const MESSAGE_MAX_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("a message is required (1 to {MESSAGE_MAX_CHARS} characters)")]
    Empty,
    #[error("the message has {0} characters; at most {MESSAGE_MAX_CHARS} are allowed")]
    TooLong(usize),
}

/// The mandatory audit text of a promotion or rollback.
pub fn validate_message(message: &str) -> Result<(), MessageError> {
    let count = message.chars().count();
    if message.trim().is_empty() {
        Err(MessageError::Empty)
    } else if count > MESSAGE_MAX_CHARS {
        Err(MessageError::TooLong(count))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stage::{Mode, Stage};

    fn pipeline(names: &[&str]) -> Pipeline {
        Pipeline::from_server_order(
            names
                .iter()
                .map(|n| Stage::new(StageName::parse(n).unwrap(), None, Mode::Full, None))
                .collect(),
        )
    }

    fn n(s: &str) -> StageName {
        StageName::parse(s).unwrap()
    }

    #[test]
    fn only_the_next_stage_is_allowed() {
        let p = pipeline(&["dev", "staging", "prod"]);
        assert_eq!(validate_chain(&p, &n("dev"), &n("stg")), Ok(()));
        assert_eq!(validate_chain(&p, &n("staging"), &n("prod")), Ok(()));
        let err = validate_chain(&p, &n("dev"), &n("prod")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid promotion chain: dev→production. Allowed chains: dev→staging, staging→production"
        );
        assert!(matches!(
            validate_chain(&p, &n("staging"), &n("dev")),
            Err(ChainError::NotNext { .. })
        ));
        assert!(matches!(
            validate_chain(&p, &n("dev"), &n("dev")),
            Err(ChainError::SameStage(_))
        ));
        assert!(matches!(
            validate_chain(&p, &n("dev"), &n("qa")),
            Err(ChainError::UnknownStage(_))
        ));
    }

    #[test]
    fn messages_are_mandatory_and_bounded() {
        assert_eq!(validate_message(""), Err(MessageError::Empty));
        assert_eq!(validate_message("   "), Err(MessageError::Empty));
        assert_eq!(validate_message("ship it"), Ok(()));
        assert_eq!(validate_message(&"é".repeat(1000)), Ok(()));
        assert_eq!(
            validate_message(&"x".repeat(1001)),
            Err(MessageError::TooLong(1001))
        );
    }

    #[test]
    fn state_machine_edges() {
        use PromotionStatus::*;
        assert!(Pending.is_open() && Promoting.is_open() && !Failed.is_open());
        for s in PromotionStatus::ALL {
            assert_eq!(PromotionStatus::parse(s.as_str()), Some(s));
        }
    }
}
