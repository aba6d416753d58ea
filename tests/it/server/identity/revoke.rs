//! Token revocation (RFC 7009): advertised by discovery; a revoked refresh or access token ends
//! its session, so neither its refresh tokens nor its access tokens work any more, also after
//! a restart; unknown tokens are 200; client authentication and the client binding hold.

use reqwest::StatusCode;
use serde_json::Value;

use super::{Idp, TOKEN_PATH, idp, idp_in};

pub const REVOKE_PATH: &str = "/realms/stoa/protocol/openid-connect/revoke";

pub async fn revoke(idp: &Idp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    idp.post_form(REVOKE_PATH, form).await
}

async fn refreshes(idp: &Idp, refresh_token: &str, client: &[(&str, &str)]) -> StatusCode {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    form.extend_from_slice(client);
    idp.post_form(TOKEN_PATH, &form).await.0
}

fn pair(tokens: &Value) -> (String, String) {
    let get = |k: &str| tokens[k].as_str().expect("token").to_string();
    (get("access_token"), get("refresh_token"))
}

fn admin_secret(idp: &Idp) -> String {
    std::fs::read_to_string(idp.identity.client_secret_path())
        .expect("secret")
        .trim()
        .to_string()
}

#[tokio::test]
async fn discovery_advertises_the_revocation_endpoint() {
    let idp = idp().await;
    let conf: Value = idp
        .http
        .get(format!("{}/.well-known/openid-configuration", idp.issuer()))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(
        conf["revocation_endpoint"],
        format!("{}{REVOKE_PATH}", idp.url)
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_session_across_a_restart() {
    let idp = idp().await;
    let (access, first) = pair(&idp.tokens("dave").await);
    let (status, renewed) = idp
        .post_form(
            TOKEN_PATH,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", first.as_str()),
                ("client_id", "stoactl"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (renewed_access, second) = pair(&renewed);
    // Another session of the same user is not touched.
    let (other_access, other_refresh) = pair(&idp.tokens("dave").await);
    assert_eq!(idp.me(Some(&access)).await.0, StatusCode::OK, "cached");

    let (status, body) = revoke(
        &idp,
        &[
            ("token", first.as_str()),
            ("token_type_hint", "refresh_token"),
            ("client_id", "stoactl"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for token in [&access, &renewed_access] {
        let (status, body, _) = idp.me(Some(token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["detail"], "Invalid token: Session not active");
    }
    let public = [("client_id", "stoactl")];
    for token in [&first, &second] {
        assert_eq!(
            refreshes(&idp, token, &public).await,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(idp.me(Some(&other_access)).await.0, StatusCode::OK);
    assert_eq!(
        refreshes(&idp, &other_refresh, &public).await,
        StatusCode::OK
    );
    // Revoking again, or a token of the ended session, is still 200.
    let (status, _) = revoke(
        &idp,
        &[("token", second.as_str()), ("client_id", "stoactl")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (dir, addr) = idp.stop().await;
    let idp = idp_in(dir, addr).await;
    assert_eq!(idp.me(Some(&access)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refreshes(&idp, &second, &public).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(idp.me(Some(&other_access)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn revoking_an_access_token_ends_its_session_too() {
    let idp = idp().await;
    let (access, refresh) = pair(&idp.tokens("dave").await);
    // No hint: the server finds the type itself.
    let (status, _) = revoke(
        &idp,
        &[("token", access.as_str()), ("client_id", "stoactl")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(idp.me(Some(&access)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refreshes(&idp, &refresh, &[("client_id", "stoactl")]).await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn unknown_tokens_are_200_and_malformed_requests_400() {
    let idp = idp().await;
    let public = ("client_id", "stoactl");
    // Not a token, a malformed one, an expired one: 200 all the same.
    let mut expired = idp.dave_claims().await;
    expired["exp"] = (chrono::Utc::now().timestamp() - 60).into();
    let expired = idp.sign(&expired);
    for token in ["not-a-token", "a.b.c", expired.as_str()] {
        let (status, body) = revoke(&idp, &[("token", token), public]).await;
        assert_eq!(status, StatusCode::OK, "{token}: {body}");
    }
    let (status, body) = revoke(&idp, &[public]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, body) = revoke(&idp, &[("token", "x"), ("token", "y"), public]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (access, _) = pair(&idp.tokens("dave").await);
    let (status, body) = revoke(
        &idp,
        &[
            ("token", access.as_str()),
            ("token_type_hint", "id_token"),
            public,
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_token_type"))
    );
    assert_eq!(idp.me(Some(&access)).await.0, StatusCode::OK, "not revoked");
}

#[tokio::test]
async fn client_authentication_and_the_client_binding_are_enforced() {
    let idp = idp().await;
    let secret = admin_secret(&idp);
    // ada signs in through the confidential client.
    let (status, body) = idp
        .post_form(
            TOKEN_PATH,
            &[
                ("grant_type", "password"),
                ("client_id", "stoactl-admin"),
                ("client_secret", secret.as_str()),
                ("username", "ada"),
                ("password", "demo"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (access, refresh) = pair(&body);

    for bad in [
        vec![("client_id", "stoactl-admin"), ("client_secret", "wrong")],
        vec![("client_id", "stoactl-admin")],
        vec![("client_id", "someone-else")],
    ] {
        let mut form = vec![("token", refresh.as_str())];
        form.extend(bad.iter().copied());
        let (status, body) = revoke(&idp, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client")),
            "{bad:?}"
        );
    }
    let (status, body) = revoke(&idp, &[("token", refresh.as_str())]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    // The public client may not revoke the confidential client's token (RFC 7009 §2.1).
    let (status, body) = revoke(
        &idp,
        &[("token", refresh.as_str()), ("client_id", "stoactl")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    assert_eq!(
        idp.me(Some(&access)).await.0,
        StatusCode::OK,
        "still signed in"
    );

    // Its own client, authenticated with HTTP Basic, may.
    let resp = idp
        .http
        .post(format!("{}{REVOKE_PATH}", idp.url))
        .basic_auth("stoactl-admin", Some(&secret))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(idp.me(Some(&access)).await.0, StatusCode::UNAUTHORIZED);
}
