//! Everything the console shows. Only `update` changes it; `ui::view` only reads it.

use std::collections::BTreeMap;

use tui_input::Input;

use super::form::ApiForm;
use super::list::{Filterer, ListView, LoadState};
use crate::domain::policy::{Actor, PolicyContext, PromotionFacts};
use crate::domain::{Decision, Mode, Operation, Pipeline, PromotionStatus, Stage, StageName};
use crate::wire::{Me, Promotion, Timestamp};

pub use super::resource::ViewKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Online { last_ok: Timestamp },
    Offline { since: Timestamp, message: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

#[derive(Clone, Debug)]
pub struct Detail {
    pub title: String,
    pub lines: Vec<(&'static str, String)>,
    pub scroll: usize,
}

#[derive(Clone, Debug)]
pub struct Palette {
    pub input: Input,
    pub selected: usize,
}

#[derive(Clone, Debug)]
pub enum Popup {
    Switcher {
        selected: usize,
    },
    Help {
        scroll: usize,
    },
    Palette(Palette),
    Form(Box<ApiForm>),
    /// The one confirmation of every write.
    Confirm(Box<super::write::Confirm>),
    Detail(Detail),
    Review(Box<super::promo::Review>),
    Promote(Box<super::promo::PromoteForm>),
}

/// What the persisted UI state said, once read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Saved {
    Pending,
    Found {
        stage: Option<String>,
        view: Option<String>,
    },
    Missing,
    Corrupt(String),
}

/// Every view's list, indexed by its [`ViewKind`].
pub struct Lists {
    views: Vec<ListView>,
}

impl Default for Lists {
    fn default() -> Self {
        let views = ViewKind::ALL
            .into_iter()
            .map(|kind| match kind.spec() {
                Some(spec) => {
                    let mut list = (spec.list)();
                    list.sort = spec.sort;
                    list
                }
                // The Pipeline keeps only its `/` filter here.
                None => ListView::blank(),
            })
            .collect();
        Lists { views }
    }
}

impl std::ops::Index<ViewKind> for Lists {
    type Output = ListView;
    fn index(&self, kind: ViewKind) -> &ListView {
        &self.views[kind.index()]
    }
}

impl std::ops::IndexMut<ViewKind> for Lists {
    fn index_mut(&mut self, kind: ViewKind) -> &mut ListView {
        &mut self.views[kind.index()]
    }
}

impl Lists {
    pub fn load_state(&self, kind: ViewKind) -> (&LoadState, bool, Option<&StageName>) {
        let list = &self[kind];
        (&list.load, list.refreshing, list.stage.as_ref())
    }
}

impl State {
    /// Whether a view's data is loaded, stale or failed, and whether a request is in flight.
    pub fn view_load(&self, kind: ViewKind) -> (&LoadState, bool) {
        if kind == ViewKind::Pipeline {
            return (&self.board.load, self.board.refreshing);
        }
        let list = &self.lists[kind];
        (&list.load, list.refreshing)
    }
}

pub struct State {
    pub context_name: String,
    pub tenant: String,
    pub control_plane: String,
    pub pipeline: Pipeline,
    /// The pipeline came from the cache and the server has not confirmed it yet.
    pub pipeline_stale: bool,
    pub active: Option<StageName>,
    /// Bumped on every stage switch; replies stamped with an older one are dropped.
    pub generation: u64,
    pub view: ViewKind,
    pub lists: Lists,
    pub me: Option<Me>,
    /// `me` came from the cache; the server has not confirmed it yet.
    pub me_stale: bool,
    pub actor: Actor,
    pub session_readonly: bool,
    pub local_tightening: BTreeMap<StageName, Mode>,
    pub no_color: bool,
    pub ascii: bool,
    pub connection: Connection,
    pub popup: Option<Popup>,
    /// `/` is being typed into the active list's filter.
    pub filter_editing: bool,
    pub status: Option<Status>,
    pub notices: Vec<String>,
    /// A sign-in under way after the session expired (drawn as a popup over everything).
    pub sign_in: super::session::SignIn,
    /// The emergency override under way (cpi-admin, time-boxed).
    pub emergency: Option<super::emergency::Emergency>,
    pub saved: Saved,
    /// The Pipeline view: its matrix, selection and scroll.
    pub board: super::pipeline_view::PipelineState,
    /// Review, polling and filters of the Promotions view.
    pub promo: super::promo::PromoState,
    /// The clock, advanced by ticks (fixed in tests).
    pub now: Timestamp,
    pub tick: u64,
    pub last_refresh: Option<Timestamp>,
    pub size: (u16, u16),
    pub should_quit: bool,
    pub filterer: Filterer,
    /// The key map: defaults with config.toml's `[keys]` applied.
    pub keymap: super::keymap::KeyMap,
}

impl State {
    pub fn new(context_name: &str, tenant: &str, control_plane: &str, now: Timestamp) -> State {
        State {
            context_name: context_name.into(),
            tenant: tenant.into(),
            control_plane: control_plane.into(),
            pipeline: Pipeline::default(),
            pipeline_stale: false,
            active: None,
            generation: 0,
            view: ViewKind::Apis,
            lists: Lists::default(),
            me: None,
            me_stale: false,
            actor: Actor::default(),
            session_readonly: false,
            local_tightening: BTreeMap::new(),
            no_color: false,
            ascii: false,
            connection: Connection::Connecting,
            popup: None,
            filter_editing: false,
            status: None,
            notices: Vec::new(),
            sign_in: super::session::SignIn::SignedIn,
            emergency: None,
            saved: Saved::Pending,
            board: Default::default(),
            promo: super::promo::PromoState::default(),
            now,
            tick: 0,
            last_refresh: None,
            size: (80, 24),
            should_quit: false,
            filterer: Filterer::default(),
            keymap: super::keymap::KeyMap::defaults(),
        }
    }

    /// The stage and generation an effect is asked under.
    pub fn stamp(&self) -> super::action::Stamp {
        super::action::Stamp {
            stage: self.active.clone(),
            generation: self.generation,
        }
    }

    pub fn active_stage(&self) -> Option<&Stage> {
        self.pipeline.get(self.active.as_ref()?)
    }

    pub fn is_offline(&self) -> bool {
        matches!(self.connection, Connection::Offline { .. })
    }

    /// The one policy context of this console: the server's stages and `/v1/me`, this
    /// machine's tightening, `--readonly`, the emergency override while it lasts, offline.
    pub fn policy(&self) -> PolicyContext<'_> {
        PolicyContext::new(&self.pipeline, &self.actor)
            .tightened(&self.local_tightening)
            .session_readonly(self.session_readonly)
            .offline(self.is_offline())
            .with_override(
                self.emergency
                    .as_ref()
                    .is_some_and(|e| self.now.0 < e.until.0),
            )
    }

    /// The mode this console enforces: server mode, tightened locally and by `--readonly`.
    pub fn effective_mode(&self, stage: &Stage) -> Mode {
        self.policy()
            .effective_mode(&stage.name)
            .unwrap_or(Mode::ReadOnly)
    }

    /// Asks the domain policy whether `op` may run on the active stage.
    /// An edit or delete of the selected API reaches every stage it runs in (the catalog
    /// entry is shared): those are judged by the strictest of them.
    pub fn decide(&self, op: Operation) -> Decision {
        let Some(stage) = self.active.clone() else {
            return Decision::Denied(crate::domain::Denial::Offline);
        };
        let api = match op {
            Operation::EditApi | Operation::DeleteApi => super::keys::selected_api(self),
            _ => None,
        };
        match api {
            Some(api) => {
                let reaches: Vec<StageName> =
                    crate::domain::policy::stages_named(&self.pipeline, api.stage_names())
                        .into_iter()
                        .map(|s| s.name.clone())
                        .collect();
                self.policy()
                    .decide_catalog(op, &stage, &api.name, &reaches)
            }
            None => self.policy().decide(op, &stage, None),
        }
    }

    /// The policy's answer for `op` on the active stage, as the reason shown to the user.
    pub fn guard(&self, op: Operation) -> Result<(), String> {
        if self.active_stage().is_none() {
            return Err("waiting for the control plane's stages".into());
        }
        match self.decide(op) {
            Decision::Allowed { .. } => Ok(()),
            Decision::Denied(reason) => Err(reason.to_string()),
        }
    }

    /// Asks the domain policy about `op` on any stage (promotions act on their target).
    pub fn decide_for(
        &self,
        op: Operation,
        stage: &Stage,
        promotion: Option<PromotionFacts<'_>>,
    ) -> Decision {
        self.policy().decide(op, &stage.name, promotion)
    }

    /// Pending promotions this user may approve (the header's "waiting for me").
    pub fn waiting_for_me(&self) -> usize {
        self.approval_queue().count()
    }

    /// The queue above the Promotions list: pending promotions this user may approve.
    pub fn approval_queue(&self) -> impl Iterator<Item = &Promotion> {
        let policy = self.policy();
        let needed = Operation::ApprovePromotion.required_status();
        self.promo.all.iter().filter(move |p| {
            // The cheap test first: most promotions are long finished.
            PromotionStatus::parse(&p.status).is_some_and(|s| needed.is_none_or(|n| s == n))
                && self
                    .pipeline
                    .find(&p.target_environment)
                    .is_some_and(|target| {
                        policy
                            .decide(Operation::ApprovePromotion, &target.name, Some(p.facts()))
                            .is_allowed()
                    })
        })
    }

    /// Rows the table can show at the current terminal size: the one layout `ui::view`
    /// draws with (`ui::layout`), so paging moves by what is on screen.
    pub fn table_height(&self) -> usize {
        usize::from(crate::ui::layout::of(self).table_rows).max(1)
    }

    /// A view's list with the shared fuzzy filterer (borrowed together).
    pub fn list_mut(&mut self, kind: ViewKind) -> (&mut ListView, &mut Filterer) {
        (&mut self.lists[kind], &mut self.filterer)
    }

    pub fn set_status(&mut self, text: impl Into<String>, error: bool) {
        let text: String = text.into();
        self.status = Some(Status {
            text: crate::domain::text::sanitize(&text).into_owned(),
            error,
        });
    }
}
