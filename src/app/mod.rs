//! The console: state, actions, `update`, effects, the key map and the event loop.
//! Data flows one way: events → [`Action`] → [`update`] (the only mutation) → [`Effect`]s
//! run on tokio tasks → results back as actions; `ui::view` draws the state.

use std::collections::BTreeMap;

/// Runs `$body` with `$list` bound to the list of view `$kind` and `$f` to the shared
/// filterer (lists hold different row types, so each arm is its own instantiation).
macro_rules! with_list {
    ($state:expr, $kind:expr, |$list:ident, $f:ident| $body:expr) => {{
        let kind = $kind;
        let state = &mut *$state;
        let $f = &mut state.filterer;
        match kind {
            $crate::app::state::ViewKind::Apis => {
                let $list = &mut state.lists.apis;
                $body
            }
            $crate::app::state::ViewKind::Deployments => {
                let $list = &mut state.lists.deployments;
                $body
            }
            $crate::app::state::ViewKind::Gateways => {
                let $list = &mut state.lists.gateways;
                $body
            }
            $crate::app::state::ViewKind::Subscriptions => {
                let $list = &mut state.lists.subscriptions;
                $body
            }
            $crate::app::state::ViewKind::Promotions => {
                let $list = &mut state.lists.promotions;
                $body
            }
            $crate::app::state::ViewKind::Audit => {
                let $list = &mut state.lists.audit;
                $body
            }
        }
    }};
}

pub mod action;
pub mod effect;
pub mod emergency;
pub mod event_loop;
pub mod form;
pub mod keymap;
pub mod keys;
pub mod list;
pub mod localize;
pub mod persist;
pub mod popups;
pub mod promo;
pub mod promo_io;
pub mod promo_keys;
pub mod promo_popups;
pub mod promo_replies;
pub mod replies;
pub mod rows;
pub mod session;
pub mod state;
pub mod terminal;
pub mod update;

pub use action::Action;
pub use effect::Effect;
pub use state::State;
pub use update::update;

use crate::domain::{Mode, StageName};

pub struct AppConfig {
    /// Already authenticated.
    pub client: crate::api::Client,
    /// Key for persisted state: e.g. normalised URL + tenant.
    pub control_plane: String,
    /// Shown in the header ("demo", a context name, or the host).
    pub context_name: String,
    pub paths: crate::store::Paths,
    /// `--readonly`.
    pub session_readonly: bool,
    /// `--no-color` or NO_COLOR set.
    pub no_color: bool,
    /// `--ascii` or a non-UTF-8 locale.
    pub ascii: bool,
    pub local_tightening: BTreeMap<StageName, Mode>,
    /// The key map: defaults with config.toml's `[keys]` applied (`KeyMap::from_config`).
    pub keymap: keymap::KeyMap,
    /// Start-up notices (e.g. config warnings) to show.
    pub notices: Vec<String>,
    /// Signing in again from inside the console (None: the session cannot expire here).
    pub sign_in: Option<session::SignInWatch>,
}

/// The initial state for a configuration (also used by tests and benches).
pub fn initial_state(config: &AppConfig, now: crate::wire::Timestamp) -> State {
    let mut state = State::new(
        &config.context_name,
        config.client.tenant(),
        &config.control_plane,
        now,
    );
    state.session_readonly = config.session_readonly;
    state.no_color = config.no_color;
    state.ascii = config.ascii;
    state.local_tightening = config.local_tightening.clone();
    state.notices = config.notices.clone();
    state.keymap = config.keymap.clone();
    state
}

/// Sets up the terminal (raw mode, alternate screen, a panic hook restoring it, chained to
/// the previous one — color-eyre's), runs the loop until quit, restores the terminal (drop
/// guard), and returns.
pub async fn run(config: AppConfig) -> color_eyre::Result<()> {
    let mut state = initial_state(&config, crate::wire::Timestamp::now());
    // Before the loop starts: the state and cache writes need their directories.
    if let Err(e) = config.paths.ensure() {
        tracing::warn!("cannot create envdeck's directories: {e}");
        state
            .notices
            .push(format!("the stage choice cannot be saved: {e}"));
    }
    let persist =
        persist::Persist::new(&config.paths, &config.control_plane, config.client.tenant());
    let mut guard = terminal::TerminalGuard::enter()?;
    event_loop::run(
        guard.terminal(),
        state,
        config.client,
        persist,
        config.sign_in,
    )
    .await
}
