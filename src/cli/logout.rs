//! `envdeck logout`: revokes the session at the identity provider when discovery offers
//! revocation (RFC 7009: the refresh token first), then always removes the stored tokens, and
//! says which happened. A failed revocation still removes them, and exits 1 saying so.

use super::args::{Global, LogoutArgs};
use super::connect::{self, stage_account};
use super::error::CliError;
use super::login::say;
use crate::auth::{Revocation, issuer_of, revoke_session};
use crate::domain::StageName;
use crate::store::{Paths, TokenStore};
use crate::wire::Timestamp;

pub async fn run(global: &Global, paths: &Paths, args: &LogoutArgs) -> Result<String, CliError> {
    let config = connect::load_config(paths)?;
    let target = connect::resolve(global, &config)?;
    let (session, store) = connect::session_for(&target, &config, paths)?;
    let accounts = match &args.stage {
        Some(stage) => {
            let stage = StageName::parse(stage).map_err(|e| CliError::misuse(e.to_string()))?;
            vec![stage_account(&target.account, &stage)]
        }
        None => {
            let mut all = vec![target.account.clone()];
            all.extend(store_accounts_of(&*store, &target.account));
            all
        }
    };
    let context_issuer = format!(
        "{}/realms/{}",
        target.identity.base.trim_end_matches('/'),
        target.identity.realm
    );
    let mut failures = Vec::new();
    for (i, account) in accounts.iter().enumerate() {
        let is_context = *account == target.account;
        let label = if is_context { &target.name } else { account };
        let tokens = store.load(account).unwrap_or_else(|e| {
            tracing::warn!(%account, error = %e, "stored tokens unreadable: removing them unrevoked");
            None
        });
        let outcome = match &tokens {
            None => None,
            Some(tokens) => {
                // A stage's own provider is known only from the token it issued.
                let issuer = match is_context {
                    true => Some(context_issuer.clone()),
                    false => issuer_of(&tokens.access_token),
                };
                Some(match issuer {
                    Some(issuer) => {
                        let client_id = &target.identity.client_id;
                        revoke_session(session.http(), &issuer, client_id, tokens).await
                    }
                    None => Revocation::Failed {
                        reason: "the stored token names no identity provider".into(),
                    },
                })
            }
        };
        store
            .remove(account)
            .map_err(|e| CliError::general(e.to_string()))?;
        let expiry = tokens.as_ref().and_then(|t| t.expires_at);
        match outcome {
            None if i == 0 => say(&format!(
                "No stored tokens for {label}: nothing to revoke or remove."
            )),
            None => {}
            Some(Revocation::Revoked { issuer }) => {
                tracing::info!(%account, %issuer, "session revoked at logout");
                say(&format!(
                    "Revoked the session at {issuer} and removed the stored tokens for {label}{}.",
                    signature_only_note(expiry)
                ));
            }
            Some(Revocation::NotOffered { issuer }) => {
                tracing::info!(%account, %issuer, "no revocation offered at logout");
                say(&format!(
                    "{issuer} offers no revocation: removed the stored tokens for {label}; {}.",
                    valid_until(expiry)
                ));
            }
            Some(Revocation::Failed { reason }) => {
                tracing::warn!(%account, %reason, "revocation failed at logout");
                failures.push(format!(
                    "revocation failed ({reason}): removed the stored tokens for {label}; {}",
                    valid_until(expiry)
                ));
            }
        }
    }
    match failures.is_empty() {
        true => Ok(String::new()),
        false => Err(CliError::general(failures.join("; "))),
    }
}

/// When the access token still works anywhere that does not ask the provider.
fn valid_until(expires_at: Option<Timestamp>) -> String {
    match expires_at {
        None => "the access token stays valid until it expires".into(),
        Some(at) if at <= Timestamp::now() => "the access token has already expired".into(),
        Some(at) => format!("the access token stays valid until {}", clock(at)),
    }
}

/// Revocation ends the session at the provider; a control plane that only checks signatures
/// (STOA's verifies the JWT offline) still takes the access token until it expires.
fn signature_only_note(expires_at: Option<Timestamp>) -> String {
    match expires_at {
        Some(at) if at > Timestamp::now() => format!(
            " (a control plane that checks only signatures, as STOA's does, accepts the access token until {})",
            clock(at)
        ),
        _ => String::new(),
    }
}

/// Local HH:MM, with the date when it is not within the day.
fn clock(at: Timestamp) -> String {
    let local = at.0.with_timezone(&chrono::Local);
    let soon = at.0 - chrono::Utc::now() < chrono::Duration::hours(20);
    local
        .format(if soon { "%H:%M" } else { "%Y-%m-%d %H:%M" })
        .to_string()
}

/// Stage accounts (`context@stage`) that may hold tokens: those the store can list, and the
/// usual stages (a keyring cannot be listed).
fn store_accounts_of(store: &dyn TokenStore, account: &str) -> Vec<String> {
    let prefix = format!("{account}@");
    let mut accounts: Vec<String> = store
        .accounts()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.starts_with(&prefix))
        .collect();
    accounts.extend(
        ["dev", "staging", "production"]
            .iter()
            .filter_map(|s| StageName::parse(s).ok())
            .map(|s| stage_account(account, &s)),
    );
    accounts.sort();
    accounts.dedup();
    accounts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_said_plainly() {
        let in_secs = |s: i64| Some(Timestamp(chrono::Utc::now() + chrono::Duration::seconds(s)));
        assert_eq!(
            valid_until(None),
            "the access token stays valid until it expires"
        );
        assert_eq!(
            valid_until(in_secs(-5)),
            "the access token has already expired"
        );
        let soon = valid_until(in_secs(300));
        assert!(
            soon.starts_with("the access token stays valid until "),
            "{soon}"
        );
        assert_eq!(soon.rsplit(' ').next().map(str::len), Some(5), "{soon}");
        assert!(valid_until(in_secs(3 * 86_400)).contains('-'));
        assert_eq!(signature_only_note(in_secs(-5)), "");
    }
}
