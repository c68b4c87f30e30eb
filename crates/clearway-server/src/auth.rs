//! Who is calling: bearer tokens for machine clients, cookie sessions with a CSRF token for browsers,
//! argon2id passwords, and a limit on failed sign-ins. The middleware here authenticates every request,
//! checks its role against [`crate::policy`] and hands the handler a [`Caller`].
//!
//! - Bearer tokens are `cw_` + 64 hex digits; the store keeps only their BLAKE3 hash, with expiry and
//!   revocation. A lookup is cached for a few seconds; revoking through the API clears the cache.
//! - Sessions live in server memory (a restart signs everyone out). The cookie is HttpOnly,
//!   SameSite=Strict (and Secure under TLS); unsafe methods on a session must carry the session's CSRF
//!   token in `X-CSRF-Token` (a session-bound token, never in the cookie).
//! - Failed sign-ins are counted per user and per client address over a window; past the limit the
//!   answer is 429 with `Retry-After`, whether or not the password is right.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::AppState;
use crate::backend::{self, Role, User};
use crate::policy;
use crate::problem::{Kind, Problem};

/// The session cookie's name.
pub const COOKIE: &str = "clearway_session";
/// The header that carries a session's CSRF token on unsafe methods.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// How long a token or user lookup is trusted before the store is asked again.
const CACHE_TTL: Duration = Duration::from_secs(5);

/// The authenticated caller of a request (or an anonymous one on public routes).
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Option<Role>,
    pub office: Option<String>,
    /// The client address, for the audit log.
    pub from: String,
}

impl Caller {
    pub fn role_str(&self) -> &'static str {
        self.role.map(Role::as_str).unwrap_or("anonymous")
    }
}

/// Random bytes as hex, from the operating system.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source");
    hex::encode(buf)
}

/// A new bearer token secret and its stored hash.
pub fn new_token() -> (String, String) {
    let secret = format!("cw_{}", random_hex(32));
    let hash = token_hash(&secret);
    (secret, hash)
}

/// The stored form of a token secret.
pub fn token_hash(secret: &str) -> String {
    blake3::hash(secret.as_bytes()).to_hex().to_string()
}

/// An argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> Result<String, Problem> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(Problem::internal)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(Problem::internal)?
        .to_string())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source");
    b
}

/// Check a password against a stored PHC string; a missing or unreadable hash never matches.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    // Unknown users still pay for one hash so that timing does not tell which names exist.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = match stored {
        Some(h) => h,
        None => DUMMY.get_or_init(|| hash_password(&random_hex(16)).unwrap_or_default()),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && stored.is_some()
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub csrf: String,
    pub expires: Instant,
}

/// Sessions, caches and the sign-in limiter: the server's in-memory account state.
#[derive(Default)]
pub struct Accounts {
    /// By BLAKE3 hash of the session id (the id itself is only in the cookie).
    sessions: Mutex<HashMap<String, Session>>,
    users: Mutex<HashMap<String, (Option<User>, Instant)>>,
    tokens: Mutex<HashMap<String, (Option<backend::TokenRecord>, Instant)>>,
    limiter: Mutex<Limiter>,
}

impl Accounts {
    /// Start a session; returns (session id for the cookie, CSRF token).
    pub fn open_session(&self, user: &str) -> (String, String) {
        let id = random_hex(32);
        let csrf = random_hex(32);
        let mut s = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        s.retain(|_, v| v.expires > now);
        s.insert(
            token_hash(&id),
            Session {
                user: user.to_owned(),
                csrf: csrf.clone(),
                expires: now + SESSION_TTL,
            },
        );
        (id, csrf)
    }

    pub fn session(&self, id: &str) -> Option<Session> {
        let s = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        s.get(&token_hash(id))
            .filter(|v| v.expires > Instant::now())
            .cloned()
    }

    pub fn close_session(&self, id: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&token_hash(id));
    }

    /// Forget everything cached about a user and end their sessions (after a disable or a revocation).
    pub fn forget_user(&self, user: &str) {
        self.users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(user);
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (t, _)| t.as_ref().is_none_or(|t| t.user != user));
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, s| s.user != user);
    }

    pub fn forget_tokens(&self) {
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    pub fn limiter(&self) -> std::sync::MutexGuard<'_, Limiter> {
        self.limiter.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Failed sign-ins per user and per client address over a sliding window.
pub struct Limiter {
    window: Duration,
    per_user: usize,
    per_addr: usize,
    fails: HashMap<String, VecDeque<Instant>>,
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter {
            window: Duration::from_secs(15 * 60),
            per_user: 5,
            per_addr: 20,
            fails: HashMap::new(),
        }
    }
}

impl Limiter {
    /// Seconds to wait if `user` or `addr` is over its limit now.
    pub fn blocked(&mut self, user: &str, addr: &str) -> Option<u64> {
        let now = Instant::now();
        let window = self.window;
        let mut wait = None;
        for (key, max) in [
            (format!("u:{user}"), self.per_user),
            (format!("a:{addr}"), self.per_addr),
        ] {
            if let Some(q) = self.fails.get_mut(&key) {
                while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
                    q.pop_front();
                }
                if q.len() >= max {
                    let oldest = *q.front().expect("non-empty");
                    let secs = (window - now.duration_since(oldest)).as_secs() + 1;
                    wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
                }
            }
        }
        wait
    }

    pub fn failed(&mut self, user: &str, addr: &str) {
        let now = Instant::now();
        for key in [format!("u:{user}"), format!("a:{addr}")] {
            self.fails.entry(key).or_default().push_back(now);
        }
        if self.fails.len() > 100_000 {
            let window = self.window;
            self.fails
                .retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
    }

    pub fn succeeded(&mut self, user: &str) {
        self.fails.remove(&format!("u:{user}"));
    }
}

/// The client address of a request ("unknown" when the transport gives none, as in router tests).
pub fn client_addr(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn cookie_value<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

enum Credentials {
    Bearer(String),
    Session(String),
}

fn credentials(req: &Request) -> Result<Option<Credentials>, Problem> {
    if let Some(v) = req.headers().get(header::AUTHORIZATION) {
        let v = v.to_str().map_err(|_| {
            Problem::new(Kind::Unauthorized, "Authorization: not ASCII").field("Authorization")
        })?;
        let Some(secret) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
        else {
            return Err(Problem::new(
                Kind::Unauthorized,
                "Authorization: only Bearer tokens are accepted",
            )
            .field("Authorization"));
        };
        return Ok(Some(Credentials::Bearer(secret.trim().to_owned())));
    }
    Ok(cookie_value(req, COOKIE).map(|s| Credentials::Session(s.to_owned())))
}

/// The user behind a name, if enabled (cached briefly).
async fn active_user(app: &AppState, name: &str) -> Result<Option<User>, Problem> {
    if let Some((u, at)) = app
        .accounts
        .users
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(name)
        && at.elapsed() < CACHE_TTL
    {
        return Ok(u.clone().filter(|u| !u.disabled));
    }
    let n = name.to_owned();
    let u = app
        .pool
        .run(move |s| s.user(&n).map_err(crate::api::store_problem))
        .await?;
    app.accounts
        .users
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_owned(), (u.clone(), Instant::now()));
    Ok(u.filter(|u| !u.disabled))
}

async fn token_user(
    app: &AppState,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<User>, Problem> {
    let hash = token_hash(secret);
    let cached = app
        .accounts
        .tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&hash)
        .filter(|(_, at)| at.elapsed() < CACHE_TTL)
        .map(|(t, _)| t.clone());
    let token = match cached {
        Some(t) => t,
        None => {
            let h = hash.clone();
            let t = app
                .pool
                .run(move |s| s.token_by_hash(&h).map_err(crate::api::store_problem))
                .await?;
            app.accounts
                .tokens
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(hash, (t.clone(), Instant::now()));
            t
        }
    };
    let Some(t) = token else { return Ok(None) };
    if !t.is_active(now) {
        return Ok(None);
    }
    active_user(app, &t.user).await
}

/// The middleware: authenticate, check the role against the policy table, check CSRF on sessions.
pub async fn authenticate(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    match admit(&app, &mut req).await {
        Ok(()) => next.run(req).await,
        Err(p) => p.into_response(),
    }
}

async fn admit(app: &AppState, req: &mut Request) -> Result<(), Problem> {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let Some(rule) = policy::lookup(req.method().as_str(), &path) else {
        return Err(Problem::forbidden(format!(
            "{} {path}: no access rule (refused by default)",
            req.method()
        )));
    };
    let from = client_addr(req);
    if rule.is_public() {
        req.extensions_mut().insert(Caller {
            name: "anonymous".into(),
            role: None,
            office: None,
            from,
        });
        return Ok(());
    }
    let unauthorized = || {
        Problem::new(
            Kind::Unauthorized,
            "no valid credentials: sign in (POST /v1/session) or send Authorization: Bearer TOKEN",
        )
    };
    let (user, csrf) = match credentials(req)? {
        None => return Err(unauthorized()),
        Some(Credentials::Bearer(secret)) => (token_user(app, &secret, Utc::now()).await?, None),
        Some(Credentials::Session(id)) => match app.accounts.session(&id) {
            None => (None, None),
            Some(s) => (active_user(app, &s.user).await?, Some(s.csrf)),
        },
    };
    let Some(user) = user else {
        return Err(unauthorized());
    };
    if !rule.admits(user.role) {
        return Err(Problem::forbidden(format!(
            "{} {}: role {} may not do this",
            rule.method,
            rule.path,
            user.role.as_str()
        )));
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let Some(expected) = csrf
        && !safe
    {
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct_eq(sent, &expected) {
            return Err(
                Problem::forbidden("missing or wrong X-CSRF-Token for this session")
                    .field("X-CSRF-Token"),
            );
        }
    }
    req.extensions_mut().insert(Caller {
        name: user.name,
        role: Some(user.role),
        office: user.office,
        from,
    });
    Ok(())
}
