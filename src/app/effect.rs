//! Effects: the work `update` asks for. The [`Runner`] executes each on a tokio task with
//! the shared client and store, and sends the result back as an [`Action`]; the event loop
//! never awaits any of it.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use super::action::{Action, ListPayload};
use super::persist::Persist;
use super::state::ViewKind;
use super::write::reply::Sent;
use super::write::{Pending, Write};
use crate::api::{ApiError, Client, PromotionFilter};
use crate::domain::StageName;
use crate::wire::{EnvironmentList, Me};

/// No request may hang the console: switching stage never waits longer than this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadSavedState,
    SaveState {
        stage: Option<String>,
        view: Option<String>,
    },
    FetchEnvironments,
    LoadCachedEnvironments,
    SaveEnvironments(EnvironmentList),
    FetchMe,
    SaveMe(Me),
    FetchList {
        kind: ViewKind,
        stage: Option<StageName>,
        generation: u64,
    },
    LoadCachedList {
        kind: ViewKind,
        stage: Option<StageName>,
        generation: u64,
    },
    /// A confirmed write.
    Write(Box<super::write::Pending>),
    /// Start (with its reason) or end the emergency override on the client.
    Override(Option<String>),
    Promo(super::promo_io::PromoEffect),
}

pub struct Runner {
    client: Client,
    persist: Persist,
    tx: UnboundedSender<Action>,
    /// The latest fetch of each list: a newer one (or a stage switch) supersedes it.
    in_flight: HashMap<ViewKind, AbortHandle>,
    /// Numbers UI-state saves in the order `update` asked for them.
    save_seq: u64,
}

pub(super) async fn bounded<T>(
    fut: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::time::timeout(REQUEST_TIMEOUT, fut)
        .await
        .unwrap_or(Err(ApiError::Timeout(REQUEST_TIMEOUT)))
}

impl Runner {
    pub fn new(client: Client, persist: Persist, tx: UnboundedSender<Action>) -> Runner {
        Runner {
            client,
            persist,
            tx,
            in_flight: HashMap::new(),
            save_seq: 0,
        }
    }

    /// Starts the effect on a task and returns at once.
    pub fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        let client = self.client.clone();
        let persist = self.persist.clone();
        let send = move |action: Action| {
            // The loop is gone only when quitting: nothing left to tell.
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
            Effect::FetchEnvironments => {
                tokio::spawn(async move {
                    let result = bounded(client.environments()).await;
                    send(Action::Environments {
                        result,
                        cached: false,
                    });
                });
            }
            Effect::FetchMe => {
                tokio::spawn(async move { send(Action::Me(bounded(client.me()).await)) });
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
                        result,
                    });
                });
                if let Some(previous) = self.in_flight.insert(kind, handle.abort_handle()) {
                    previous.abort();
                }
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
            Effect::Write(pending) => {
                tokio::spawn(async move {
                    let result = bounded(run_write(&client, &pending)).await;
                    send(Action::Written { pending, result });
                });
            }
            Effect::Override(reason) => {
                match reason.map(|r| crate::api::Override::new(&r, crate::api::OVERRIDE_MAX)) {
                    Some(Ok(emergency)) => client.begin_override(emergency),
                    Some(Err(e)) => tracing::warn!(error = %e, "override refused"),
                    None => client.end_override(),
                }
            }
            Effect::Promo(effect) => {
                tokio::spawn(async move { send(super::promo_io::run(client, effect).await) });
            }
        }
    }
}

async fn fetch_list(
    client: &Client,
    kind: ViewKind,
    stage: Option<&StageName>,
) -> Result<ListPayload, ApiError> {
    let need_stage = || {
        stage
            .cloned()
            .ok_or_else(|| ApiError::Invalid("no stage is active".into()))
    };
    Ok(match kind {
        ViewKind::Apis => ListPayload::Apis(client.apis(&need_stage()?).await?),
        ViewKind::Deployments => {
            ListPayload::Deployments(client.deployments(&need_stage()?).await?)
        }
        ViewKind::Gateways => ListPayload::Gateways(
            client
                .gateways(stage)
                .await
                .map_err(crate::api::prepare::admin_list("gateways"))?,
        ),
        ViewKind::Subscriptions => {
            ListPayload::Subscriptions(client.subscriptions(&need_stage()?).await?)
        }
        // Every target: the view filters by stage and status itself (and feeds the strip).
        ViewKind::Promotions => {
            ListPayload::Promotions(client.promotions(&PromotionFilter::default()).await?)
        }
        ViewKind::Audit => ListPayload::Audit(client.audit(None).await?),
    })
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
