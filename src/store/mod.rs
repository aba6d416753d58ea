//! Local persistence: where files live, atomic writes, the chosen stage and view per control
//! plane, last-seen lists, the token store and config.toml. Everything here is blocking std::fs:
//! the console calls it from `spawn_blocking`, never from the render loop.

pub mod atomic;
pub mod cache;
pub mod config;
pub mod edit;
pub mod error;
pub mod keyring;
pub mod limits;
pub mod paths;
pub mod state;
pub mod tokens;

pub use atomic::write_atomic;
pub use cache::{Cache, Cached};
pub use config::{Config, ContextConfig};
pub use edit::ConfigEdit;
pub use error::StoreError;
pub use keyring::AutoTokenStore;
pub use paths::Paths;
pub use state::{Loaded, StateStore, UiState};
pub use tokens::{FileTokenStore, StoredTokens, TokenStore};
