//! Signed tokens: the claims we issue (Keycloak's shape), issuing access/refresh pairs, and
//! validating bearer tokens with a small cache (verify runs on every API request).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::AuthError;
use super::keys::SigningKeys;
use super::users::Principal;
use crate::domain::Role;

/// The audience of access tokens: the control-plane API, as in the real realm.
pub const AUDIENCE: &str = "control-plane-api";
pub const TYP_ACCESS: &str = "Bearer";
pub const TYP_REFRESH: &str = "Refresh";
/// Clock skew tolerated on `nbf`: a token issued by a host whose clock runs a little ahead
/// still works, one "not before" minutes from now does not.
pub const NBF_LEEWAY_SECS: i64 = 30;
const SCOPE: &str = "openid profile email";

#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    pub access: Duration,
    pub refresh: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            access: Duration::from_secs(5 * 60),
            refresh: Duration::from_secs(8 * 60 * 60),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct RealmAccess {
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Claims as issued. Decoding is lenient (every field defaults) so that a foreign token fails
/// on the check that matters (audience, issuer, expiry) with that check's message.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Claims {
    pub iss: String,
    pub aud: serde_json::Value,
    pub sub: String,
    pub typ: String,
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    /// Not issued by us, but honoured when present (RFC 7519 §4.1.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub jti: String,
    pub sid: String,
    pub scope: String,
    pub preferred_username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub realm_access: RealmAccess,
    /// A string in our tokens; the real realm sometimes sends a list (first element wins).
    pub tenant_id: serde_json::Value,
}

impl Claims {
    pub fn principal(&self) -> Principal {
        let tenant_id = match &self.tenant_id {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(items) => {
                items.first().and_then(|v| v.as_str()).map(str::to_string)
            }
            _ => None,
        };
        Principal {
            sub: self.sub.clone(),
            username: self.preferred_username.clone(),
            email: self.email.clone(),
            roles: self
                .realm_access
                .roles
                .iter()
                .map(|r| Role::parse(r))
                .collect(),
            tenant_id,
        }
    }
}

/// An issued access token, with its refresh token when the grant gives one.
pub(crate) struct TokenSet {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub lifetimes: Lifetimes,
    pub session: String,
}

pub(crate) fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}

/// Signs an access token (and a refresh token when `with_refresh`) for `who`, in `session`
/// or a new one.
pub(crate) fn issue(
    keys: &SigningKeys,
    issuer: &str,
    client_id: &str,
    who: &Principal,
    lifetimes: Lifetimes,
    with_refresh: bool,
    session: Option<&str>,
) -> jsonwebtoken::errors::Result<TokenSet> {
    let now = now_secs();
    // A refresh keeps its session, so a logout ends every token refreshed from it.
    let session = session.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
    let base = Claims {
        iss: issuer.to_string(),
        aud: AUDIENCE.into(),
        sub: who.sub.clone(),
        typ: TYP_ACCESS.into(),
        azp: client_id.to_string(),
        exp: now + secs(lifetimes.access),
        iat: now,
        nbf: None,
        jti: uuid::Uuid::new_v4().to_string(),
        sid: session.clone(),
        scope: SCOPE.into(),
        preferred_username: who.username.clone(),
        email: who.email.clone(),
        realm_access: RealmAccess {
            roles: who.roles.iter().map(|r| r.as_str().to_string()).collect(),
        },
        tenant_id: who
            .tenant_id
            .clone()
            .map_or(serde_json::Value::Null, Into::into),
    };
    let access_token = sign(keys, &base)?;
    let refresh_token = if with_refresh {
        // Keycloak's refresh tokens are addressed to the realm itself, so they can never
        // pass as access tokens for the API.
        let refresh = Claims {
            aud: issuer.into(),
            typ: TYP_REFRESH.into(),
            exp: now + secs(lifetimes.refresh),
            jti: uuid::Uuid::new_v4().to_string(),
            ..base
        };
        Some(sign(keys, &refresh)?)
    } else {
        None
    };
    Ok(TokenSet {
        access_token,
        refresh_token,
        lifetimes,
        session,
    })
}

fn sign(keys: &SigningKeys, claims: &Claims) -> jsonwebtoken::errors::Result<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(keys.kid.clone());
    header.typ = Some("JWT".into());
    jsonwebtoken::encode(&header, claims, &keys.encoding)
}

/// Validates signature, issuer, audience, expiry and `typ`, mapping each failure to the
/// wording of the real control plane.
pub(crate) fn decode(
    keys: &SigningKeys,
    token: &str,
    issuer: &str,
    audience: &str,
    typ: &str,
) -> Result<Claims, AuthError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 0;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data =
        jsonwebtoken::decode::<Claims>(token, &keys.decoding, &validation).map_err(|e| match e
            .kind()
        {
            ErrorKind::InvalidToken => AuthError::Malformed,
            ErrorKind::Base64(_) | ErrorKind::Utf8(_) if head_decodes(token) => {
                AuthError::BadSignature
            }
            ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => AuthError::BadSignature,
            ErrorKind::ExpiredSignature => AuthError::Expired,
            ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
            ErrorKind::InvalidAudience => AuthError::WrongAudience {
                found: audience_of(token),
                expected: audience.to_string(),
            },
            _ => AuthError::BadClaims,
        })?;
    let claims = data.claims;
    // Checked here rather than by jsonwebtoken, whose one leeway would also stretch `exp`.
    if claims
        .nbf
        .is_some_and(|nbf| nbf > now_secs() + NBF_LEEWAY_SECS)
    {
        return Err(AuthError::NotYetValid);
    }
    if claims.typ != typ {
        return Err(AuthError::WrongType);
    }
    if claims.sub.is_empty() || claims.preferred_username.is_empty() {
        return Err(AuthError::BadClaims);
    }
    Ok(claims)
}

/// A token we signed for this issuer, of any type and expired or not (revocation wants the
/// session of any token it is shown); `None` for anything else.
pub(crate) fn decode_any(keys: &SigningKeys, token: &str, issuer: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.set_issuer(&[issuer]);
    // Access tokens are for the API, refresh tokens for the realm itself.
    validation.set_audience(&[AUDIENCE, issuer]);
    validation.set_required_spec_claims(&["iss", "aud", "sub"]);
    jsonwebtoken::decode::<Claims>(token, &keys.decoding, &validation)
        .ok()
        .map(|data| data.claims)
}

/// True when header and payload are valid base64url, so a decoding error was the signature's.
fn head_decodes(token: &str) -> bool {
    use base64::Engine;
    token.split('.').take(2).all(|part| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .is_ok()
    })
}

/// The `aud` of a token whose signature was already verified, as Python prints a list.
fn audience_of(token: &str) -> String {
    #[derive(Deserialize)]
    struct Aud {
        #[serde(default)]
        aud: serde_json::Value,
    }
    let found: Vec<String> =
        match jsonwebtoken::dangerous::insecure_decode::<Aud>(token).map(|d| d.claims.aud) {
            Ok(serde_json::Value::String(s)) => vec![s],
            Ok(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
    let quoted: Vec<String> = found.iter().take(8).map(|a| format!("'{a}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// A verified token's principal, expiry (seconds since the epoch) and session id (checked
/// against revocations on every hit).
type CacheEntry = (Arc<Principal>, i64, Arc<str>);

/// Verified tokens by sha256, until their expiry. Bounded: when full, expired entries go,
/// and if that frees nothing the cache starts over (a miss only costs one RSA verify).
pub(crate) struct VerifyCache {
    entries: RwLock<HashMap<[u8; 32], CacheEntry>>,
    capacity: usize,
}

impl VerifyCache {
    pub fn new(capacity: usize) -> Self {
        VerifyCache {
            entries: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    pub fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The principal and session of a cached, unexpired token.
    pub fn get(&self, key: &[u8; 32], now: i64) -> Option<(Arc<Principal>, Arc<str>)> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(_, exp, _)| now <= *exp)
            .map(|(p, _, sid)| (p.clone(), sid.clone()))
    }

    pub fn insert(&self, key: [u8; 32], entry: CacheEntry, now: i64) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity {
            entries.retain(|_, (_, e, _)| now <= *e);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, entry);
    }

    pub fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(name: &str) -> Arc<Principal> {
        Arc::new(Principal {
            sub: format!("sub-{name}"),
            username: name.into(),
            email: None,
            roles: vec![Role::Viewer],
            tenant_id: None,
        })
    }

    #[test]
    fn cache_answers_until_expiry_and_stays_bounded() {
        let cache = VerifyCache::new(2);
        let (a, b, c) = (
            VerifyCache::key("a"),
            VerifyCache::key("b"),
            VerifyCache::key("c"),
        );
        cache.insert(a, (principal("a"), 100, "s".into()), 0);
        assert_eq!(
            cache.get(&a, 100).map(|(p, _)| p.username.clone()),
            Some("a".into())
        );
        assert!(
            cache.get(&a, 101).is_none(),
            "expired entries are not answered"
        );
        cache.insert(b, (principal("b"), 10, "s".into()), 0);
        // Full: b has expired by now=50, so it goes and a stays.
        cache.insert(c, (principal("c"), 100, "s".into()), 50);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&a, 50).is_some() && cache.get(&c, 50).is_some());
        assert!(cache.get(&b, 5).is_none());
    }

    #[test]
    fn claims_read_a_tenant_list_like_the_real_realm() {
        let claims = Claims {
            tenant_id: serde_json::json!(["acme", "globex"]),
            realm_access: RealmAccess {
                roles: vec!["devops".into(), "offline_access".into()],
            },
            ..Claims::default()
        };
        let p = claims.principal();
        assert_eq!(p.tenant_id.as_deref(), Some("acme"));
        assert_eq!(p.roles[0], Role::Devops);
    }
}
