//! OIDC discovery and the grants done with the `oauth2` crate (device code, client
//! credentials), which gets a closure over our own reqwest 0.13 client.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, ClientId, ClientSecret, DeviceAuthorizationUrl, HttpRequest, HttpResponse,
    RequestTokenError, StandardDeviceAuthorizationResponse, TokenResponse, TokenUrl,
};
use serde::Deserialize;

use super::{AuthError, TokenSet};
use crate::domain::text::sanitize;
use crate::secret::Secret;

/// What discovery says about a realm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    pub issuer: String,
    pub token_endpoint: String,
    pub device_authorization_endpoint: Option<String>,
    /// RFC 7009 token revocation, where the provider offers it (Keycloak does).
    pub revocation_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct OpenIdConfiguration {
    issuer: String,
    token_endpoint: String,
    #[serde(default)]
    device_authorization_endpoint: Option<String>,
    #[serde(default)]
    revocation_endpoint: Option<String>,
}

/// `GET {base}/realms/{realm}/.well-known/openid-configuration`.
pub async fn discover(
    http: &reqwest::Client,
    base: &str,
    realm: &str,
) -> Result<Provider, AuthError> {
    let issuer = format!("{}/realms/{realm}", base.trim_end_matches('/'));
    discover_issuer(http, &issuer).await
}

/// `GET {issuer}/.well-known/openid-configuration` (OpenID Connect Discovery §4).
pub async fn discover_issuer(http: &reqwest::Client, issuer: &str) -> Result<Provider, AuthError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let unreachable = |e: reqwest::Error| AuthError::Unreachable {
        url: url.clone(),
        reason: e.without_url().to_string(),
    };
    let response = http.get(&url).send().await.map_err(unreachable)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        return Err(AuthError::Decode(format!(
            "{url} answered HTTP {status}: is this the identity provider and its realm?"
        )));
    }
    let config: OpenIdConfiguration = serde_json::from_slice(&bytes)
        .map_err(|e| AuthError::Decode(format!("{url}: {}", sanitize(&e.to_string()))))?;
    Ok(Provider {
        issuer: config.issuer,
        token_endpoint: config.token_endpoint,
        device_authorization_endpoint: config.device_authorization_endpoint,
        revocation_endpoint: config.revocation_endpoint,
    })
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

type HttpFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>>;

/// The oauth2 crate's HTTP client: our reqwest client, no redirects followed by hand.
fn http_client(http: &reqwest::Client) -> impl Fn(HttpRequest) -> HttpFuture + use<> {
    let http = http.clone();
    move |request: HttpRequest| {
        let http = http.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = http
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| HttpError(e.without_url().to_string()))?;
            let mut builder = oauth2::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|e| HttpError(e.without_url().to_string()))?;
            builder
                .body(bytes.to_vec())
                .map_err(|e| HttpError(e.to_string()))
        })
    }
}

fn url_error(what: &str, e: impl std::fmt::Display) -> AuthError {
    AuthError::Decode(format!("the {what} URL from discovery is invalid: {e}"))
}

/// An error from the oauth2 crate in one line, in the provider's words; never a token.
fn grant_error<RE, T>(url: &str, e: RequestTokenError<RE, T>) -> AuthError
where
    RE: std::error::Error + 'static,
    T: oauth2::ErrorResponse + 'static,
{
    match e {
        RequestTokenError::ServerResponse(response) => {
            let text = serde_json::to_value(&response)
                .ok()
                .and_then(|v| {
                    v.get("error_description")
                        .and_then(|d| d.as_str())
                        .or_else(|| v.get("error").and_then(|d| d.as_str()))
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "refused".to_string());
            if text.contains("expired_token") || text.to_lowercase().contains("expired") {
                return AuthError::Expired;
            }
            AuthError::Refused(sanitize(&text).into_owned())
        }
        RequestTokenError::Request(e) => AuthError::Unreachable {
            url: url.to_string(),
            reason: e.to_string(),
        },
        RequestTokenError::Parse(e, _) => AuthError::Decode(e.to_string()),
        RequestTokenError::Other(text) => AuthError::Decode(text),
    }
}

fn token_set<T: TokenResponse>(token: &T) -> TokenSet {
    TokenSet {
        access_token: Secret::new(token.access_token().secret().as_str()),
        refresh_token: token
            .refresh_token()
            .map(|t| Secret::new(t.secret().as_str())),
        expires_in: token.expires_in().map(|d| d.as_secs()),
    }
}

/// A device login under way: show `verification_uri` and `user_code`, then [`Self::finish`].
pub struct DeviceLogin {
    http: reqwest::Client,
    provider: Provider,
    client_id: String,
    details: StandardDeviceAuthorizationResponse,
}

impl std::fmt::Debug for DeviceLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceLogin")
            .field("verification_uri", &self.verification_uri())
            .field("user_code", &self.user_code())
            .finish_non_exhaustive()
    }
}

/// Asks the provider for a device code (RFC 8628 §3.1).
pub async fn device_login(
    http: &reqwest::Client,
    provider: &Provider,
    client_id: &str,
) -> Result<DeviceLogin, AuthError> {
    let device_url = provider
        .device_authorization_endpoint
        .clone()
        .ok_or_else(|| AuthError::NoDeviceLogin(provider.issuer.clone()))?;
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_type(AuthType::RequestBody)
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(device_url.clone())
                .map_err(|e| url_error("device authorization", e))?,
        );
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scope(oauth2::Scope::new("openid".to_string()))
        .request_async(&http_client(http))
        .await
        .map_err(|e| grant_error(&device_url, e))?;
    Ok(DeviceLogin {
        http: http.clone(),
        provider: provider.clone(),
        client_id: client_id.to_string(),
        details,
    })
}

impl DeviceLogin {
    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri().as_str()
    }

    /// The URL with the code filled in, when the provider gives one.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.details
            .verification_uri_complete()
            .map(|u| u.secret().as_str())
    }

    /// The short code the person types (not a secret: it is useless without their sign-in).
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }

    pub fn expires_in(&self) -> Duration {
        self.details.expires_in()
    }

    pub fn interval(&self) -> Duration {
        self.details.interval()
    }

    /// Polls the token endpoint at the given interval (slower on `slow_down`) until the code
    /// is approved, denied or expired.
    pub async fn finish(self) -> Result<TokenSet, AuthError> {
        let token_url = self.provider.token_endpoint.clone();
        let client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(TokenUrl::new(token_url.clone()).map_err(|e| url_error("token", e))?);
        let http = http_client(&self.http);
        let token = client
            .exchange_device_access_token(&self.details)
            .request_async(&http, tokio::time::sleep, None)
            .await
            .map_err(|e| grant_error(&token_url, e))?;
        Ok(token_set(&token))
    }
}

/// The client-credentials grant (CI: `ENVDECK_CLIENT_ID` and `ENVDECK_CLIENT_SECRET`).
pub async fn client_credentials_grant(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<TokenSet, AuthError> {
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_client_secret(ClientSecret::new(client_secret.expose().to_string()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::new(token_url.to_string()).map_err(|e| url_error("token", e))?);
    let token = client
        .exchange_client_credentials()
        .request_async(&http_client(http))
        .await
        .map_err(|e| grant_error(token_url, e))?;
    Ok(token_set(&token))
}
