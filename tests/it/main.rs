//! One integration-test binary (one link of the crate on 2 cores), a module per area.

mod abuse;
mod client;
mod e2e;
mod identity;
mod live;
mod promotions;
mod server;
mod support;
mod ui;
