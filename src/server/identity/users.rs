//! The users table: who may sign in, with which roles and tenant.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::domain::Role;
use crate::domain::permissions_for;
use crate::domain::policy::Actor;

use super::password;

/// The identity tables; the server's first migration executes this.
pub const SCHEMA_SQL: &str = "
CREATE TABLE users (
    username      TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
    sub           TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    email         TEXT NOT NULL,
    roles         TEXT NOT NULL DEFAULT '[]',   -- JSON array of role names
    tenant_id     TEXT,
    created_at    TEXT NOT NULL
);
-- Sessions ended by a logout (their refresh tokens no longer work), kept until every refresh
-- token of the session would have expired anyway.
CREATE TABLE revoked_sessions (
    sid        TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
";

/// A user to create (the seed and tests use it).
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub email: &'a str,
    pub roles: &'a [Role],
    pub tenant_id: Option<&'a str>,
}

/// Inserts a user with a hashed password and a fresh `sub`. Hashing is deliberately slow
/// (tens of milliseconds): call it on a blocking thread, as `Db::write` does.
pub fn insert_user(tx: &Transaction<'_>, user: &NewUser<'_>) -> rusqlite::Result<()> {
    let roles: Vec<&str> = user.roles.iter().map(Role::as_str).collect();
    let roles = serde_json::Value::from(roles).to_string();
    let password_hash = password::hash(user.password)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.execute(
        "INSERT INTO users (username, sub, password_hash, email, roles, tenant_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            user.username,
            uuid::Uuid::new_v4().to_string(),
            password_hash,
            user.email,
            roles,
            user.tenant_id,
            chrono::Utc::now().to_rfc3339(),
        ],
    )?;
    Ok(())
}

/// Who a valid token (or a signed-in user) is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub sub: String,
    pub username: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    pub tenant_id: Option<String>,
}

impl Principal {
    /// The policy's view of this principal, with permissions computed by the domain.
    pub fn actor(&self) -> Actor {
        Actor {
            username: self.username.clone(),
            roles: self.roles.clone(),
            permissions: permissions_for(&self.roles)
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

/// A stored user, with the password hash needed to check a sign-in.
pub(crate) struct UserRow {
    pub principal: Principal,
    pub password_hash: String,
}

const SELECT: &str = "SELECT sub, username, email, roles, tenant_id, password_hash FROM users";

fn row_to_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    let roles: String = row.get(3)?;
    let email: String = row.get(2)?;
    Ok(UserRow {
        principal: Principal {
            sub: row.get(0)?,
            username: row.get(1)?,
            email: (!email.is_empty()).then_some(email),
            roles: parse_roles(&roles),
            tenant_id: row.get(4)?,
        },
        password_hash: row.get(5)?,
    })
}

/// Roles are a JSON array of names; anything else reads as no roles (fails closed).
fn parse_roles(raw: &str) -> Vec<Role> {
    serde_json::from_str::<Vec<String>>(raw)
        .map(|names| names.iter().map(|n| Role::parse(n)).collect())
        .unwrap_or_default()
}

pub(crate) fn find_by_username(
    conn: &Connection,
    username: &str,
) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached(&format!("{SELECT} WHERE username = ?1"))?
        .query_row([username], row_to_user)
        .optional()
}

pub(crate) fn find_by_sub(conn: &Connection, sub: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached(&format!("{SELECT} WHERE sub = ?1"))?
        .query_row([sub], row_to_user)
        .optional()
}

pub(crate) fn is_revoked(conn: &Connection, sid: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM revoked_sessions WHERE sid = ?1")?
        .exists([sid])
}

/// Records a revoked session and forgets those past their expiry.
pub(crate) fn revoke(
    tx: &Transaction<'_>,
    sid: &str,
    expires_at: i64,
    now: i64,
) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM revoked_sessions WHERE expires_at < ?1", [now])?;
    tx.execute(
        "INSERT OR REPLACE INTO revoked_sessions (sid, expires_at) VALUES (?1, ?2)",
        params![sid, expires_at],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().expect("in-memory db");
        conn.execute_batch(SCHEMA_SQL).expect("schema");
        conn
    }

    #[test]
    fn inserted_users_are_found_with_their_roles_and_a_hash() {
        let mut conn = db();
        let tx = conn.transaction().expect("tx");
        insert_user(
            &tx,
            &NewUser {
                username: "dave",
                password: "demo",
                email: "dave@acme.test",
                roles: &[Role::Devops],
                tenant_id: Some("acme"),
            },
        )
        .expect("insert");
        tx.commit().expect("commit");
        let row = find_by_username(&conn, "DAVE")
            .expect("query")
            .expect("found");
        assert_eq!(row.principal.username, "dave");
        assert_eq!(row.principal.roles, vec![Role::Devops]);
        assert_eq!(row.principal.tenant_id.as_deref(), Some("acme"));
        assert!(!row.password_hash.contains("demo"));
        assert!(password::verify("demo", &row.password_hash));
        let by_sub = find_by_sub(&conn, &row.principal.sub).expect("query");
        assert_eq!(by_sub.map(|r| r.principal), Some(row.principal));
        assert!(find_by_username(&conn, "nobody").expect("query").is_none());
    }

    #[test]
    fn actor_carries_domain_permissions() {
        let p = Principal {
            sub: "s".into(),
            username: "vic".into(),
            email: None,
            roles: vec![Role::Viewer],
            tenant_id: Some("acme".into()),
        };
        let actor = p.actor();
        assert!(actor.may("apis:read") && !actor.may("apis:promote"));
        assert_eq!(parse_roles("not json"), Vec::<Role>::new());
    }

    #[test]
    fn revocations_are_remembered_until_expiry() {
        let mut conn = db();
        let tx = conn.transaction().expect("tx");
        revoke(&tx, "old", 10, 0).expect("revoke");
        revoke(&tx, "new", 1_000, 500).expect("revoke");
        tx.commit().expect("commit");
        assert!(is_revoked(&conn, "new").expect("query"));
        assert!(
            !is_revoked(&conn, "old").expect("query"),
            "purged after expiry"
        );
    }
}
