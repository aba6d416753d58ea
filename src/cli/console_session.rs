//! The console's session supervisor: keeps tokens fresh before they expire, and when a
//! refresh fails (on a 401 or before expiry) runs a device login whose URL and code the
//! console shows in a popup; the new tokens are stored and handed to the client.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::Client;
use crate::app::session::SignIn;
use crate::auth::{AuthError, Credentials, Session, device_login};
use crate::runtime::SignInWatch;

/// Starts a supervisor per session (the context's, and those of stages with their own
/// identity provider), all reporting to one popup; abort the handles when the console ends.
pub fn spawn(sessions: Vec<(Arc<Session>, Client)>) -> (Vec<JoinHandle<()>>, SignInWatch) {
    let (tx, rx) = watch::channel(SignIn::SignedIn);
    let tx = Arc::new(tx);
    let tasks = sessions
        .into_iter()
        .map(|(session, client)| tokio::spawn(supervise(session, client, tx.clone())))
        .collect();
    (tasks, rx)
}

async fn supervise(session: Arc<Session>, client: Client, tx: Arc<watch::Sender<SignIn>>) {
    loop {
        tokio::select! {
            _ = session.clone().keep_fresh(client.clone()) => {}
            _ = session.login_needed() => {}
        }
        // Several refused calls raise it at once, some before the last sign-in: the
        // tokens at hand may be good still.
        if let Ok(token) = session.refresh().await {
            client.set_token(Some(token));
            continue;
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
