//! The console's state machine: state, actions, `update`, effects as data, the key map.
//! Data flows one way: events → [`Action`] → [`update`] (the only mutation) → [`Effect`]s,
//! which `runtime` runs on tokio tasks → results back as actions; `ui::view` draws the state.
//! Nothing here does I/O.

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
pub mod failure;
pub mod form;
pub mod keymap;
pub mod keys;
pub mod list;
pub mod localize;
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
pub mod update;
pub mod write;

pub use action::Action;
pub use effect::Effect;
pub use state::State;
pub use update::update;
