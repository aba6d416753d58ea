//! The password and refresh-token grants, posted by hand (small and exact about errors).

use serde::Deserialize;

use super::{AuthError, TokenSet};
use crate::secret::Secret;

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The token endpoint of a realm: `{issuer_base}/realms/{realm}/protocol/openid-connect/token`.
pub fn token_endpoint(issuer_base: &str, realm: &str) -> String {
    format!(
        "{}/realms/{realm}/protocol/openid-connect/token",
        issuer_base.trim_end_matches('/')
    )
}

/// The resource-owner password grant on a public client (the demo and CI use it).
pub async fn password_grant(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    username: &str,
    password: &Secret,
) -> Result<TokenSet, AuthError> {
    let form = [
        ("grant_type", "password"),
        ("client_id", client_id),
        ("username", username),
        ("password", password.expose()),
        ("scope", "openid"),
    ];
    grant(http, token_url, &form).await
}

/// Trades a refresh token for a new token set.
pub async fn refresh_grant(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    refresh_token: &Secret,
) -> Result<TokenSet, AuthError> {
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("refresh_token", refresh_token.expose()),
    ];
    grant(http, token_url, &form).await
}

async fn grant(
    http: &reqwest::Client,
    token_url: &str,
    form: &[(&str, &str)],
) -> Result<TokenSet, AuthError> {
    let unreachable = |e: reqwest::Error| AuthError::Unreachable {
        url: token_url.to_string(),
        reason: e.without_url().to_string(),
    };
    let response = http
        .post(token_url)
        .form(form)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        let reason = serde_json::from_slice::<OAuthError>(&bytes)
            .map(|e| e.error_description.unwrap_or(e.error))
            .unwrap_or_else(|_| format!("HTTP {status}"));
        return Err(AuthError::Refused(
            crate::domain::text::sanitize(&reason).into_owned(),
        ));
    }
    let token: TokenResponse =
        serde_json::from_slice(&bytes).map_err(|e| AuthError::Decode(e.to_string()))?;
    Ok(TokenSet {
        access_token: Secret::new(token.access_token),
        refresh_token: token.refresh_token.map(Secret::new),
        expires_in: token.expires_in,
    })
}
