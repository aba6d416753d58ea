//! Token revocation (RFC 7009) for `envdeck logout`: the refresh token first (on Keycloak and
//! the embedded provider that ends the whole session), then the access token. Never waits
//! more than [`REVOKE_TIMEOUT`]; never puts a token in an error or the log.

use std::time::Duration;

use serde::Deserialize;

use super::AuthError;
use super::oauth::discover_issuer;
use crate::domain::text::sanitize;
use crate::secret::Secret;
use crate::store::StoredTokens;

/// Discovery and both revocations together, so a silent provider cannot hold up a logout.
pub const REVOKE_TIMEOUT: Duration = Duration::from_secs(5);

/// What happened at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revocation {
    Revoked {
        issuer: String,
    },
    /// Discovery names no `revocation_endpoint`.
    NotOffered {
        issuer: String,
    },
    Failed {
        reason: String,
    },
}

#[derive(Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// `POST {url}` with `token` and `token_type_hint`, as the public client `client_id`.
pub async fn revoke_token(
    http: &reqwest::Client,
    url: &str,
    client_id: &str,
    token: &Secret,
    hint: &str,
) -> Result<(), AuthError> {
    let unreachable = |e: reqwest::Error| AuthError::Unreachable {
        url: url.to_string(),
        reason: e.without_url().to_string(),
    };
    let form = [
        ("token", token.expose()),
        ("token_type_hint", hint),
        ("client_id", client_id),
    ];
    let response = http
        .post(url)
        .form(&form)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let bytes = response.bytes().await.map_err(unreachable)?;
    let said = serde_json::from_slice::<OAuthError>(&bytes)
        .ok()
        .map(|e| e.error_description.unwrap_or(e.error))
        .filter(|s| !s.is_empty())
        .map(|s| format!(": {}", sanitize(&s)))
        .unwrap_or_default();
    Err(AuthError::Revoke(format!(
        "{url} answered HTTP {}{said}",
        status.as_u16()
    )))
}

/// Revokes the session of `tokens` at the provider whose issuer URL is `issuer`.
pub async fn revoke_session(
    http: &reqwest::Client,
    issuer: &str,
    client_id: &str,
    tokens: &StoredTokens,
) -> Revocation {
    let work = async {
        let provider = discover_issuer(http, issuer).await?;
        let Some(url) = provider.revocation_endpoint.clone() else {
            return Ok(Revocation::NotOffered {
                issuer: provider.issuer,
            });
        };
        let access = (&tokens.access_token, "access_token");
        let order = match &tokens.refresh_token {
            Some(refresh) => vec![(refresh, "refresh_token"), access],
            None => vec![access],
        };
        for (i, (token, hint)) in order.into_iter().enumerate() {
            match revoke_token(http, &url, client_id, token, hint).await {
                Ok(()) => {}
                Err(e) if i == 0 => return Err(e),
                // The session already ended with its refresh token: this one is a bonus.
                Err(e) => tracing::info!(error = %e, "revoking the access token failed"),
            }
        }
        Ok(Revocation::Revoked {
            issuer: provider.issuer,
        })
    };
    match tokio::time::timeout(REVOKE_TIMEOUT, work).await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => Revocation::Failed {
            reason: e.to_string(),
        },
        Err(_) => Revocation::Failed {
            reason: format!(
                "no answer from {issuer} within {} s",
                REVOKE_TIMEOUT.as_secs()
            ),
        },
    }
}

/// The `iss` of a stored JWT, read without verification: only to find where to revoke it.
pub fn issuer_of(token: &Secret) -> Option<String> {
    #[derive(Deserialize)]
    struct Iss {
        iss: String,
    }
    let iss = jsonwebtoken::dangerous::insecure_decode::<Iss>(token.expose())
        .ok()?
        .claims
        .iss;
    let url = url::Url::parse(&iss).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(iss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_of_a_jwt_is_read_and_anything_else_is_none() {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = |claims: &str| {
            Secret::new(format!(
                "{}.{}.c2ln",
                b64(r#"{"alg":"RS256"}"#),
                b64(claims)
            ))
        };
        assert_eq!(
            issuer_of(&jwt(r#"{"iss":"http://kc.test/realms/stoa"}"#)).as_deref(),
            Some("http://kc.test/realms/stoa")
        );
        assert_eq!(issuer_of(&jwt(r#"{"iss":"file:///etc"}"#)), None);
        assert_eq!(issuer_of(&Secret::new("opaque")), None);
    }
}
