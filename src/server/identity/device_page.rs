//! The device verification page: a plain HTML form where a person types the code shown on
//! their terminal and signs in (or refuses). Every echoed value is HTML-escaped.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{Extensions, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::clients::Form;
use super::device::CodeError;
use super::throttle::{Key, retry_after_secs};
use super::token_endpoint::sign_in;
use super::{Identity, REALM_PATH};
use crate::secret::Secret;
use crate::server::listen::peer_of;

#[derive(Deserialize)]
pub(super) struct PageQuery {
    user_code: Option<String>,
}

/// Escapes text for HTML element content and double-quoted attributes.
fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title} · stoa</title>\
         <style>body{{font-family:sans-serif;max-width:28em;margin:3em auto;padding:0 1em}}\
         label{{display:block;margin:.8em 0 .2em}}input{{width:100%;padding:.4em}}\
         .error{{color:#b91c1c}}button{{margin:1em .5em 0 0;padding:.5em 1em}}</style>\
         </head><body><h1>{title}</h1>\n{body}\n</body></html>\n",
        title = escape(title)
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        ),
    );
    response
}

fn form_page(status: StatusCode, user_code: &str, username: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<p>Enter the code shown on your device, then sign in to allow or deny it.</p>{error}\
         <form method=\"post\" action=\"{REALM_PATH}/device\">\
         <label for=\"user_code\">Code</label>\
         <input id=\"user_code\" name=\"user_code\" value=\"{code}\" autocomplete=\"off\" required>\
         <label for=\"username\">Username</label>\
         <input id=\"username\" name=\"username\" value=\"{user}\" autocomplete=\"username\">\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">\
         <button type=\"submit\" name=\"action\" value=\"approve\">Sign in and allow</button>\
         <button type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Deny</button>\
         </form>",
        code = escape(user_code),
        user = escape(username),
    );
    page(status, "Sign in to a device", &body)
}

/// `GET /realms/stoa/device[?user_code=...]`.
pub(super) async fn show(Query(query): Query<PageQuery>) -> Response {
    form_page(
        StatusCode::OK,
        query.user_code.as_deref().unwrap_or(""),
        "",
        None,
    )
}

/// `POST /realms/stoa/device` (form: user_code, username, password, action). Nothing is said
/// about the code before the user has signed in, so codes cannot be probed without a password;
/// wrong codes from an address are throttled like wrong passwords.
pub(super) async fn submit(
    State(identity): State<Identity>,
    extensions: Extensions,
    body: Bytes,
) -> Response {
    let Ok(form) = Form::parse(&body) else {
        return form_page(
            StatusCode::BAD_REQUEST,
            "",
            "",
            Some("The form was sent twice over; try again."),
        );
    };
    let peer = peer_of(&extensions).map(|a| a.ip());
    let user_code = form.get("user_code").unwrap_or("").to_string();
    let username = form.get("username").unwrap_or("").to_string();
    let refuse = |message: &str| {
        form_page(
            StatusCode::BAD_REQUEST,
            &user_code,
            &username,
            Some(message),
        )
    };
    let too_many = |wait: Duration| {
        let secs = retry_after_secs(wait);
        let message = format!("Too many attempts; try again in {secs} seconds.");
        let mut response = form_page(
            StatusCode::TOO_MANY_REQUESTS,
            &user_code,
            &username,
            Some(&message),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        response
    };
    let throttle = &identity.inner.throttle;
    let code_key = [Key::Code(peer)];
    // A code guesser is turned away before the (slow) password check.
    if let Err(wait) = throttle.check(&code_key, Instant::now()) {
        return too_many(wait);
    }
    let filled = |key| form.get(key).filter(|v| !v.is_empty());
    let (Some(name), Some(password)) = (filled("username"), filled("password")) else {
        return refuse("Enter your username and password.");
    };
    let principal = match sign_in(&identity, peer, name.to_string(), Secret::new(password)).await {
        Ok(principal) => principal,
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            return too_many(e.retry_after.unwrap_or_default());
        }
        Err(e) if e.status.is_server_error() => {
            return refuse("Sign-in is unavailable right now; try again.");
        }
        Err(_) => {
            tracing::info!("device verification: wrong username or password");
            return refuse("Invalid username or password.");
        }
    };
    if let Err(wait) = throttle.begin(&code_key, Instant::now()) {
        return too_many(wait);
    }
    let devices = &identity.inner.devices;
    let deny = form.get("action") == Some("deny");
    let done = if deny {
        devices.deny(&user_code, Instant::now())
    } else {
        devices.approve(&user_code, &principal.sub, Instant::now())
    };
    // Only a made-up code counts as a guess; expired or used ones were real.
    if done != Err(CodeError::Unknown) {
        throttle.succeeded(&code_key);
    }
    match done {
        Ok(()) if deny => {
            tracing::info!(username = %principal.username, "device refused");
            page(
                StatusCode::OK,
                "Device refused",
                "<p>The device was not allowed to sign in. You may close this window.</p>",
            )
        }
        Ok(()) => {
            tracing::info!(username = %principal.username, "device approved");
            let body = format!(
                "<p>Device approved, you may close this window.</p><p>Signed in as <strong>{}</strong>.</p>",
                escape(&principal.username)
            );
            page(StatusCode::OK, "Device approved", &body)
        }
        Err(e) => {
            if e == CodeError::Unknown {
                tracing::info!(?peer, "device verification: unknown code");
            }
            refuse(&e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script>\"&\u{1b}[31m"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;[31m"
        );
    }
}
