//! The console's state machine: state, actions, `update`, effects as data, the key map.
//! Data flows one way: events → [`Action`] → [`update`] (the only mutation) → [`Effect`]s,
//! which `runtime` runs on tokio tasks → results back as actions; `ui::view` draws the state.
//! Nothing here does I/O.

/// Runs `$body` with `$list` bound to the list of view `$kind` and `$f` to the shared
/// filterer.
macro_rules! with_list {
    ($state:expr, $kind:expr, |$list:ident, $f:ident| $body:expr) => {{
        let ($list, $f) = $state.list_mut($kind);
        $body
    }};
}

pub mod action;
pub mod effect;
pub mod emergency;
pub mod failure;
pub mod form;
pub mod keymap;
pub mod keys;
pub mod list;
pub mod localize;
pub mod pipeline_view;
pub mod popups;
pub mod promo;
pub mod replies;
pub mod resource;
pub mod rows;
pub mod session;
pub mod state;
pub mod update;
pub mod write;

pub use action::Action;
pub use effect::Effect;
pub use state::State;
pub use update::update;
