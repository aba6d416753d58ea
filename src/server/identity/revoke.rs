//! Token revocation (RFC 7009) and the revoked-session set. Revoking a refresh or an access
//! token ends its whole session (`sid`): refresh tokens of the session stop refreshing and its
//! access tokens stop verifying. The set lives in memory (checked on every bearer check) and in
//! SQLite (so it survives a restart); entries go once every token of the session has expired.

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::clients::{self, Form};
use super::error::{IdentityError, OAuthError};
use super::tokens::{self, TYP_ACCESS, TYP_REFRESH};
use super::{Identity, read, users};

/// Session ids ended before their tokens expired, with when they may be forgotten.
#[derive(Default)]
pub(crate) struct RevokedSessions(RwLock<HashMap<String, i64>>);

impl RevokedSessions {
    /// Reads the persisted set (read-only: the writer owns the file); expired rows are skipped.
    pub fn load(db_file: &Path, now: i64) -> Result<RevokedSessions, IdentityError> {
        let failed = |source: rusqlite::Error| IdentityError::Revocations {
            path: db_file.to_path_buf(),
            source,
        };
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
        let conn = rusqlite::Connection::open_with_flags(db_file, flags).map_err(failed)?;
        let mut stmt = conn
            .prepare("SELECT sid, expires_at FROM revoked_sessions WHERE expires_at >= ?1")
            .map_err(failed)?;
        let rows = stmt
            .query_map([now], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(failed)?;
        let map = rows.collect::<Result<HashMap<_, _>, _>>().map_err(failed)?;
        Ok(RevokedSessions(RwLock::new(map)))
    }

    pub fn contains(&self, sid: &str) -> bool {
        !sid.is_empty()
            && self
                .0
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(sid)
    }

    fn insert(&self, sid: String, until: i64, now: i64) {
        let mut map = self.0.write().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, until| *until >= now);
        map.insert(sid, until);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Identity {
    /// Ends session `sid`, remembered until every token issued in it has expired (none is
    /// issued after this, so the longest lifetime from now bounds them; `exp` is the
    /// presented token's own expiry).
    pub(super) async fn end_session(&self, sid: String, exp: i64) -> Result<(), OAuthError> {
        let now = tokens::now_secs();
        let lifetimes = read(&self.inner.lifetimes);
        let longest = lifetimes.access.max(lifetimes.refresh).as_secs();
        let until = (now + i64::try_from(longest).unwrap_or(i64::MAX / 2)).max(exp);
        let stored = sid.clone();
        self.inner
            .db
            .write(move |tx| users::revoke(tx, &stored, until, now))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "recording a revoked session failed");
                OAuthError::server_error()
            })?;
        self.inner.revoked.insert(sid, until, now);
        Ok(())
    }
}

/// `POST /realms/stoa/protocol/openid-connect/revoke` (RFC 7009 §2): 200 with an empty body
/// whether or not the token was known.
pub(super) async fn revoke(
    State(identity): State<Identity>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match revoke_token(&identity, &headers, &body).await {
        Ok(()) => {
            let mut response = StatusCode::OK.into_response();
            let h = response.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn revoke_token(
    identity: &Identity,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), OAuthError> {
    let form = Form::parse(body)?;
    // Client authentication as on the token endpoint: a secret for the confidential client.
    let client = clients::authenticate(headers, &form, &identity.inner.admin_secret)?;
    let token = form.require("token")?;
    // Only the two registered hints (RFC 7009 §2.1); any other names a type we cannot revoke.
    if let Some(hint) = form.get("token_type_hint")
        && !matches!(hint, "access_token" | "refresh_token")
    {
        return Err(OAuthError::unsupported_token_type());
    }
    let issuer = identity.issuer();
    let Some(claims) = tokens::decode_any(&identity.inner.keys, token, &issuer) else {
        // An invalid or foreign token needs no revocation (RFC 7009 §2.2).
        tracing::info!(
            client_id = client.id,
            "revocation of an unknown token: nothing to do"
        );
        return Ok(());
    };
    let kind = match claims.typ.as_str() {
        TYP_ACCESS => "access",
        TYP_REFRESH => "refresh",
        _ => return Err(OAuthError::unsupported_token_type()),
    };
    // RFC 7009 §2.1: only the client the token was issued to may revoke it.
    if claims.azp != client.id {
        tracing::info!(
            client_id = client.id,
            "revocation refused: the token belongs to another client"
        );
        return Err(OAuthError::invalid_request("Unmatching clients"));
    }
    if claims.sid.is_empty() {
        return Ok(());
    }
    identity.end_session(claims.sid, claims.exp).await?;
    tracing::info!(
        client_id = client.id,
        user = %claims.preferred_username,
        token = kind,
        "session revoked"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_forgets_sessions_past_their_tokens() {
        let set = RevokedSessions::default();
        set.insert("old".into(), 10, 0);
        assert!(set.contains("old"));
        set.insert("new".into(), 100, 50);
        assert!(!set.contains("old") && set.contains("new"));
        assert_eq!(set.len(), 1);
        assert!(
            !set.contains(""),
            "tokens without a session are never revoked"
        );
    }
}
