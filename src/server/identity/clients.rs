//! The realm's two OAuth2 clients and client authentication (RFC 6749 §2.3), plus parsing of
//! form-encoded request bodies into OAuth2 errors rather than framework errors.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error::OAuthError;
use super::password::constant_time_eq;
use crate::secret::Secret;

pub const GRANT_PASSWORD: &str = "password";
pub const GRANT_REFRESH: &str = "refresh_token";
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
pub const GRANT_DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The public client of terminals (`stoactl`, envdeck).
pub const PUBLIC_CLIENT: &str = "stoactl";
/// The confidential client for CI; its service account acts as cpi-admin.
pub const ADMIN_CLIENT: &str = "stoactl-admin";

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Client {
    pub id: &'static str,
    pub confidential: bool,
    pub grants: &'static [&'static str],
}

const CLIENTS: &[Client] = &[
    Client {
        id: PUBLIC_CLIENT,
        confidential: false,
        grants: &[GRANT_PASSWORD, GRANT_REFRESH, GRANT_DEVICE],
    },
    Client {
        id: ADMIN_CLIENT,
        confidential: true,
        grants: &[GRANT_CLIENT_CREDENTIALS, GRANT_PASSWORD, GRANT_REFRESH],
    },
];

pub(crate) const ALL_GRANTS: &[&str] = &[
    GRANT_PASSWORD,
    GRANT_REFRESH,
    GRANT_CLIENT_CREDENTIALS,
    GRANT_DEVICE,
];

impl Client {
    pub fn allows(&self, grant: &str) -> bool {
        self.grants.contains(&grant)
    }
}

/// A parsed `application/x-www-form-urlencoded` body. Repeated parameters are refused
/// (RFC 6749 §3.2), so a value can never be smuggled in twice.
pub(crate) struct Form(HashMap<String, String>);

impl Form {
    pub fn parse(body: &[u8]) -> Result<Form, OAuthError> {
        let mut map = HashMap::new();
        for (key, value) in url::form_urlencoded::parse(body) {
            if map.insert(key.to_string(), value.into_owned()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "Parameter {key} was given more than once"
                )));
            }
        }
        Ok(Form(map))
    }

    /// A parameter, where an empty value counts as absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, key: &str) -> Result<&str, OAuthError> {
        self.get(key)
            .ok_or_else(|| OAuthError::invalid_request(format!("Missing parameter: {key}")))
    }
}

/// Credentials from `Authorization: Basic` (form-urlencoded id and secret inside, §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// Identifies and authenticates the calling client from the Basic header or the form.
pub(crate) fn authenticate(
    headers: &HeaderMap,
    form: &Form,
    admin_secret: &Secret,
) -> Result<&'static Client, OAuthError> {
    let (id, secret) = match basic_credentials(headers) {
        Some((id, secret)) => (id, Some(secret)),
        None => (
            form.require("client_id")?.to_string(),
            form.get("client_secret").map(str::to_string),
        ),
    };
    let client = CLIENTS
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(OAuthError::invalid_client)?;
    if client.confidential {
        let given = secret.ok_or_else(OAuthError::invalid_client)?;
        if !constant_time_eq(given.as_bytes(), admin_secret.expose().as_bytes()) {
            tracing::info!(client_id = client.id, "client authentication failed");
            return Err(OAuthError::invalid_client());
        }
    }
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(s: &str) -> Form {
        Form::parse(s.as_bytes()).expect("form")
    }

    #[test]
    fn public_and_confidential_clients_authenticate() {
        let secret = Secret::new("s3cr%t");
        let headers = HeaderMap::new();
        let c = authenticate(&headers, &form("client_id=stoactl"), &secret).expect("public");
        assert_eq!(c.id, PUBLIC_CLIENT);
        let c = authenticate(
            &headers,
            &form("client_id=stoactl-admin&client_secret=s3cr%25t"),
            &secret,
        )
        .expect("confidential");
        assert!(c.allows(GRANT_CLIENT_CREDENTIALS));
        for bad in [
            "client_id=stoactl-admin&client_secret=nope",
            "client_id=stoactl-admin",
            "client_id=other",
        ] {
            let err = authenticate(&headers, &form(bad), &secret).expect_err(bad);
            assert_eq!((err.code, err.status.as_u16()), ("invalid_client", 401));
        }
        let err = authenticate(&headers, &form(""), &secret).expect_err("no client");
        assert_eq!(err.code, "invalid_request");
    }

    #[test]
    fn basic_header_credentials_are_form_unescaped() {
        let secret = Secret::new("s3cr%t");
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode("stoactl-admin:s3cr%25t"));
        headers.insert(header::AUTHORIZATION, value.parse().expect("header"));
        let c = authenticate(&headers, &form(""), &secret).expect("basic");
        assert_eq!(c.id, ADMIN_CLIENT);
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let err = Form::parse(b"grant_type=password&grant_type=refresh_token").err();
        assert_eq!(err.map(|e| e.code), Some("invalid_request"));
        assert_eq!(form("a=&b=1").get("a"), None);
    }
}
