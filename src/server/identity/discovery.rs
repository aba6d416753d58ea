//! Public, unauthenticated realm metadata: OIDC discovery, the JWKS, and Keycloak's realm
//! info (whose `public_key` the real control plane reads to verify tokens).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::Identity;
use super::clients::ALL_GRANTS;

/// `GET /realms/stoa/.well-known/openid-configuration`. The authorization-code flow is not
/// offered, so no `authorization_endpoint` is advertised.
pub(super) async fn openid_configuration(State(identity): State<Identity>) -> Json<Value> {
    Json(json!({
        "issuer": identity.issuer(),
        "token_endpoint": identity.url("/protocol/openid-connect/token"),
        "jwks_uri": identity.url("/protocol/openid-connect/certs"),
        "device_authorization_endpoint": identity.url("/protocol/openid-connect/auth/device"),
        "end_session_endpoint": identity.url("/protocol/openid-connect/logout"),
        "revocation_endpoint": identity.url("/protocol/openid-connect/revoke"),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "grant_types_supported": ALL_GRANTS,
        "response_types_supported": ["none"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": ["openid", "profile", "email"],
        "claims_supported": [
            "iss", "aud", "sub", "exp", "iat", "azp", "typ",
            "preferred_username", "email", "realm_access", "tenant_id"
        ],
    }))
}

/// `GET /realms/stoa/protocol/openid-connect/certs`.
pub(super) async fn jwks(State(identity): State<Identity>) -> Json<Value> {
    Json(json!({ "keys": [identity.inner.keys.jwk()] }))
}

/// `GET /realms/stoa`, as Keycloak answers it.
pub(super) async fn realm_info(State(identity): State<Identity>) -> Json<Value> {
    Json(json!({
        "realm": "stoa",
        "public_key": identity.inner.keys.public_key,
        "token-service": identity.url("/protocol/openid-connect"),
        "account-service": identity.url("/account"),
        "tokens-not-before": 0,
    }))
}
