//! Test support: a router over a fresh store (SQLite in a temporary directory, or a fresh PostgreSQL
//! schema when `CLEARWAY_TEST_PG` names a server), users of every role with bearer tokens, requests.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use chrono::Utc;
use clearway_server::backend::{Role, TokenRecord, User};
use clearway_server::{AppState, Opener, Options, router};
use clearway_service::{PipelineOptions, build_pipeline};
use clearway_store::Store;
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use http_body_util::BodyExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower::ServiceExt;

/// Which backends to run on: SQLite always, PostgreSQL when `CLEARWAY_TEST_PG` is set.
pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    if std::env::var("CLEARWAY_TEST_PG").is_ok_and(|v| !v.is_empty()) {
        b.push("postgres");
    }
    b
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub open: Opener,
    _dir: Option<tempfile::TempDir>,
}

static SCHEMA_NO: AtomicU64 = AtomicU64::new(0);

fn opener(backend: &str) -> (Opener, Option<tempfile::TempDir>) {
    match backend {
        "postgres" => {
            let url = std::env::var("CLEARWAY_TEST_PG").expect("CLEARWAY_TEST_PG");
            let schema = format!(
                "srv_{}_{}_{}",
                std::process::id(),
                SCHEMA_NO.fetch_add(1, Ordering::Relaxed),
                Utc::now().timestamp_micros()
            );
            let open: Opener = Arc::new(move || {
                Ok(Box::new(PgStore::connect_with_schema(&url, &schema)?) as Box<dyn Store>)
            });
            (open, None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("t.db");
            let open: Opener =
                Arc::new(move || Ok(Box::new(SqliteStore::open(&path)?) as Box<dyn Store>));
            (open, Some(dir))
        }
    }
}

/// A router over a fresh store with the default pipeline, and `options`.
pub fn app_with(backend: &str, options: Options) -> TestApp {
    let (open, dir) = opener(backend);
    let screener = tokio::task::block_in_place(|| setup(&open));
    let state = AppState::new(open.clone(), screener, options);
    TestApp {
        router: router(state.clone()),
        state,
        open,
        _dir: dir,
    }
}

fn setup(open: &Opener) -> clearway_service::Screener {
    let mut store = open().expect("open store");
    let screener = build_pipeline(store.as_mut(), &PipelineOptions::default()).expect("pipeline");
    for role in Role::ALL {
        let name = role.as_str().to_owned();
        store
            .add_user(&User {
                name: name.clone(),
                role,
                office: None,
                password_hash: None,
                disabled: false,
                created_at: Utc::now(),
            })
            .unwrap();
        store
            .add_token(&TokenRecord {
                id: format!("t-{name}"),
                user: name.clone(),
                hash: clearway_server::auth::token_hash(&secret(role)),
                created_at: Utc::now(),
                expires_at: None,
                revoked_at: None,
            })
            .unwrap();
    }
    screener
}

pub fn app(backend: &str) -> TestApp {
    app_with(backend, Options::default())
}

/// The bearer secret of the test user named after `role`.
pub fn secret(role: Role) -> String {
    format!("cw_test_{}", role.as_str())
}

pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: "GET",
            path: path.into(),
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }
    pub fn delete(path: impl Into<String>) -> Call {
        Call {
            method: "DELETE",
            path: path.into(),
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }
    pub fn json(method: &'static str, path: impl Into<String>, body: serde_json::Value) -> Call {
        Call {
            method,
            path: path.into(),
            content_type: Some("application/json"),
            body: serde_json::to_vec(&body).unwrap(),
            headers: Vec::new(),
        }
    }
    pub fn raw(
        method: &'static str,
        path: impl Into<String>,
        content_type: &'static str,
        body: impl Into<Vec<u8>>,
    ) -> Call {
        Call {
            method,
            path: path.into(),
            content_type: Some(content_type),
            body: body.into(),
            headers: Vec::new(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Call {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl TestApp {
    /// Send `call` as `role` (bearer token), or anonymously with `None`.
    pub async fn send(&self, role: Option<Role>, call: Call) -> Answer {
        let mut b = Request::builder().method(call.method).uri(&call.path);
        if let Some(r) = role {
            b = b.header("authorization", format!("Bearer {}", secret(r)));
        }
        if let Some(ct) = call.content_type {
            b = b.header("content-type", ct);
        }
        for (k, v) in &call.headers {
            b = b.header(k, v);
        }
        let req = b.body(Body::from(call.body)).unwrap();
        let resp: Response<Body> = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            content_type,
            headers,
            body,
        }
    }

    /// Send a prepared request (a streamed body, say) as `role`.
    pub async fn send_raw(&self, role: Role, mut req: Request<Body>) -> Answer {
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {}", secret(role)).parse().unwrap(),
        );
        let resp: Response<Body> = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            content_type,
            headers,
            body,
        }
    }

    /// The store, for checks beside the API. PostgreSQL's blocking client may not run on a runtime
    /// thread, so every call goes through `block_in_place`.
    pub fn store(&self) -> TestStore {
        TestStore(Some(tokio::task::block_in_place(|| (self.open)().unwrap())))
    }
}

pub struct TestStore(Option<Box<dyn Store>>);

impl TestStore {
    pub fn run<T>(&mut self, f: impl FnOnce(&mut dyn Store) -> T) -> T {
        let s = self.0.as_mut().unwrap();
        tokio::task::block_in_place(|| f(s.as_mut()))
    }
    pub fn audit(
        &mut self,
        f: &clearway_store::AuditFilter,
    ) -> clearway_store::Result<Vec<clearway_store::AuditEntry>> {
        self.run(|s| s.audit(f))
    }
    pub fn add_user(&mut self, u: &User) -> clearway_store::Result<()> {
        self.run(|s| s.add_user(u))
    }
    pub fn add_token(&mut self, t: &TokenRecord) -> clearway_store::Result<()> {
        self.run(|s| s.add_token(t))
    }
    pub fn tokens(&mut self, user: &str) -> clearway_store::Result<Vec<TokenRecord>> {
        self.run(|s| s.tokens(user))
    }
    pub fn stats(&mut self) -> clearway_store::Result<clearway_store::Stats> {
        self.run(|s| s.stats())
    }
    pub fn verify(&mut self) -> clearway_store::AuditVerify {
        self.run(|s| clearway_store::audit::verify(s).unwrap())
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let s = self.0.take();
        tokio::task::block_in_place(|| drop(s));
    }
}

/// `n` synthetic filings as JSON Lines.
pub fn jsonl(n: usize, seed: u64) -> String {
    clearway_synth::Generator::new(clearway_synth::Config::new(n, seed))
        .map(|f| clearway_synth::to_jsonl(&f) + "\n")
        .collect()
}

/// The ids of `n` synthetic filings.
pub fn ids(n: usize, seed: u64) -> Vec<String> {
    clearway_synth::Generator::new(clearway_synth::Config::new(n, seed))
        .map(|f| f.id)
        .collect()
}
