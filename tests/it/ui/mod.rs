//! The console: `update` transitions without a terminal, insta snapshots of `TestBackend`
//! frames, and the console's effects against the embedded control plane on 127.0.0.1:0.

mod big;
mod extremes;
pub mod fixtures;
pub mod harness;
mod ids;
mod keys;
mod live;
mod pipeline;
pub mod pipeline_fixtures;
mod pipeline_view;
mod snapshots;
mod update;
mod update_actions;
