//! The resource views, one file each: what a view is called, its rows (columns, cells,
//! detail), how its list is fetched, localised and stored. This file is the registry.
//!
//! A new resource view takes two files: its own (`impl TableRow` and `impl Resource` for
//! the wire type, and its `SPEC`), and this one (a `ViewKind` variant, its place in
//! `ViewKind::ALL` and its arm in `ViewKind::spec`). Lists, the cache, the fetch, the
//! digit key, `:view`, the tab bar, the detail pane and the drawing follow from these.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::list::{ListView, SortKey};
use super::rows::TableRow;
use super::state::State;
use crate::api::{ApiError, Client};
use crate::domain::{Pipeline, StageName};

mod apis;
mod audit;
mod deployments;
mod gateways;
mod payload;
mod promotions;
mod subscriptions;

pub use apis::INTERNAL_STAGES;
pub use payload::ListPayload;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewKind {
    /// APIs × stages (`app::pipeline_view`): not a list, so it has no [`Spec`].
    Pipeline,
    Apis,
    Deployments,
    Gateways,
    Subscriptions,
    Promotions,
    Audit,
}

impl ViewKind {
    /// The views in tab order; the digit keys follow it (0, 1, 2, …).
    pub const ALL: [ViewKind; 7] = [
        ViewKind::Pipeline,
        ViewKind::Apis,
        ViewKind::Deployments,
        ViewKind::Gateways,
        ViewKind::Subscriptions,
        ViewKind::Promotions,
        ViewKind::Audit,
    ];

    /// The resource view's spec; `None` for the Pipeline, which is not a list.
    pub fn spec(self) -> Option<&'static Spec> {
        Some(match self {
            ViewKind::Pipeline => return None,
            ViewKind::Apis => &apis::SPEC,
            ViewKind::Deployments => &deployments::SPEC,
            ViewKind::Gateways => &gateways::SPEC,
            ViewKind::Subscriptions => &subscriptions::SPEC,
            ViewKind::Promotions => &promotions::SPEC,
            ViewKind::Audit => &audit::SPEC,
        })
    }

    fn names(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self.spec() {
            Some(s) => (s.key, s.title, s.noun, s.plural),
            None => ("pipeline", "Pipeline", "API", "APIs"),
        }
    }

    pub fn title(self) -> &'static str {
        self.names().1
    }

    /// The tab bar's title when the full ones do not fit.
    pub fn short_title(self) -> &'static str {
        match self {
            ViewKind::Deployments => "Deploys",
            ViewKind::Subscriptions => "Subs",
            ViewKind::Promotions => "Promos",
            other => other.title(),
        }
    }

    /// Its rows, as an empty list names them ("no audit entries in Staging").
    pub fn plural(self) -> &'static str {
        self.names().3
    }

    /// One of its rows, as the detail pane's title names it.
    pub fn noun(self) -> &'static str {
        self.names().2
    }

    /// The name persisted in the state file and used by the cache and `:view`.
    pub fn key(self) -> &'static str {
        self.names().0
    }

    pub fn parse(raw: &str) -> Option<ViewKind> {
        let raw = raw.trim().to_ascii_lowercase();
        ViewKind::ALL
            .into_iter()
            .find(|v| v.key() == raw || v.title().to_ascii_lowercase() == raw)
    }

    /// Its place in [`ViewKind::ALL`].
    pub fn index(self) -> usize {
        ViewKind::ALL
            .iter()
            .position(|&v| v == self)
            .unwrap_or_default()
    }

    /// Every list shows the active stage's part (audit: the entries about it), so every list
    /// is dropped and fetched again on a stage switch. The Pipeline shows every stage.
    pub fn is_stage_scoped(self) -> bool {
        self != ViewKind::Pipeline
    }

    pub fn step(self, forward: bool) -> ViewKind {
        let n = ViewKind::ALL.len();
        let i = self.index();
        ViewKind::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

type Fetched<'a> = Pin<Box<dyn Future<Output = Result<ListPayload, ApiError>> + Send + 'a>>;

/// What the console needs of a resource view, type-erased so the registry can hold them.
pub struct Spec {
    pub key: &'static str,
    pub title: &'static str,
    /// One row ("API"), for the detail pane's title.
    pub noun: &'static str,
    /// The rows ("audit entries"), for an empty list's message.
    pub plural: &'static str,
    /// The order a fresh list starts in (`None`: as the server sent it).
    pub sort: Option<SortKey>,
    /// An empty list with the view's columns.
    pub list: fn() -> ListView,
    /// Fetches the view's list for the active stage.
    pub fetch: for<'a> fn(&'a Client, Option<&'a StageName>) -> Fetched<'a>,
    /// Reads the view's list from the cache (a miss for anything unreadable).
    pub cached: fn(&crate::store::Cache, &str) -> Option<(ListPayload, crate::wire::Timestamp)>,
}

impl Spec {
    /// The spec of a resource type: its names, and the rest from its `Resource` impl.
    pub const fn of<T: Resource>(
        key: &'static str,
        title: &'static str,
        noun: &'static str,
        plural: &'static str,
    ) -> Spec {
        Spec {
            key,
            title,
            noun,
            plural,
            sort: T::SORT,
            list: ListView::of::<T>,
            fetch: fetch_erased::<T>,
            cached: cached_erased::<T>,
        }
    }
}

fn fetch_erased<'a, T: Resource>(client: &'a Client, stage: Option<&'a StageName>) -> Fetched<'a> {
    Box::pin(async move { T::fetch(client, stage).await.map(ListPayload::of) })
}

fn cached_erased<T: Resource>(
    cache: &crate::store::Cache,
    key: &str,
) -> Option<(ListPayload, crate::wire::Timestamp)> {
    cache
        .load::<Vec<T>>(key)
        .map(|c| (ListPayload::of(c.value), c.saved_at))
}

/// A wire type the console lists in a view of its own.
pub trait Resource:
    TableRow + Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static
{
    /// The view that lists it.
    const KIND: ViewKind;
    const SORT: Option<SortKey> = None;

    fn fetch(
        client: &Client,
        stage: Option<&StageName>,
    ) -> impl Future<Output = Result<Vec<Self>, ApiError>> + Send;

    /// Applied to every list as it arrives (fresh or cached), before it is packed into rows:
    /// stage names become labels, and so on.
    fn localize(_items: &mut Vec<Self>, _pipeline: &Pipeline, _active: Option<&StageName>) {}

    /// Puts a localised list into the console's state: by default, the view's list.
    fn store(items: Vec<Self>, state: &mut State) {
        let (list, filterer) = state.list_mut(Self::KIND);
        list.set_items(items, filterer);
    }
}

/// The stage a stage-scoped list is fetched for.
fn need_stage(stage: Option<&StageName>) -> Result<&StageName, ApiError> {
    stage.ok_or_else(|| ApiError::Invalid("no stage is active".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{Command, KeyMap, Scope};
    use crate::wire::{Api, AuditEntry, Deployment, Gateway, Promotion, Subscription};

    #[test]
    fn every_view_has_its_names_its_columns_and_a_digit() {
        let keys = KeyMap::defaults();
        let mut seen = std::collections::HashSet::new();
        for (i, kind) in ViewKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i);
            assert!(seen.insert(kind.key()), "{kind:?}: key used twice");
            assert_eq!(ViewKind::parse(kind.key()), Some(kind));
            assert_eq!(ViewKind::parse(&kind.title().to_uppercase()), Some(kind));
            if let Some(spec) = kind.spec() {
                assert!(!(spec.list)().columns.is_empty());
            }
            let digit = char::from(b'0' + i as u8);
            let bound = keys
                .bindings(Scope::Table)
                .iter()
                .find(|b| b.binding.command == Command::View(kind))
                .map(|b| b.label.clone());
            assert_eq!(bound.as_deref(), Some(digit.to_string().as_str()));
        }
        assert_eq!(ViewKind::Audit.step(true), ViewKind::Pipeline);
        assert_eq!(ViewKind::Pipeline.step(false), ViewKind::Audit);
    }

    #[test]
    fn every_payload_survives_the_cache_as_its_own_kind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = crate::store::Cache::new(dir.path());
        let payloads = [
            ListPayload::of(vec![Api::default()]),
            ListPayload::of(vec![Deployment::default()]),
            ListPayload::of(vec![Gateway::default()]),
            ListPayload::of(vec![Subscription::default()]),
            ListPayload::of(vec![Promotion::default()]),
            ListPayload::of(vec![AuditEntry::default()]),
        ];
        for payload in payloads {
            let kind = payload.kind();
            let key = crate::store::Cache::key("http://cp", "acme", "dev", kind.key());
            payload.save(&cache, &key).expect("saved");
            let spec = kind.spec().expect("a list");
            let (back, _) = (spec.cached)(&cache, &key).expect("read back");
            assert_eq!((back.kind(), back.len()), (kind, 1));
        }
    }
}
