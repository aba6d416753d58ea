//! A request that failed, as the console needs to know it: what to say, whether the control
//! plane is unreachable, its HTTP status, and whether a completion was refused for a reason
//! that is really news (already promoted) or a wait (gateways not synced yet). The runtime
//! turns the client's errors into this, so nothing in `app` depends on the HTTP client.

use crate::api::completion::Refusal;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    /// Unreachable or timed out: the console turns offline.
    pub offline: bool,
    pub status: Option<u16>,
    /// How a refused completion reads (see `api::completion::refusal`).
    pub refusal: Option<Refusal>,
}

impl Failure {
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
