//! Accounts, bearer tokens and failed sign-ins. Principal types: [`User`], [`Role`], [`TokenRecord`] and
//! the [`UserStore`] capability.
//!
//! The store keeps what the service gives it and never sees a secret: a password is stored as the PHC
//! string the service made (argon2id), a token as the hex BLAKE3 hash of its secret. Tables (created on
//! first use, once per store object, like the exam and list tables): `users`, `tokens`,
//! `signin_failures`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;

/// What a user may do; every endpoint checks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Officer,
    Supervisor,
    /// Profiles and selectivity.
    Targeter,
    ListManager,
    /// Read-only statistics.
    Analyst,
    Auditor,
    Admin,
    /// A machine client (bearer tokens).
    Partner,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 8] = [
        Role::Officer,
        Role::Supervisor,
        Role::Targeter,
        Role::ListManager,
        Role::Analyst,
        Role::Auditor,
        Role::Admin,
        Role::Partner,
    ];

    /// The kebab-case name (`list-manager`), as stored and as serde spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Targeter => "targeter",
            Role::ListManager => "list-manager",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Partner => "partner",
        }
    }

    /// The role named `s` (exactly as [`Role::as_str`] spells it).
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Unique sign-in name.
    pub name: String,
    pub role: Role,
    /// The office (UN/LOCODE) an officer works at, if any.
    pub office: Option<String>,
    /// PHC string (argon2id) made by the service; `None` for token-only (partner) accounts.
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// A bearer token, as stored: the hash of its secret, never the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// Unique id (shown to people; used to revoke).
    pub id: String,
    /// The user it acts as.
    pub user: String,
    /// Hex BLAKE3 of the secret.
    pub hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenRecord {
    /// Not revoked and not expired at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// Accounts and tokens.
pub trait UserStore: Send {
    /// Add a user; [`crate::StoreError::Conflict`] when the name is taken.
    fn add_user(&mut self, user: &User) -> Result<()>;
    fn user(&mut self, name: &str) -> Result<Option<User>>;
    /// Every user, by name.
    fn users(&mut self) -> Result<Vec<User>>;
    /// Returns `false` when there is no such user.
    fn set_user_disabled(&mut self, name: &str, disabled: bool) -> Result<bool>;
    /// Replace (or, with `None`, remove) the password's PHC string. Returns `false` when there is no such
    /// user.
    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool>;
    /// Store a token; [`crate::StoreError::Conflict`] when its id or hash is taken or its user unknown.
    fn add_token(&mut self, token: &TokenRecord) -> Result<()>;
    /// The token with this hash (revoked and expired ones included: the caller checks
    /// [`TokenRecord::is_active`]).
    fn token_by_hash(&mut self, hash: &str) -> Result<Option<TokenRecord>>;
    /// Revoke a token at `at`. Returns `false` when there is no such token or it was already revoked
    /// (the first revocation time stands).
    fn revoke_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<bool>;
    /// A user's tokens, oldest first.
    fn tokens(&mut self, user: &str) -> Result<Vec<TokenRecord>>;
    /// Record a failed sign-in for `name` (known or not) at `at`, from a client address.
    fn record_failed_signin(&mut self, name: &str, at: DateTime<Utc>, from: Option<&str>) -> Result<()>;
    /// How many failed sign-ins for `name` were recorded at or after `since` (for rate limiting).
    fn failed_signins_since(&mut self, name: &str, since: DateTime<Utc>) -> Result<u64>;
}

// ---- SQLite ----

use rusqlite::{OptionalExtension, params};

use crate::StoreError;
use crate::audit::fmt_at;
use crate::codec::{corrupt, parse_time};
use crate::postgres::{PgStore, create_once};
use crate::sqlite::SqliteStore;

/// Times are RFC 3339 with nine fractional digits (fixed width: the text sorts as the time does).
const DDL: &str = "CREATE TABLE IF NOT EXISTS users (
        name          TEXT    NOT NULL PRIMARY KEY,
        role          TEXT    NOT NULL,
        office        TEXT,
        password_hash TEXT,
        disabled      INTEGER NOT NULL,
        created_at    TEXT    NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS tokens (
        id         TEXT NOT NULL PRIMARY KEY,
        user_name  TEXT NOT NULL,
        hash       TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_name);
    CREATE TABLE IF NOT EXISTS signin_failures (
        seq       INTEGER PRIMARY KEY,
        name      TEXT NOT NULL,
        at        TEXT NOT NULL,
        from_addr TEXT
    );
    CREATE INDEX IF NOT EXISTS signin_failures_name ON signin_failures (name, at);";

fn parse_role(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| corrupt(format_args!("unknown role {s:?}")))
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

const USER_COLS: &str = "name, role, office, password_hash, disabled, created_at";
const TOKEN_COLS: &str = "id, user_name, hash, created_at, expires_at, revoked_at";

fn sqlite_user(r: &rusqlite::Row<'_>) -> Result<User> {
    let role: String = r.get(1)?;
    let created: String = r.get(5)?;
    Ok(User {
        name: r.get(0)?,
        role: parse_role(&role)?,
        office: r.get(2)?,
        password_hash: r.get(3)?,
        disabled: r.get(4)?,
        created_at: parse_time(&created)?,
    })
}

fn sqlite_token(r: &rusqlite::Row<'_>) -> Result<TokenRecord> {
    let opt_time = |i: usize| -> Result<Option<DateTime<Utc>>> { r.get::<_, Option<String>>(i)?.as_deref().map(parse_time).transpose() };
    let created: String = r.get(3)?;
    Ok(TokenRecord {
        id: r.get(0)?,
        user: r.get(1)?,
        hash: r.get(2)?,
        created_at: parse_time(&created)?,
        expires_at: opt_time(4)?,
        revoked_at: opt_time(5)?,
    })
}

impl SqliteStore {
    /// Create the user tables if this store object has not yet done so.
    fn users_init(&mut self) -> Result<()> {
        if !self.users_ready {
            self.conn.execute_batch(DDL)?;
            self.users_ready = true;
        }
        Ok(())
    }
}

impl UserStore for SqliteStore {
    fn add_user(&mut self, u: &User) -> Result<()> {
        self.users_init()?;
        let r = self.conn.execute(
            &format!("INSERT INTO users ({USER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            params![u.name, u.role.as_str(), u.office, u.password_hash, u.disabled, fmt_at(u.created_at)],
        );
        match r {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!("user {} already exists", u.name))),
            r => r.map(|_| ()).map_err(Into::into),
        }
    }

    fn user(&mut self, name: &str) -> Result<Option<User>> {
        self.users_init()?;
        let mut st = self.conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE name = ?1"))?;
        let mut rows = st.query(params![name])?;
        rows.next()?.map(sqlite_user).transpose()
    }

    fn users(&mut self) -> Result<Vec<User>> {
        self.users_init()?;
        let mut st = self.conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY name"))?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(sqlite_user(r)?);
        }
        Ok(out)
    }

    fn set_user_disabled(&mut self, name: &str, disabled: bool) -> Result<bool> {
        self.users_init()?;
        Ok(self.conn.execute("UPDATE users SET disabled = ?2 WHERE name = ?1", params![name, disabled])? > 0)
    }

    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool> {
        self.users_init()?;
        Ok(self.conn.execute("UPDATE users SET password_hash = ?2 WHERE name = ?1", params![name, hash])? > 0)
    }

    fn add_token(&mut self, t: &TokenRecord) -> Result<()> {
        self.users_init()?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let known: Option<i64> = tx.query_row("SELECT 1 FROM users WHERE name = ?1", params![t.user], |r| r.get(0)).optional()?;
        if known.is_none() {
            return Err(StoreError::Conflict(format!("token {}: no user {}", t.id, t.user)));
        }
        let r = tx.execute(
            &format!("INSERT INTO tokens ({TOKEN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            params![t.id, t.user, t.hash, fmt_at(t.created_at), t.expires_at.map(fmt_at), t.revoked_at.map(fmt_at)],
        );
        match r {
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict(format!("token {} already exists", t.id))),
            r => r?,
        };
        tx.commit()?;
        Ok(())
    }

    fn token_by_hash(&mut self, hash: &str) -> Result<Option<TokenRecord>> {
        self.users_init()?;
        let mut st = self.conn.prepare_cached(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE hash = ?1"))?;
        let mut rows = st.query(params![hash])?;
        rows.next()?.map(sqlite_token).transpose()
    }

    fn revoke_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<bool> {
        self.users_init()?;
        let n = self.conn.execute("UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", params![id, fmt_at(at)])?;
        Ok(n > 0)
    }

    fn tokens(&mut self, user: &str) -> Result<Vec<TokenRecord>> {
        self.users_init()?;
        let mut st = self.conn.prepare_cached(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE user_name = ?1 ORDER BY created_at, id"))?;
        let mut rows = st.query(params![user])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(sqlite_token(r)?);
        }
        Ok(out)
    }

    fn record_failed_signin(&mut self, name: &str, at: DateTime<Utc>, from: Option<&str>) -> Result<()> {
        self.users_init()?;
        self.conn.execute("INSERT INTO signin_failures (name, at, from_addr) VALUES (?1, ?2, ?3)", params![name, fmt_at(at), from])?;
        Ok(())
    }

    fn failed_signins_since(&mut self, name: &str, since: DateTime<Utc>) -> Result<u64> {
        self.users_init()?;
        let n: i64 =
            self.conn.query_row("SELECT COUNT(*) FROM signin_failures WHERE name = ?1 AND at >= ?2", params![name, fmt_at(since)], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}

// ---- PostgreSQL ----

/// The PostgreSQL tables: the same columns, TIMESTAMPTZ times (microseconds).
const PG_DDL: &str = "CREATE TABLE IF NOT EXISTS users (
        name          TEXT        NOT NULL PRIMARY KEY,
        role          TEXT        NOT NULL,
        office        TEXT,
        password_hash TEXT,
        disabled      BOOLEAN     NOT NULL,
        created_at    TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS tokens (
        id         TEXT        NOT NULL PRIMARY KEY,
        user_name  TEXT        NOT NULL REFERENCES users (name),
        hash       TEXT        NOT NULL UNIQUE,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ,
        revoked_at TIMESTAMPTZ
    );
    CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_name);
    CREATE TABLE IF NOT EXISTS signin_failures (
        seq       BIGSERIAL   PRIMARY KEY,
        name      TEXT        NOT NULL,
        at        TIMESTAMPTZ NOT NULL,
        from_addr TEXT
    );
    CREATE INDEX IF NOT EXISTS signin_failures_name ON signin_failures (name, at);";

/// Serialises concurrent first uses of the user tables; "cwusers" in ASCII.
const PG_USERS_LOCK: i64 = 0x0063_7775_7365_7273;

fn pg_unique_violation(e: &::postgres::Error) -> bool {
    e.code() == Some(&::postgres::error::SqlState::UNIQUE_VIOLATION) || e.code() == Some(&::postgres::error::SqlState::FOREIGN_KEY_VIOLATION)
}

fn pg_user(r: &::postgres::Row) -> Result<User> {
    Ok(User {
        name: r.try_get(0)?,
        role: parse_role(r.try_get(1)?)?,
        office: r.try_get(2)?,
        password_hash: r.try_get(3)?,
        disabled: r.try_get(4)?,
        created_at: r.try_get(5)?,
    })
}

fn pg_token(r: &::postgres::Row) -> Result<TokenRecord> {
    Ok(TokenRecord {
        id: r.try_get(0)?,
        user: r.try_get(1)?,
        hash: r.try_get(2)?,
        created_at: r.try_get(3)?,
        expires_at: r.try_get(4)?,
        revoked_at: r.try_get(5)?,
    })
}

impl PgStore {
    /// Create the user tables if this connection has not yet done so.
    fn users_init(&mut self) -> Result<()> {
        create_once(&mut self.client, &mut self.users_ready, PG_USERS_LOCK, PG_DDL)
    }
}

impl UserStore for PgStore {
    fn add_user(&mut self, u: &User) -> Result<()> {
        self.users_init()?;
        let r = self.client.execute(
            &format!("INSERT INTO users ({USER_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"),
            &[&u.name, &u.role.as_str(), &u.office, &u.password_hash, &u.disabled, &u.created_at],
        );
        match r {
            Err(e) if pg_unique_violation(&e) => Err(StoreError::Conflict(format!("user {} already exists", u.name))),
            r => r.map(|_| ()).map_err(Into::into),
        }
    }

    fn user(&mut self, name: &str) -> Result<Option<User>> {
        self.users_init()?;
        let row = self.client.query_opt(&format!("SELECT {USER_COLS} FROM users WHERE name = $1"), &[&name])?;
        row.as_ref().map(pg_user).transpose()
    }

    fn users(&mut self) -> Result<Vec<User>> {
        self.users_init()?;
        let rows = self.client.query(&format!("SELECT {USER_COLS} FROM users ORDER BY name COLLATE \"C\""), &[])?;
        rows.iter().map(pg_user).collect()
    }

    fn set_user_disabled(&mut self, name: &str, disabled: bool) -> Result<bool> {
        self.users_init()?;
        Ok(self.client.execute("UPDATE users SET disabled = $2 WHERE name = $1", &[&name, &disabled])? > 0)
    }

    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool> {
        self.users_init()?;
        Ok(self.client.execute("UPDATE users SET password_hash = $2 WHERE name = $1", &[&name, &hash])? > 0)
    }

    fn add_token(&mut self, t: &TokenRecord) -> Result<()> {
        self.users_init()?;
        let known = self.client.query_opt("SELECT 1 FROM users WHERE name = $1", &[&t.user])?;
        if known.is_none() {
            return Err(StoreError::Conflict(format!("token {}: no user {}", t.id, t.user)));
        }
        let r = self.client.execute(
            &format!("INSERT INTO tokens ({TOKEN_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"),
            &[&t.id, &t.user, &t.hash, &t.created_at, &t.expires_at, &t.revoked_at],
        );
        match r {
            // The foreign key catches a user removed since the check above.
            Err(e) if pg_unique_violation(&e) => Err(StoreError::Conflict(format!("token {} already exists or user {} is unknown", t.id, t.user))),
            r => r.map(|_| ()).map_err(Into::into),
        }
    }

    fn token_by_hash(&mut self, hash: &str) -> Result<Option<TokenRecord>> {
        self.users_init()?;
        let row = self.client.query_opt(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE hash = $1"), &[&hash])?;
        row.as_ref().map(pg_token).transpose()
    }

    fn revoke_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<bool> {
        self.users_init()?;
        Ok(self.client.execute("UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[&id, &at])? > 0)
    }

    fn tokens(&mut self, user: &str) -> Result<Vec<TokenRecord>> {
        self.users_init()?;
        let rows = self.client.query(&format!("SELECT {TOKEN_COLS} FROM tokens WHERE user_name = $1 ORDER BY created_at, id COLLATE \"C\""), &[&user])?;
        rows.iter().map(pg_token).collect()
    }

    fn record_failed_signin(&mut self, name: &str, at: DateTime<Utc>, from: Option<&str>) -> Result<()> {
        self.users_init()?;
        self.client.execute("INSERT INTO signin_failures (name, at, from_addr) VALUES ($1, $2, $3)", &[&name, &at, &from])?;
        Ok(())
    }

    fn failed_signins_since(&mut self, name: &str, since: DateTime<Utc>) -> Result<u64> {
        self.users_init()?;
        let row = self.client.query_one("SELECT COUNT(*) FROM signin_failures WHERE name = $1 AND at >= $2", &[&name, &since])?;
        Ok(row.try_get::<_, i64>(0)?.max(0) as u64)
    }
}
