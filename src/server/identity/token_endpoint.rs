//! The OAuth2 endpoints: token (four grants), device authorization, and logout.

use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::clients::{self, Client, Form};
use super::error::{AuthError, OAuthError};
use super::throttle::Key;
use super::tokens::{self, TokenSet};
use super::users::{self, Principal, UserRow};
use super::{Identity, password, read};
use crate::secret::Secret;
use crate::server::listen::peer_of;

/// Checked against when the username is unknown, so a miss costs as much as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("no such user").unwrap_or_default());

/// `POST /realms/stoa/protocol/openid-connect/token`.
pub(super) async fn token(
    State(identity): State<Identity>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let peer = peer_of(&extensions).map(|a| a.ip());
    match grant(&identity, peer, &headers, &body).await {
        Ok(set) => token_response(&set),
        Err(e) => e.into_response(),
    }
}

async fn grant(
    identity: &Identity,
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenSet, OAuthError> {
    let form = Form::parse(body)?;
    let grant_type = form.require("grant_type")?;
    if !clients::ALL_GRANTS.contains(&grant_type) {
        return Err(OAuthError::unsupported_grant_type());
    }
    let client = clients::authenticate(headers, &form, &identity.inner.admin_secret)?;
    if !client.allows(grant_type) {
        return Err(OAuthError::unauthorized_client(format!(
            "Client {} is not allowed to use the grant {grant_type}",
            client.id
        )));
    }
    let set = match grant_type {
        clients::GRANT_PASSWORD => password_grant(identity, client, peer, &form).await,
        clients::GRANT_REFRESH => refresh_grant(identity, client, &form).await,
        clients::GRANT_CLIENT_CREDENTIALS => {
            let account = identity.inner.service_account.clone();
            sign(identity, client, account, false, None).await
        }
        _ => device_grant(identity, client, &form).await,
    };
    match &set {
        Ok(_) => tracing::info!(client_id = client.id, grant_type, "tokens issued"),
        Err(e) => tracing::info!(
            client_id = client.id,
            grant_type,
            error = e.code,
            "token request refused"
        ),
    }
    set
}

async fn password_grant(
    identity: &Identity,
    client: &'static Client,
    peer: Option<IpAddr>,
    form: &Form,
) -> Result<TokenSet, OAuthError> {
    let username = form.require("username")?.to_string();
    let password = Secret::new(form.require("password")?);
    let principal = sign_in(identity, peer, username, password).await?;
    sign(identity, client, principal, true, None).await
}

/// A throttled password check, for the password grant and the device page: counted before
/// the (slow) check starts, given back on success.
pub(super) async fn sign_in(
    identity: &Identity,
    peer: Option<IpAddr>,
    username: String,
    password: Secret,
) -> Result<Principal, OAuthError> {
    let keys = [Key::user(&username), Key::Address(peer)];
    let throttle = &identity.inner.throttle;
    if let Err(wait) = throttle.begin(&keys, Instant::now()) {
        tracing::warn!(?peer, "password attempt throttled");
        return Err(OAuthError::too_many_attempts(wait));
    }
    let row = find_user(identity, move |c| users::find_by_username(c, &username)).await?;
    let principal = check_password(identity, row, password).await?;
    throttle.succeeded(&keys);
    Ok(principal)
}

/// Checks a password on a blocking thread (hashing is deliberately slow and memory-hard, so
/// only a few run at once). Unknown users and wrong passwords are refused alike.
pub(super) async fn check_password(
    identity: &Identity,
    row: Option<UserRow>,
    password: Secret,
) -> Result<Principal, OAuthError> {
    let _permit = identity
        .inner
        .password_checks
        .acquire()
        .await
        .map_err(|_| OAuthError::server_error())?;
    tokio::task::spawn_blocking(move || {
        let hash = row
            .as_ref()
            .map_or(DUMMY_HASH.as_str(), |r| r.password_hash.as_str());
        let matches = password::verify(password.expose(), hash);
        match row {
            Some(row) if matches => Ok(row.principal),
            _ => Err(OAuthError::invalid_user_credentials()),
        }
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password check task failed");
        OAuthError::server_error()
    })?
}

async fn refresh_grant(
    identity: &Identity,
    client: &'static Client,
    form: &Form,
) -> Result<TokenSet, OAuthError> {
    let claims = decode_refresh(identity, client, form.require("refresh_token")?)?;
    let (sid, sub) = (claims.sid.clone(), claims.sub.clone());
    let (revoked, row) = identity
        .inner
        .db
        .read(move |c| Ok((users::is_revoked(c, &sid)?, users::find_by_sub(c, &sub)?)))
        .await
        .map_err(db_error)?;
    if revoked || identity.inner.revoked.contains(&claims.sid) {
        return Err(OAuthError::invalid_grant("Session not active"));
    }
    // Roles and tenant come from the database again, not from the old token.
    let row = row.ok_or_else(|| OAuthError::invalid_grant("User not found"))?;
    sign(identity, client, row.principal, true, Some(claims.sid)).await
}

/// Validates a refresh token presented by `client`, in Keycloak's words when it fails.
fn decode_refresh(
    identity: &Identity,
    client: &Client,
    token: &str,
) -> Result<tokens::Claims, OAuthError> {
    let issuer = identity.issuer();
    let claims = tokens::decode(
        &identity.inner.keys,
        token,
        &issuer,
        &issuer,
        tokens::TYP_REFRESH,
    )
    .map_err(|e| match e {
        AuthError::Expired => OAuthError::invalid_grant("Token is not active"),
        _ => OAuthError::invalid_grant("Invalid refresh token"),
    })?;
    if claims.azp != client.id {
        return Err(OAuthError::invalid_grant(
            "Invalid refresh token. Token client and authorized client don't match",
        ));
    }
    Ok(claims)
}

async fn device_grant(
    identity: &Identity,
    client: &'static Client,
    form: &Form,
) -> Result<TokenSet, OAuthError> {
    let device_code = form.require("device_code")?;
    let sub = identity
        .inner
        .devices
        .poll(device_code, client.id, Instant::now())?;
    let row = find_user(identity, move |c| users::find_by_sub(c, &sub)).await?;
    let row = row.ok_or_else(|| OAuthError::invalid_grant("User not found"))?;
    sign(identity, client, row.principal, true, None).await
}

pub(super) async fn find_user(
    identity: &Identity,
    query: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<Option<UserRow>> + Send + 'static,
) -> Result<Option<UserRow>, OAuthError> {
    identity.inner.db.read(query).await.map_err(db_error)
}

fn db_error(e: crate::server::db::DbError) -> OAuthError {
    tracing::error!(error = %e, "identity database access failed");
    OAuthError::server_error()
}

/// Signs on a blocking thread: an RSA signature takes a millisecond or two.
async fn sign(
    identity: &Identity,
    client: &'static Client,
    who: Principal,
    with_refresh: bool,
    session: Option<String>,
) -> Result<TokenSet, OAuthError> {
    let identity = identity.clone();
    tokio::task::spawn_blocking(move || {
        let lifetimes = read(&identity.inner.lifetimes);
        tokens::issue(
            &identity.inner.keys,
            &identity.issuer(),
            client.id,
            &who,
            lifetimes,
            with_refresh,
            session.as_deref(),
        )
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|signed| signed.map_err(|e| e.to_string()))
    .map_err(|e| {
        tracing::error!(error = %e, "signing a token failed");
        OAuthError::server_error()
    })
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn token_response(set: &TokenSet) -> Response {
    let mut body = json!({
        "access_token": set.access_token,
        "expires_in": set.lifetimes.access.as_secs(),
        "refresh_expires_in": 0,
        "token_type": "Bearer",
        "not-before-policy": 0,
        "session_state": set.session,
        "scope": "openid profile email",
    });
    if let Some(refresh) = &set.refresh_token {
        body["refresh_token"] = refresh.as_str().into();
        body["refresh_expires_in"] = set.lifetimes.refresh.as_secs().into();
    }
    no_store(Json(body).into_response())
}

/// Whole seconds for the wire, rounding a sub-second interval up so it never reads as 0.
fn wire_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `POST /realms/stoa/protocol/openid-connect/auth/device` (RFC 8628 §3.1).
pub(super) async fn device_authorization(
    State(identity): State<Identity>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = (|| {
        let form = Form::parse(&body)?;
        let client = clients::authenticate(&headers, &form, &identity.inner.admin_secret)?;
        if !client.allows(clients::GRANT_DEVICE) {
            return Err(OAuthError::unauthorized_client(format!(
                "Client {} is not allowed to initiate the device authorization grant",
                client.id
            )));
        }
        let timing = read(&identity.inner.device_timing);
        let issued = identity
            .inner
            .devices
            .start(client.id, timing, Instant::now())?;
        tracing::info!(client_id = client.id, "device authorization started");
        Ok(issued)
    })();
    match started {
        Ok(issued) => {
            let page = identity.url("/device");
            let code: String =
                url::form_urlencoded::byte_serialize(issued.user_code.as_bytes()).collect();
            let complete = format!("{page}?user_code={code}");
            no_store(
                Json(json!({
                    "device_code": issued.device_code,
                    "user_code": issued.user_code,
                    "verification_uri": page,
                    "verification_uri_complete": complete,
                    "expires_in": wire_secs(issued.expires_in),
                    "interval": wire_secs(issued.interval),
                }))
                .into_response(),
            )
        }
        Err(e) => e.into_response(),
    }
}

/// `POST /realms/stoa/protocol/openid-connect/logout`: ends the refresh token's session.
pub(super) async fn logout(
    State(identity): State<Identity>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match end_session(&identity, &headers, &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn end_session(
    identity: &Identity,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), OAuthError> {
    let form = Form::parse(body)?;
    let client = clients::authenticate(headers, &form, &identity.inner.admin_secret)?;
    let claims = match decode_refresh(identity, client, form.require("refresh_token")?) {
        Ok(claims) => claims,
        // An expired refresh token has no session left to end.
        Err(e) if e.description == "Token is not active" => return Ok(()),
        Err(e) => return Err(e),
    };
    identity.end_session(claims.sid, claims.exp).await?;
    tracing::info!(client_id = client.id, "session ended by logout");
    Ok(())
}
