//! Everything the console does outside its state machine: the terminal, the event loop, the
//! effect runner, the store and the network. The first frame is drawn before any of the
//! network side exists: the client (TLS set-up, token refresh, stage routing) arrives later
//! through [`Connecting`], and the effects that need it wait for it.

pub mod event_loop;
pub mod failure;
pub mod persist;
pub mod promo;
pub mod runner;
pub mod terminal;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use tokio::task::JoinHandle;

use crate::api::Client;
use crate::app::State;
use crate::app::session::SignIn;
use crate::domain::{Mode, StageName};

/// What the event loop watches for the sign-in popup.
pub type SignInWatch = tokio::sync::watch::Receiver<SignIn>;

/// The network side, once ready.
pub struct Connected {
    /// Already authenticated.
    pub client: Client,
    /// Signing in again from inside the console (None: the session cannot expire here).
    pub sign_in: Option<SignInWatch>,
    /// Tasks that live as long as the console (session supervisors); aborted on quit.
    pub tasks: Vec<JoinHandle<()>>,
}

/// Builds the network side; its error is shown in the console (q still quits).
pub type Connecting = Pin<Box<dyn Future<Output = Result<Connected, String>> + Send>>;

pub struct AppConfig {
    pub connect: Connecting,
    pub tenant: String,
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
    pub keymap: crate::app::keymap::KeyMap,
    /// Start-up notices (e.g. config warnings) to show.
    pub notices: Vec<String>,
}

/// The initial state for a configuration (also used by tests and benches).
pub fn initial_state(config: &AppConfig, now: crate::wire::Timestamp) -> State {
    let mut state = State::new(
        &config.context_name,
        &config.tenant,
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
    let persist = persist::Persist::new(&config.paths, &config.control_plane, &config.tenant);
    let mut guard = terminal::TerminalGuard::enter()?;
    event_loop::run(guard.terminal(), state, config.connect, persist).await
}
