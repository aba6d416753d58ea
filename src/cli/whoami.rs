//! `envdeck whoami`: who the control plane says you are (`/v1/me`), on which context.
//! Not signed in (no token, or one the server refuses): exit code 3.

use serde::Serialize;

use super::args::{OutputFormat, WhoamiArgs};
use super::connect::Connection;
use super::error::CliError;
use super::output::{self, or_dash};

#[derive(Serialize)]
struct WhoAmI<'a> {
    context: &'a str,
    server: &'a str,
    tenant: &'a str,
    username: String,
    email: Option<String>,
    tenant_id: Option<String>,
    roles: Vec<String>,
    permissions: Vec<String>,
}

pub async fn run(conn: &Connection, args: &WhoamiArgs) -> Result<String, CliError> {
    let me = conn.client.me().await?;
    let who = WhoAmI {
        context: &conn.context_name,
        server: conn.client.base_url(),
        tenant: conn.client.tenant(),
        username: me.username,
        email: me.email,
        tenant_id: me.tenant_id,
        roles: me.roles,
        permissions: me.permissions,
    };
    match output::resolve(args.output) {
        OutputFormat::Json => output::json(&who),
        OutputFormat::Table => Ok(output::table(
            &["USER", "EMAIL", "ROLES", "TENANT", "CONTEXT", "SERVER"],
            &[vec![
                who.username.clone(),
                or_dash(who.email.as_deref()),
                who.roles.join(","),
                who.tenant.to_string(),
                who.context.to_string(),
                who.server.to_string(),
            ]],
        )),
    }
}
