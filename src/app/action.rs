//! Everything that can happen to the console: keys, ticks, resizes, and the results that
//! effect tasks send back.

use crossterm::event::KeyEvent;

use super::failure::Failure;
use super::state::ViewKind;
use crate::domain::StageName;
use crate::wire::{EnvironmentList, Me, Timestamp};

pub use super::resource::ListPayload;

/// What the persisted UI state held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SavedState {
    Found {
        stage: Option<String>,
        view: Option<String>,
    },
    Missing,
    Corrupt(String),
}

/// The stage and generation an effect was asked under: a reply stamped with a generation the
/// console has left behind is dropped (or, for a write, only announced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub stage: Option<StageName>,
    pub generation: u64,
}

pub enum Action {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The terminal went away.
    Quit,
    /// The network side is ready, or why it cannot be.
    Connected(Result<(), String>),
    /// The sign-in popup's state changed.
    SignIn(super::session::SignIn),
    /// The clock moved on (the event loop sends the wall clock; tests send fixed times).
    Tick(Timestamp),
    SavedStateLoaded(SavedState),
    /// The environment list, from the server (`cached: false`) or the cache.
    Environments {
        result: Result<EnvironmentList, Failure>,
        cached: bool,
    },
    Me(Result<Me, Failure>),
    /// `/v1/me` as last seen, until the server answers.
    CachedMe(Me),
    /// A list fetched for `stage` under `generation` (both `None`/ignored for tenant lists).
    List {
        kind: ViewKind,
        stage: Option<StageName>,
        generation: u64,
        result: Result<ListPayload, Failure>,
    },
    /// A list from the cache, shown stale until the server answers.
    CachedList {
        stage: Option<StageName>,
        generation: u64,
        payload: ListPayload,
        saved_at: Timestamp,
    },
    /// The Pipeline view's inputs and every promotion.
    Pipeline(Result<(crate::domain::matrix::Inputs, Vec<crate::wire::Promotion>), Failure>),
    /// The Pipeline's inputs from the cache, shown stale until the server answers.
    CachedPipeline(crate::domain::matrix::Inputs, Timestamp),
    /// A confirmed write's outcome.
    Written {
        pending: Box<super::write::Pending>,
        result: Result<super::write::reply::Sent, Failure>,
    },
    /// A promotion effect's reply.
    Promo(Box<super::promo::io::PromoReply>),
    /// A persistence task failed (shown, never fatal).
    StoreFailed(String),
}
