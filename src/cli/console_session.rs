//! The console's session supervisor: keeps tokens fresh before they expire, and when a
//! refresh fails (on a 401 or before expiry) runs a device login whose URL and code the
//! console shows in a popup; the new tokens are stored and handed to the client.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::Client;
use crate::app::session::{SignIn, SignInWatch};
use crate::auth::{AuthError, Credentials, Session, device_login};

/// Starts the supervisor; abort the handle when the console ends.
pub fn spawn(session: Arc<Session>, client: Client) -> (JoinHandle<()>, SignInWatch) {
    let (tx, rx) = watch::channel(SignIn::SignedIn);
    let task = tokio::spawn(supervise(session, client, tx));
    (task, rx)
}

async fn supervise(session: Arc<Session>, client: Client, tx: watch::Sender<SignIn>) {
    loop {
        tokio::select! {
            _ = session.clone().keep_fresh(client.clone()) => {}
            _ = session.login_needed() => {}
        }
        loop {
            match sign_in_again(&session, &client, &tx).await {
                Ok(()) => {
                    let _ = tx.send(SignIn::SignedIn);
                    tracing::info!(account = %session.account, "signed in again from the console");
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "signing in again failed");
                    let _ = tx.send(SignIn::Failed(e.to_string()));
                    // Try again when the next request is refused.
                    session.login_needed().await;
                }
            }
        }
    }
}

async fn sign_in_again(
    session: &Session,
    client: &Client,
    tx: &watch::Sender<SignIn>,
) -> Result<(), AuthError> {
    if let Credentials::Ready(_) = session.credentials() {
        return Err(AuthError::LoginRequired(
            ": ENVDECK_TOKEN was refused; quit, set a new one and start again".to_string(),
        ));
    }
    if let Credentials::Client { .. } = session.credentials() {
        let token = session.refresh().await?;
        client.set_token(Some(token));
        return Ok(());
    }
    let provider = session.provider().await?;
    let device = device_login(session.http(), provider, &session.identity.client_id).await?;
    let _ = tx.send(SignIn::Prompt {
        account: session.account.clone(),
        uri: device.verification_uri().to_string(),
        code: device.user_code().to_string(),
    });
    let tokens = device.finish().await?;
    let access = tokens.access_token.clone();
    session.save(tokens)?;
    client.set_token(Some(access));
    Ok(())
}
