//! What every handler shares.

use std::sync::Arc;

use super::agent::GatewayMode;
use super::db::Db;
use super::identity::Identity;
use crate::domain::Pipeline;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub identity: Identity,
    pub pipeline: Arc<Pipeline>,
    /// "http://HOST:PORT" of this server.
    pub url: Arc<str>,
    /// How the simulated gateways answer (`manual`: `complete` acknowledges).
    pub gateways: GatewayMode,
}
