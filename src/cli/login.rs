//! `envdeck login` (logout is in `logout.rs`). The device-code grant prints the verification URL and
//! the code on stderr and polls until the code is approved; the password grant reads the
//! password from stdin. Tokens go to the token store (keyring, else the 0600 file).

use std::io::{BufRead, Write};
use std::sync::Arc;

use super::args::{Global, LoginArgs};
use super::connect::{self, Target, stage_account, stage_identity};
use super::error::CliError;
use crate::auth::{Credentials, Session, device_login, password_grant};
use crate::domain::StageName;
use crate::secret::Secret;
use crate::store::Paths;

/// Status lines for the person at the terminal (stdout stays for results).
pub(super) fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}

pub async fn login(global: &Global, paths: &Paths, args: &LoginArgs) -> Result<String, CliError> {
    let config = connect::load_config(paths)?;
    let target = connect::resolve(global, &config)?;
    let (session, _) = connect::session_for(&target, &config, paths)?;
    let session = match &args.stage {
        Some(stage) => stage_session(global, paths, &target, &session, stage).await?,
        None => session,
    };
    match session.credentials() {
        Credentials::Ready(_) => {
            say("ENVDECK_TOKEN is set: it is used as is, nothing to sign in to or store");
            return Ok(String::new());
        }
        Credentials::Client { id, .. } => {
            session.refresh().await?;
            say(&format!(
                "client credentials of {id} accepted (a token is asked for on every run; nothing is stored)"
            ));
            return Ok(String::new());
        }
        Credentials::Stored => {}
    }
    let tokens = match (&args.username, args.password_stdin) {
        (Some(username), true) => {
            let password = read_password()?;
            let provider = session.provider().await?;
            password_grant(
                session.http(),
                &provider.token_endpoint,
                &session.identity.client_id,
                username,
                &password,
            )
            .await?
        }
        _ => {
            let provider = session.provider().await?;
            let device =
                device_login(session.http(), provider, &session.identity.client_id).await?;
            say(&format!(
                "To sign in to {}, open {} and enter the code {}",
                target.name,
                device.verification_uri(),
                device.user_code()
            ));
            if let Some(complete) = device.verification_uri_complete() {
                say(&format!("(or open {complete})"));
            }
            say(&format!(
                "Waiting for approval (the code expires in {} minutes)…",
                device.expires_in().as_secs().div_ceil(60)
            ));
            device.finish().await?
        }
    };
    session.save(tokens)?;
    say(&format!(
        "Signed in to {}.",
        account_label(&target, &session)
    ));
    Ok(String::new())
}

fn account_label(target: &Target, session: &Session) -> String {
    if session.account == target.account {
        target.name.clone()
    } else {
        session.account.clone()
    }
}

fn read_password() -> Result<Secret, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::misuse(format!("cannot read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(CliError::misuse(
            "--password-stdin: standard input held no password",
        ));
    }
    Ok(Secret::new(password))
}

/// The session for a stage that lives on its own control plane with its own identity provider.
async fn stage_session(
    global: &Global,
    paths: &Paths,
    target: &Target,
    main: &Arc<Session>,
    stage: &str,
) -> Result<Arc<Session>, CliError> {
    let stage = StageName::parse(stage).map_err(|e| CliError::misuse(e.to_string()))?;
    if !target.stage_endpoints {
        return Err(CliError::misuse(format!(
            "context {} serves every stage from one control plane: `envdeck login` without --stage is enough",
            target.name
        )));
    }
    let conn = connect::connect(global, paths).await?;
    let environments = conn.client.environments().await?;
    let endpoints = environments
        .environments
        .iter()
        .find(|e| StageName::parse(&e.name).is_ok_and(|n| n == stage))
        .ok_or_else(|| CliError::misuse(format!("{stage} is not a stage of {}", target.name)))?
        .endpoints
        .clone();
    let identity = stage_identity(target, endpoints.as_ref()).ok_or_else(|| {
        CliError::misuse(format!(
            "{stage} signs in with the context's own identity provider: `envdeck login` is enough"
        ))
    })?;
    Ok(Arc::new(Session::new(
        &stage_account(&target.account, &stage),
        identity,
        main.credentials().clone(),
        conn.store.clone(),
        main.http().clone(),
    )))
}
