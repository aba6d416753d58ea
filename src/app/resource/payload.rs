//! A fetched or cached list of any resource view, its type erased.

use std::any::Any;

use super::{Resource, ViewKind};
use crate::app::state::State;
use crate::domain::{Pipeline, StageName};
use crate::store::{Cache, StoreError};

/// What the erased list can still do.
trait Rows: Send + std::fmt::Debug {
    fn kind(&self) -> ViewKind;
    fn len(&self) -> usize;
    fn localize(&mut self, pipeline: &Pipeline, active: Option<&StageName>);
    fn store(self: Box<Self>, state: &mut State);
    fn save(&self, cache: &Cache, key: &str) -> Result<(), StoreError>;
    fn clone_box(&self) -> Box<dyn Rows>;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Resource> Rows for Vec<T> {
    fn kind(&self) -> ViewKind {
        T::KIND
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn localize(&mut self, pipeline: &Pipeline, active: Option<&StageName>) {
        T::localize(self, pipeline, active);
    }
    fn store(self: Box<Self>, state: &mut State) {
        T::store(*self, state);
    }
    fn save(&self, cache: &Cache, key: &str) -> Result<(), StoreError> {
        cache.save(key, self)
    }
    fn clone_box(&self) -> Box<dyn Rows> {
        Box::new(self.clone())
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// A list for the view of its item type.
#[derive(Debug)]
pub struct ListPayload(Box<dyn Rows>);

impl ListPayload {
    pub fn of<T: Resource>(items: Vec<T>) -> ListPayload {
        ListPayload(Box::new(items))
    }

    pub fn kind(&self) -> ViewKind {
        self.0.kind()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, when they are `T`s.
    pub fn into_items<T: Resource>(self) -> Option<Vec<T>> {
        self.0.into_any().downcast::<Vec<T>>().ok().map(|b| *b)
    }

    /// Stage names become labels, and the like (before the list is packed into rows).
    pub fn localize(&mut self, pipeline: &Pipeline, active: Option<&StageName>) {
        self.0.localize(pipeline, active);
    }

    /// Hands the list to its view's state.
    pub fn store(self, state: &mut State) {
        self.0.store(state);
    }

    pub fn save(&self, cache: &Cache, key: &str) -> Result<(), StoreError> {
        self.0.save(cache, key)
    }
}

impl Clone for ListPayload {
    fn clone(&self) -> Self {
        ListPayload(self.0.clone_box())
    }
}
