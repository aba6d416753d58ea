//! Subscriptions of a stage. The real service stores no environment on subscriptions created
//! through its API, never returns the field, and its `?environment=` filter is an exact match
//! that drops those: so the client asks for every one, and, when the answer says nothing of
//! stages, asks each stage by each of its spellings to learn which are whose. Subscriptions
//! no stage claims apply to every stage (`environment: None`, shown as "all stages").

use std::collections::HashMap;
use std::sync::PoisonError;

use futures::future::try_join_all;
use reqwest::Method;

use super::transport::Request;
use super::{Client, Result};
use crate::domain::StageName;
use crate::wire::{Page, Subscription};

impl Client {
    pub async fn subscriptions(&self, stage: &StageName) -> Result<Vec<Subscription>> {
        if let Some(routed) = self.routed(stage) {
            return Box::pin(routed.subscriptions(stage)).await;
        }
        let all = self
            .get_all::<Page<Subscription>>(self.subscriptions_request()?)
            .await?;
        if all.iter().any(|s| s.environment.is_some()) {
            // A server that reports stages: keep this stage's and the stage-less ones.
            return Ok(all
                .into_iter()
                .filter(|s| match s.environment.as_deref() {
                    None => true,
                    Some(raw) => StageName::parse(raw).is_ok_and(|n| &n == stage),
                })
                .map(|mut s| {
                    s.environment = s.environment.map(|_| stage.as_str().to_string());
                    s
                })
                .collect());
        }
        let owners = self.subscription_owners(stage).await?;
        Ok(all
            .into_iter()
            .filter_map(|mut s| match owners.get(&s.id) {
                Some(owner) if owner == stage => {
                    s.environment = Some(stage.as_str().to_string());
                    Some(s)
                }
                Some(_) => None,
                None => Some(s),
            })
            .collect())
    }

    /// Which stage each subscription that has one belongs to.
    async fn subscription_owners(&self, active: &StageName) -> Result<HashMap<String, StageName>> {
        let mut stages = self
            .inner
            .stages
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if stages.is_empty() {
            stages = ["dev", "staging", "production"]
                .iter()
                .filter_map(|s| StageName::parse(s).ok())
                .collect();
        }
        if !stages.contains(active) {
            stages.push(active.clone());
        }
        let asks = stages.iter().flat_map(|stage| {
            stage
                .spellings()
                .into_iter()
                .map(move |spelling| async move {
                    let request = self.subscriptions_request()?.query("environment", spelling);
                    let found = self.get_all::<Page<Subscription>>(request).await?;
                    Ok::<_, super::ApiError>((stage.clone(), found))
                })
        });
        let mut owners = HashMap::new();
        for (stage, found) in try_join_all(asks).await? {
            for s in found {
                owners.insert(s.id, stage.clone());
            }
        }
        Ok(owners)
    }

    fn subscriptions_request(&self) -> Result<Request> {
        let path = ["v1", "subscriptions", "tenant", self.tenant_id()?];
        Ok(Request::new(Method::GET, &path))
    }
}
