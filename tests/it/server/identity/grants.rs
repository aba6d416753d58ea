//! Discovery, JWKS and the password, refresh_token and client_credentials grants.

use base64::Engine;
use reqwest::StatusCode;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::Value;

use super::{Idp, TOKEN_PATH, claims_of, idp};

#[tokio::test]
async fn discovery_and_jwks_verify_a_password_grant_token() {
    let idp = idp().await;
    let issuer = idp.issuer();
    let conf: Value = idp
        .http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("discovery json");
    assert_eq!(conf["issuer"], issuer.as_str());
    assert_eq!(conf["token_endpoint"], format!("{}{TOKEN_PATH}", idp.url));
    assert_eq!(
        conf["device_authorization_endpoint"],
        format!("{issuer}/protocol/openid-connect/auth/device")
    );
    let grants = conf["grant_types_supported"].as_array().expect("grants");
    for grant in [
        "password",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        assert!(grants.iter().any(|g| g == grant), "{grant} advertised");
    }
    let jwks_uri = conf["jwks_uri"].as_str().expect("jwks_uri");
    let jwks: Value = idp
        .http
        .get(jwks_uri)
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks json");
    let key = &jwks["keys"][0];
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );

    let tokens = idp.tokens("dave").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 300);
    assert_eq!(tokens["refresh_expires_in"], 8 * 3600);
    let access = tokens["access_token"].as_str().expect("access token");
    let header = jsonwebtoken::decode_header(access).expect("header");
    assert_eq!(
        header.kid.as_deref(),
        key["kid"].as_str(),
        "kid names the JWKS key"
    );
    // A third party verifies the token with nothing but the JWKS.
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().expect("n"),
        key["e"].as_str().expect("e"),
    )
    .expect("jwk");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["control-plane-api"]);
    validation.set_issuer(&[issuer.as_str()]);
    let claims = jsonwebtoken::decode::<Value>(access, &decoding, &validation)
        .expect("token verifies against the JWKS")
        .claims;
    assert_eq!(claims["preferred_username"], "dave");
    assert_eq!(claims["email"], "dave@example.test");
    assert_eq!(
        claims["realm_access"]["roles"],
        serde_json::json!(["devops"])
    );
    assert_eq!(claims["tenant_id"], "acme");
    assert_eq!(
        (claims["typ"].as_str(), claims["azp"].as_str()),
        (Some("Bearer"), Some("stoactl"))
    );
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        300
    );
    assert!(uuid::Uuid::parse_str(claims["sub"].as_str().expect("sub")).is_ok());

    // Keycloak's realm info carries the same key as SubjectPublicKeyInfo.
    let realm: Value = idp
        .http
        .get(&issuer)
        .send()
        .await
        .expect("realm")
        .json()
        .await
        .expect("realm json");
    let spki = base64::engine::general_purpose::STANDARD
        .decode(realm["public_key"].as_str().expect("public_key"))
        .expect("base64");
    let public = rsa::RsaPublicKey::from_public_key_der(&spki).expect("SPKI");
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
    assert_eq!(key["n"].as_str(), Some(n.as_str()));

    let (status, me, _) = idp.me(Some(access)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (me["username"].as_str(), me["tenant_id"].as_str()),
        (Some("dave"), Some("acme"))
    );
    assert!(
        me["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .any(|p| p == "apis:promote")
    );
}

/// A token request's form, the expected status and the expected OAuth2 error.
type Case<'a> = (&'a [(&'a str, &'a str)], StatusCode, &'a str);

#[tokio::test]
async fn password_grant_refuses_wrong_credentials_and_bad_requests() {
    let idp = idp().await;
    for (user, password) in [("dave", "wrong"), ("nobody", "demo")] {
        let (status, body) = idp.password_grant(user, password).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{user}");
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(body["error_description"], "Invalid user credentials");
    }
    let cases: &[Case<'_>] = &[
        (
            &[
                ("grant_type", "password"),
                ("client_id", "stoactl"),
                ("username", "dave"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            &[("grant_type", "implicit"), ("client_id", "stoactl")],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            &[("client_id", "stoactl")],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", "evil"),
                ("username", "dave"),
                ("password", "demo"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "stoactl"),
            ],
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
        ),
    ];
    for (form, status, error) in cases {
        let (got, body) = idp.post_form(TOKEN_PATH, form).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (*status, Some(*error)),
            "{form:?}"
        );
    }
}

async fn refresh(idp: &Idp, token: &str, extra: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    if extra.is_empty() {
        form.push(("client_id", "stoactl"));
    }
    form.extend_from_slice(extra);
    idp.post_form(TOKEN_PATH, &form).await
}

#[tokio::test]
async fn refresh_rereads_roles_and_stops_for_deleted_users() {
    let idp = idp().await;
    let tokens = idp.tokens("dave").await;
    let refresh_token = tokens["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    assert_eq!(claims_of(&refresh_token)["typ"], "Refresh");
    // A refresh token is no access token.
    let (status, body, _) = idp.me(Some(&refresh_token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    idp.db
        .write(|tx| {
            tx.execute(
                "UPDATE users SET roles = '[\"tenant-admin\"]' WHERE username = 'dave'",
                [],
            )
        })
        .await
        .expect("promote dave");
    let (status, renewed) = refresh(&idp, &refresh_token, &[]).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let access = renewed["access_token"].as_str().expect("access");
    assert_eq!(
        claims_of(access)["realm_access"]["roles"],
        serde_json::json!(["tenant-admin"])
    );
    assert_eq!(idp.me(Some(access)).await.0, StatusCode::OK);
    assert!(renewed["refresh_token"].is_string());

    // Another client may not use dave's refresh token.
    let secret = std::fs::read_to_string(idp.identity.client_secret_path()).expect("secret");
    let (status, body) = refresh(
        &idp,
        &refresh_token,
        &[
            ("client_id", "stoactl-admin"),
            ("client_secret", secret.trim()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    idp.db
        .write(|tx| tx.execute("DELETE FROM users WHERE username = 'dave'", []))
        .await
        .expect("delete dave");
    let (status, body) = refresh(&idp, &refresh_token, &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn expired_or_forged_refresh_tokens_are_refused() {
    let idp = idp().await;
    let mut claims = idp.dave_claims().await;
    claims["typ"] = "Refresh".into();
    claims["aud"] = idp.issuer().into();
    let now = chrono::Utc::now().timestamp();
    claims["exp"] = (now - 10).into();
    let (status, body) = refresh(&idp, &idp.sign(&claims), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        (body["error"].as_str(), body["error_description"].as_str()),
        (Some("invalid_grant"), Some("Token is not active"))
    );

    claims["exp"] = (now + 60).into();
    let (status, body) = refresh(&idp, &idp.sign(&claims), &[]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a well-formed refresh token works: {body}"
    );
    let (status, body) = refresh(&idp, "not.a.token", &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn logout_ends_the_session_of_a_refresh_token() {
    let idp = idp().await;
    let tokens = idp.tokens("dave").await;
    let first = tokens["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let (status, renewed) = refresh(&idp, &first, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let second = renewed["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let resp = idp
        .http
        .post(format!(
            "{}/realms/stoa/protocol/openid-connect/logout",
            idp.url
        ))
        .form(&[("client_id", "stoactl"), ("refresh_token", second.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for token in [&first, &second] {
        let (status, body) = refresh(&idp, token, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error_description"], "Session not active");
    }
}

#[tokio::test]
async fn client_credentials_act_as_a_cpi_admin_service_account() {
    let idp = idp().await;
    let path = idp.identity.client_secret_path().to_path_buf();
    assert_eq!(path, idp.dir.path().join("stoactl-admin.secret"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("secret file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let secret = std::fs::read_to_string(&path)
        .expect("secret")
        .trim()
        .to_string();
    assert!(secret.len() >= 32);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "stoactl-admin"),
        ("client_secret", secret.as_str()),
    ];
    let (status, body) = idp.post_form(TOKEN_PATH, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token for a service account"
    );
    let access = body["access_token"].as_str().expect("access");
    let (status, me, _) = idp.me(Some(access)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "service-account-stoactl-admin");
    assert_eq!(me["roles"], serde_json::json!(["cpi-admin"]));

    // HTTP Basic client authentication works too.
    let resp = idp
        .http
        .post(format!("{}{TOKEN_PATH}", idp.url))
        .basic_auth("stoactl-admin", Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("basic");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );

    let (status, body) = idp
        .post_form(
            TOKEN_PATH,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "stoactl-admin"),
                ("client_secret", "guess"),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
}

#[tokio::test]
async fn token_lifetimes_are_configurable() {
    let idp = idp().await;
    idp.identity.set_token_lifetimes(
        std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(120),
    );
    let tokens = idp.tokens("ada").await;
    assert_eq!(
        (
            tokens["expires_in"].as_u64(),
            tokens["refresh_expires_in"].as_u64()
        ),
        (Some(60), Some(120))
    );
    let access = claims_of(tokens["access_token"].as_str().expect("access"));
    let refresh = claims_of(tokens["refresh_token"].as_str().expect("refresh"));
    let iat = access["iat"].as_i64().expect("iat");
    assert_eq!(access["exp"].as_i64(), Some(iat + 60));
    assert_eq!(
        refresh["exp"].as_i64(),
        Some(refresh["iat"].as_i64().expect("iat") + 120)
    );
    assert_eq!(access["tenant_id"], Value::Null, "ada belongs to no tenant");
}
