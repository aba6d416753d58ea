//! The [`Runner`] executes each effect `update` asks for on a tokio task, with the shared client
//! and store, and sends the result back as an [`Action`]; the event loop never awaits any of it.
//! Until the client is ready (the first frame never waits for the network or TLS set-up),
//! effects that need it wait in a queue; the store's work runs at once.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use super::persist::Persist;
use crate::api::{ApiError, Client};
use crate::app::action::{Action, ListPayload};
use crate::app::effect::Effect;
use crate::app::failure::Failure;
use crate::app::state::ViewKind;
use crate::app::write::reply::Sent;
use crate::app::write::{Pending, Write};
use crate::domain::StageName;

/// No request may hang the console: switching stage never waits longer than this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Runner {
    /// `None` until connected: effects needing it wait in `queued`.
    client: Option<Client>,
    queued: Vec<Effect>,
    persist: Persist,
    tx: UnboundedSender<Action>,
    /// The latest fetch of each list: a newer one (or a stage switch) supersedes it.
    in_flight: HashMap<ViewKind, AbortHandle>,
    /// Numbers UI-state saves in the order `update` asked for them.
    save_seq: u64,
}

pub(crate) async fn bounded<T>(
    fut: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::time::timeout(REQUEST_TIMEOUT, fut)
        .await
        .unwrap_or(Err(ApiError::Timeout(REQUEST_TIMEOUT)))
}

impl Runner {
    pub fn new(client: Client, persist: Persist, tx: UnboundedSender<Action>) -> Runner {
        let mut runner = Runner::connecting(persist, tx);
        runner.client = Some(client);
        runner
    }

    /// A runner whose client comes later ([`Runner::connected`]).
    pub fn connecting(persist: Persist, tx: UnboundedSender<Action>) -> Runner {
        Runner {
            client: None,
            queued: Vec::new(),
            persist,
            tx,
            in_flight: HashMap::new(),
            save_seq: 0,
        }
    }

    /// The client is ready: what waited for it runs now, in order.
    pub fn connected(&mut self, client: Client) {
        self.client = Some(client);
        for effect in std::mem::take(&mut self.queued) {
            self.run(effect);
        }
    }

    /// Starts the effect on a task and returns at once.
    pub fn run(&mut self, effect: Effect) {
        let client = match (&self.client, effect.needs_client()) {
            (Some(client), _) => client.clone(),
            (None, true) => {
                self.queued.push(effect);
                return;
            }
            (None, false) => return self.run_local(effect),
        };
        self.run_with(client, effect);
    }

    /// The store's effects, which never need the client.
    fn run_local(&mut self, effect: Effect) {
        let persist = self.persist.clone();
        let tx = self.tx.clone();
        let send = move |action: Action| {
            let _ = tx.send(action);
        };
        match effect {
            Effect::LoadSavedState => {
                tokio::task::spawn_blocking(move || {
                    send(Action::SavedStateLoaded(persist.load_state()))
                });
            }
            Effect::SaveState { stage, view } => {
                self.save_seq += 1;
                let seq = self.save_seq;
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = persist.save_state(seq, stage, view) {
                        send(Action::StoreFailed(e));
                    }
                });
            }
            Effect::LoadCachedEnvironments => {
                tokio::task::spawn_blocking(move || {
                    if let Some(list) = persist.load_environments() {
                        send(Action::Environments {
                            result: Ok(list),
                            cached: true,
                        });
                    }
                    if let Some(me) = persist.load_me() {
                        send(Action::CachedMe(me));
                    }
                });
            }
            Effect::SaveEnvironments(list) => {
                tokio::task::spawn_blocking(move || persist.save_environments(&list));
            }
            Effect::SaveMe(me) => {
                tokio::task::spawn_blocking(move || persist.save_me(&me));
            }
            Effect::LoadCachedList {
                kind,
                stage,
                generation,
            } => {
                tokio::task::spawn_blocking(move || {
                    if let Some((payload, saved_at)) = persist.load_list(kind, stage.as_ref()) {
                        send(Action::CachedList {
                            stage,
                            generation,
                            payload,
                            saved_at,
                        });
                    }
                });
            }
            Effect::LoadCachedPipeline => {
                tokio::task::spawn_blocking(move || {
                    if let Some((inputs, saved_at)) = persist.load_pipeline() {
                        send(Action::CachedPipeline(inputs, saved_at));
                    }
                });
            }
            other => tracing::error!("not a store effect: {other:?}"),
        }
    }

    fn run_with(&mut self, client: Client, effect: Effect) {
        let tx = self.tx.clone();
        let persist = self.persist.clone();
        let send = move |action: Action| {
            // The loop is gone only when quitting: nothing left to tell.
            let _ = tx.send(action);
        };
        match effect {
            Effect::FetchEnvironments => {
                tokio::spawn(async move {
                    let result = bounded(client.environments()).await.map_err(Failure::from);
                    send(Action::Environments {
                        result,
                        cached: false,
                    });
                });
            }
            Effect::FetchMe => {
                tokio::spawn(async move {
                    send(Action::Me(
                        bounded(client.me()).await.map_err(Failure::from),
                    ))
                });
            }
            Effect::FetchList {
                kind,
                stage,
                generation,
            } => {
                let handle = tokio::spawn(async move {
                    let mut result = bounded(fetch_list(&client, kind, stage.as_ref())).await;
                    if let Ok(payload) = result {
                        // Last-seen lists feed the next start (shown at once, marked stale).
                        let cache_stage = stage.clone();
                        let saved = tokio::task::spawn_blocking(move || {
                            persist.save_list(cache_stage.as_ref(), &payload);
                            payload
                        })
                        .await;
                        result = saved.map_err(|e| ApiError::Invalid(format!("cache task: {e}")));
                    }
                    send(Action::List {
                        kind,
                        stage,
                        generation,
                        result: result.map_err(Failure::from),
                    });
                });
                if let Some(previous) = self.in_flight.insert(kind, handle.abort_handle()) {
                    previous.abort();
                }
            }
            Effect::FetchPipeline { stages, roles } => {
                let handle = tokio::spawn(async move {
                    let access = crate::api::matrix::GatewayAccess::from_roles(&roles);
                    let result = bounded(client.pipeline_inputs(&stages, access)).await;
                    if let Ok((inputs, _)) = &result {
                        // The next start in this view draws from it at once.
                        let inputs = inputs.clone();
                        tokio::task::spawn_blocking(move || persist.save_pipeline(&inputs));
                    }
                    send(Action::Pipeline(result.map_err(Failure::from)));
                });
                let key = ViewKind::Pipeline;
                if let Some(previous) = self.in_flight.insert(key, handle.abort_handle()) {
                    previous.abort();
                }
            }
            Effect::Write(pending) => {
                tokio::spawn(async move {
                    let result = bounded(run_write(&client, &pending))
                        .await
                        .map_err(Failure::from);
                    send(Action::Written { pending, result });
                });
            }
            Effect::Override(reason) => {
                match reason.map(|r| crate::api::Emergency::new(&r, crate::api::OVERRIDE_MAX)) {
                    Some(Ok(emergency)) => client.begin_override(emergency),
                    Some(Err(e)) => tracing::warn!(error = %e, "override refused"),
                    None => client.end_override(),
                }
            }
            Effect::Promo(effect) => {
                tokio::spawn(async move { send(super::promo::run(client, effect).await) });
            }
            local => self.run_local(local),
        }
    }
}

async fn fetch_list(
    client: &Client,
    kind: ViewKind,
    stage: Option<&StageName>,
) -> Result<ListPayload, ApiError> {
    match kind.spec() {
        Some(spec) => (spec.fetch)(client, stage).await,
        None => Err(ApiError::Invalid(format!("{} is not a list", kind.title()))),
    }
}

/// Sends a confirmed write. The client's own guard asks the policy once more before it goes.
async fn run_write(client: &Client, pending: &Pending) -> Result<Sent, ApiError> {
    let stage = &pending.lands_in;
    Ok(match &pending.write {
        Write::CreateApi { body } => client.create_api(stage, body).await.map(|_| Sent::Api)?,
        Write::EditApi { id, body } => client
            .update_api(stage, id, body)
            .await
            .map(|_| Sent::Api)?,
        Write::DeleteApi { id } => client.delete_api(stage, id).await.map(|_| Sent::Api)?,
        Write::RequestPromotion { api_id, body, .. } => {
            Sent::Promotion(Box::new(client.create_promotion(api_id, body).await?))
        }
        Write::Approve {
            id,
            reviewed_spec_hash,
        } => Sent::Promotion(Box::new(
            client
                .approve_promotion(id, reviewed_spec_hash.as_deref())
                .await?,
        )),
        Write::Complete { id } => Sent::Promotion(Box::new(client.complete_promotion(id).await?)),
        Write::Rollback { id, message } => {
            Sent::Promotion(Box::new(client.rollback_promotion(id, message).await?))
        }
    })
}
