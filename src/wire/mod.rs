//! The shapes of the control-plane contract (CONTRACT.md), shared by the client and the
//! embedded server. The server writes them strictly; the client reads them tolerantly:
//! response types default every missing field, statuses stay strings (the real service
//! may add values), and envelopes come in several layouts (see [`page`]).

pub mod convert;
pub mod error;
pub mod page;
pub mod time;
pub mod types;

pub use error::{ErrorBody, ErrorDetail};
pub use page::{AuditPage, Page};
pub use time::Timestamp;
pub use types::*;
