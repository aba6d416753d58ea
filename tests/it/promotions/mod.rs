//! Promotions in the console: `update` flows (review before approve, typed confirmation,
//! four-eyes, messages, polling), snapshots of the strip, queue, review and dialogs, and the
//! real binary in a pseudo-terminal against the demo.

mod data;
mod e2e;
mod flows;
mod guarded;
mod live;
mod snapshots;
