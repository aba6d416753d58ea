//! envdeck: a terminal console for multi-stage platforms, and an embedded control plane.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod domain;
pub mod net;
pub mod runtime;
pub mod secret;
pub mod server;
pub mod store;
pub mod ui;
pub mod wire;
