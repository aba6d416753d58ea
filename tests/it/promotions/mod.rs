//! Promotions in the console: `update` flows (review before approve, typed confirmation,
//! four-eyes, messages, polling), the health above the strip, snapshots of the strip, queue,
//! review and dialogs, and the real binary in a pseudo-terminal against the demo.

mod data;
pub(crate) mod e2e;
mod flows;
mod guarded;
mod health;
mod live;
mod snapshots;
