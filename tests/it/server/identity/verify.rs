//! Bearer verification: each rejection has the real control plane's 401 body and
//! `WWW-Authenticate: Bearer`, on the identity harness and on the full server.

use envdeck::server::Seed;
use reqwest::StatusCode;
use serde_json::Value;

use super::idp;

#[tokio::test]
async fn verify_rejects_each_bad_token_with_its_own_401() {
    let idp = idp().await;
    let good = idp.tokens("dave").await["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    let claims = idp.dave_claims().await;

    // Changing the payload keeps the old signature, which no longer matches.
    let parts: Vec<&str> = good.split('.').collect();
    let mut forged_claims = super::claims_of(&good);
    forged_claims["realm_access"]["roles"] = serde_json::json!(["cpi-admin"]);
    let payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        forged_claims.to_string(),
    );
    let forged = format!("{}.{payload}.{}", parts[0], parts[2]);

    let mut expired = claims.clone();
    let now = chrono::Utc::now().timestamp();
    expired["iat"] = (now - 600).into();
    expired["exp"] = (now - 300).into();
    let mut other_audience = claims.clone();
    other_audience["aud"] = "some-other-api".into();
    let mut other_issuer = claims.clone();
    other_issuer["iss"] = "http://elsewhere.test/realms/stoa".into();

    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "Not authenticated"),
        (
            Some(forged),
            "Invalid token: Signature verification failed.",
        ),
        (
            Some(idp.sign(&expired)),
            "Invalid token: Signature has expired.",
        ),
        (
            Some(idp.sign(&other_audience)),
            "Invalid token: Invalid audience: ['some-other-api']. Expected: ['control-plane-api']",
        ),
        (
            Some(idp.sign(&other_issuer)),
            "Invalid token: Invalid issuer",
        ),
        (Some("garbage".into()), "Invalid token: Not enough segments"),
    ];
    for (token, detail) in cases {
        let (status, body, challenge) = idp.me(token.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{detail}");
        assert_eq!(body["detail"], detail);
        assert_eq!(challenge.as_deref(), Some("Bearer"));
    }
    // The crafted claims themselves are fine: only the changed field made them fail.
    assert_eq!(idp.me(Some(&idp.sign(&claims))).await.0, StatusCode::OK);
    // A cached good token keeps working, and the server never echoes it.
    for _ in 0..3 {
        let (status, body, _) = idp.me(Some(&good)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.to_string().contains(&good));
    }
}

#[tokio::test]
async fn the_full_server_checks_tokens_on_api_routes() {
    let srv = super::super::start(Seed::None).await;
    let url = srv.server.url().to_string();
    let me = |token: Option<String>| {
        let mut req = srv.http.get(format!("{url}/v1/me"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let resp = me(None).await.expect("me");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        resp.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["detail"], "Not authenticated");

    let token = super::super::token(&srv.http, &url, "ada").await;
    let resp = me(Some(token.clone())).await.expect("me");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["username"], "ada");

    let tampered = format!("{token}x");
    let body: Value = me(Some(tampered))
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["detail"],
        "Invalid token: Signature verification failed."
    );
}
