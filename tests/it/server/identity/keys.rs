//! The signing key: created once with mode 0600, reused after a restart (so tokens issued
//! before it still verify), and a corrupt key file is reported by name and left alone.

use envdeck::server::identity::{Identity, IdentityError, KEY_FILE};
use reqwest::StatusCode;
use serde_json::Value;

use super::{idp, idp_in};

async fn kid(idp: &super::Idp) -> String {
    let jwks: Value = idp
        .http
        .get(format!("{}/protocol/openid-connect/certs", idp.issuer()))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks json");
    jwks["keys"][0]["kid"].as_str().expect("kid").to_string()
}

#[tokio::test]
async fn key_file_is_private_and_survives_a_restart() {
    let idp = idp().await;
    let key_path = idp.dir.path().join(KEY_FILE);
    let pem = std::fs::read_to_string(&key_path).expect("key file");
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = kid(&idp).await;
    let tokens = idp.tokens("dave").await;
    let access = tokens["access_token"].as_str().expect("access").to_string();
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();

    let (dir, addr) = idp.stop().await;
    // Same data dir and address: the issuer and the key are the same as before.
    let idp = idp_in(dir, addr).await;
    assert_eq!(kid(&idp).await, before);
    assert_eq!(
        std::fs::read_to_string(&key_path).expect("key file"),
        pem,
        "never rewritten"
    );
    let (status, me, _) = idp.me(Some(&access)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "dave");
    let (status, body) = idp
        .post_form(
            super::TOKEN_PATH,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "stoactl"),
                ("refresh_token", refresh.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_corrupt_key_file_is_named_and_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key_path = dir.path().join(KEY_FILE);
    std::fs::write(&key_path, "-----BEGIN PRIVATE KEY-----\nnot a key\n").expect("write");
    let path = dir.path().to_path_buf();
    let result = tokio::task::spawn_blocking(move || {
        let db = envdeck::server::open_database(&path, false).expect("database");
        Identity::load_or_create(&path, db)
    })
    .await
    .expect("task");
    let err = result.expect_err("a corrupt key is refused");
    assert!(matches!(err, IdentityError::KeyCorrupt { .. }));
    assert!(
        err.to_string().contains(&key_path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&key_path).expect("still there"),
        "-----BEGIN PRIVATE KEY-----\nnot a key\n"
    );
}
