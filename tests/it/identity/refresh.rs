//! Tokens refreshed on a 401 (once) and before they expire, the new ones persisted; an expired
//! or refused refresh token asks for a new login.

use std::sync::Arc;
use std::time::Duration;

use envdeck::api::Client;
use envdeck::auth::{AuthError, Credentials, IdentityConfig, Session, password_grant};
use envdeck::secret::Secret;
use envdeck::server::Seed;
use envdeck::store::{FileTokenStore, StoredTokens, TokenStore};
use envdeck::wire::Timestamp;

use super::{Plane, plane};

struct Setup {
    plane: Plane,
    store: Arc<FileTokenStore>,
    session: Arc<Session>,
    _state: tempfile::TempDir,
}

async fn setup(plane: Plane) -> Setup {
    envdeck::net::install_crypto_provider();
    let state = tempfile::tempdir().expect("state dir");
    let store = Arc::new(FileTokenStore::new(state.path()));
    let session = Arc::new(Session::new(
        "team",
        IdentityConfig {
            base: plane.url.clone(),
            realm: "stoa".into(),
            client_id: "stoactl".into(),
        },
        Credentials::Stored,
        store.clone(),
        reqwest::Client::new(),
    ));
    Setup {
        plane,
        store,
        session,
        _state: state,
    }
}

impl Setup {
    /// Signs dave in and stores his tokens with the access token replaced by `access`.
    async fn stored_login(&self, access: &str, expires_at: Option<Timestamp>) -> Secret {
        let provider = self.session.provider().await.expect("discovery");
        let tokens = password_grant(
            &reqwest::Client::new(),
            &provider.token_endpoint,
            "stoactl",
            "dave",
            &Secret::new("demo"),
        )
        .await
        .expect("password grant");
        let refresh = tokens.refresh_token.clone().expect("refresh token");
        self.store
            .save(
                "team",
                &StoredTokens {
                    access_token: Secret::new(access),
                    refresh_token: Some(refresh.clone()),
                    expires_at,
                },
            )
            .expect("save");
        refresh
    }

    fn client(&self, access: &str) -> Client {
        let client =
            Client::new(&self.plane.url, "acme", Some(Secret::new(access))).expect("client");
        client.set_token_refresher(Some(self.session.refresher()));
        client
    }

    fn stored_access(&self) -> String {
        self.store
            .load("team")
            .expect("load")
            .expect("tokens")
            .access_token
            .expose()
            .to_string()
    }
}

#[tokio::test]
async fn a_401_refreshes_once_and_the_new_tokens_are_kept() {
    let s = setup(plane(Seed::None).await).await;
    s.stored_login("stale-token", None).await;
    let me = s
        .client("stale-token")
        .me()
        .await
        .expect("me after a refresh");
    assert_eq!(me.username, "dave");
    let stored = s.stored_access();
    assert_ne!(stored, "stale-token");
    assert!(s.store.load("team").unwrap().unwrap().expires_at.is_some());
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_use() {
    let s = setup(plane(Seed::None).await).await;
    let almost = Timestamp(chrono::Utc::now() + chrono::Duration::seconds(5));
    s.stored_login("about-to-expire", Some(almost)).await;
    let token = s
        .session
        .access_token()
        .await
        .expect("access token")
        .expect("signed in");
    assert_ne!(token.expose(), "about-to-expire");
    assert_eq!(s.stored_access(), token.expose());
}

#[tokio::test]
async fn an_expired_refresh_token_asks_for_a_new_login() {
    let s = setup(plane(Seed::None).await).await;
    s.plane
        .identity
        .set_token_lifetimes(Duration::from_secs(300), Duration::from_secs(1));
    s.stored_login("stale-token", None).await;
    // Let the refresh token's one second run out (whole seconds in `exp`).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let err = s
        .session
        .refresh()
        .await
        .expect_err("expired refresh token");
    assert!(matches!(err, AuthError::LoginRequired(_)), "{err}");
    assert!(err.to_string().contains("envdeck login"), "{err}");
    let refused = s.client("stale-token").me().await.expect_err("401");
    assert_eq!((refused.status(), refused.exit_code()), (Some(401), 3));
}

#[tokio::test]
async fn a_refused_refresh_token_or_none_at_all_means_login() {
    let s = setup(plane(Seed::None).await).await;
    s.store
        .save(
            "team",
            &StoredTokens {
                access_token: Secret::new("stale-token"),
                refresh_token: Some(Secret::new("not-a-refresh-token")),
                expires_at: None,
            },
        )
        .expect("save");
    let err = s.session.refresh().await.expect_err("refused");
    assert!(matches!(err, AuthError::LoginRequired(_)), "{err}");
    s.store.remove("team").expect("remove");
    assert!(s.session.access_token().await.expect("no error").is_none());
    let err = s.session.refresh().await.expect_err("nothing stored");
    assert!(matches!(err, AuthError::LoginRequired(_)), "{err}");
}
