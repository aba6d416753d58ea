//! Why the policy refuses, in words shown to the user.

use std::fmt;

use super::super::promotion::PromotionStatus;
use super::super::stage::Mode;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    /// The stage is not one the control plane lists (or not known yet): nothing is allowed.
    UnknownStage {
        stage: String,
    },
    SessionReadOnly,
    Offline,
    ReadOnly {
        stage: String,
    },
    PromoteOnly {
        stage: String,
    },
    LocallyTightened {
        stage: String,
        mode: Mode,
    },
    MissingPermission(&'static str),
    FourEyes {
        stage: String,
    },
    WrongStatus {
        status: PromotionStatus,
        needed: PromotionStatus,
    },
    /// The catalog entry is shared: the API runs in a stage that forbids the write.
    LiveIn {
        api: String,
        stage: String,
        mode: Mode,
    },
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::UnknownStage { stage } => {
                write!(f, "{stage} is not a stage this control plane lists")
            }
            Denial::SessionReadOnly => f.write_str("this session is read-only (--readonly)"),
            Denial::Offline => {
                f.write_str("offline: writes are locked until the control plane answers")
            }
            Denial::ReadOnly { stage } => write!(f, "{stage} is read-only"),
            Denial::PromoteOnly { stage } => {
                write!(
                    f,
                    "{stage} is promote-only: changes arrive through promotions"
                )
            }
            Denial::LocallyTightened { stage, mode } => {
                write!(f, "{stage} is {mode} on this machine (config.toml)")
            }
            Denial::MissingPermission(p) => write!(f, "you lack the {p} permission"),
            Denial::FourEyes { stage } => write!(
                f,
                "you requested this: four-eyes, someone else must approve it into {stage}"
            ),
            Denial::WrongStatus { status, needed } => {
                write!(f, "the promotion is {status}; this needs {needed}")
            }
            Denial::LiveIn { api, stage, mode } => write!(f, "{api} is live in {stage} ({mode})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        /// The write lands in a read-only stage through the emergency override.
        via_override: bool,
    },
    Denied(Denial),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Decision::Denied(d) => Some(d),
            Decision::Allowed { .. } => None,
        }
    }
}
