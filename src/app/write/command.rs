//! The `envdeck` command that does what a confirmed write did, shown on the status line and
//! written to the log, so that what was done by hand can be scripted next time.

use super::{Pending, Write};

/// The command line, each word quoted for a POSIX shell where it needs it.
pub fn equivalent(pending: &Pending) -> String {
    let mut words: Vec<String> = vec!["envdeck".into()];
    let mut push = |w: &[&str]| words.extend(w.iter().map(|s| s.to_string()));
    let stage = pending.lands_in.to_string();
    match &pending.write {
        Write::CreateApi { body } => {
            push(&["api", "create", &body.name, "--env", &stage]);
            push(&[
                "--display-name",
                &body.display_name,
                "--version",
                &body.version,
            ]);
            if !body.backend_url.is_empty() {
                push(&["--backend-url", &body.backend_url]);
            }
            if !body.description.is_empty() {
                push(&["--description", &body.description]);
            }
        }
        Write::EditApi { body, .. } => {
            push(&["api", "edit", &pending.api, "--env", &stage]);
            for (flag, value) in [
                ("--display-name", &body.display_name),
                ("--version", &body.version),
                ("--backend-url", &body.backend_url),
                ("--description", &body.description),
            ] {
                if let Some(v) = value {
                    push(&[flag, v]);
                }
            }
        }
        Write::DeleteApi { .. } => push(&["api", "delete", &pending.api, "--env", &stage]),
        Write::RequestPromotion { body, gateways, .. } => {
            push(&["promote", "create", &pending.api, "--to", &stage]);
            push(&["-m", &body.message]);
            for g in gateways {
                push(&["--gateway", g]);
            }
        }
        Write::Approve { id, .. } => push(&["promote", "approve", id]),
        Write::Complete { id } => push(&["promote", "complete", id, "--wait"]),
        Write::Rollback { id, message } => push(&["promote", "rollback", id, "-m", message]),
    }
    if let Some(stage) = &pending.typed {
        words.extend(["--confirm".to_string(), stage.to_string()]);
    }
    shlex::try_join(words.iter().map(String::as_str))
        // Only a NUL byte cannot be quoted; the forms refuse control characters before this.
        .unwrap_or_else(|_| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::action::Stamp;
    use crate::domain::StageName;

    fn pending(write: Write, lands_in: &str) -> Pending {
        let stage = StageName::parse(lands_in).unwrap();
        Pending {
            write,
            api: "payments".into(),
            lands_in: stage.clone(),
            source: None,
            reaches: vec![stage.clone()],
            stamp: Stamp {
                stage: Some(stage),
                generation: 1,
            },
            typed: Some(lands_in.to_string()),
        }
    }

    #[test]
    fn quotes_what_a_shell_would_split() {
        let p = pending(
            Write::Rollback {
                id: "1a2b3c4d-0000".into(),
                message: "broke the 'checkout' flow".into(),
            },
            "production",
        );
        assert_eq!(
            equivalent(&p),
            r#"envdeck promote rollback 1a2b3c4d-0000 -m "broke the 'checkout' flow" --confirm production"#
        );
        let approve = pending(
            Write::Approve {
                id: "1a2b".into(),
                reviewed_spec_hash: None,
            },
            "prod-eu",
        );
        assert_eq!(
            equivalent(&approve),
            "envdeck promote approve 1a2b --confirm prod-eu"
        );
    }
}
