//! `clearway serve`: Clearway's HTTP API. The only crate that speaks HTTP; it adapts requests to the
//! service core's workflows and the store, and never blocks its async runtime: every store call runs
//! on the blocking pool ([`pool::Pool`]), large bodies stream into ingest through `SyncIoBridge`.
//!
//! Principal types: [`AppState`] (what every handler shares), [`ServeConfig`] and [`Options`];
//! [`router`] builds the routes (tests drive it with `tower::ServiceExt::oneshot`), [`serve`] binds and
//! runs it with graceful shutdown.
//!
//! Layers of a request, outside in: request timeout → metrics → authentication and the role check
//! ([`policy::RULES`], one row per endpoint) → the handler. Every error is an RFC 9457 problem
//! document ([`problem::Problem`]). Every read of a filing and every change is audited in the store's
//! hash-chained log.
//!
//! Must never: run a store call on a runtime thread, answer an ingest before its batch commits, or
//! admit a route that has no row in the policy table.

pub mod api;
pub mod auth;
pub mod backend;
pub mod metrics;
pub mod openapi;
pub mod policy;
pub mod pool;
pub mod problem;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clearway_service::Screener;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Semaphore;

pub use pool::Opener;
use problem::{Kind, Problem};

/// Limits and tuning.
#[derive(Debug, Clone)]
pub struct Options {
    /// Largest `POST /v1/filings` body, bytes (413 beyond).
    pub body_limit: u64,
    /// Longest wait for the next piece of a body (408 beyond).
    pub body_idle_timeout: Duration,
    /// Longest time for a whole request (408 beyond).
    pub request_timeout: Duration,
    /// Filings per stored batch (one transaction).
    pub batch: usize,
    /// Opened stores kept for requests.
    pub pool_size: usize,
    /// Ingest requests run at once (the rest wait their turn).
    pub ingest_concurrency: usize,
    /// Mark the session cookie `Secure` (under TLS).
    pub secure_cookies: bool,
    /// What `GET /v1/model` says about the learned model, when one is configured.
    pub model_info: Option<serde_json::Value>,
    /// What the pipeline was built from: a list import or a disposition rebuilds it from these.
    pub pipeline_options: Option<clearway_service::PipelineOptions>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            body_limit: 256 * 1024 * 1024,
            body_idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(600),
            batch: 1000,
            pool_size: 4,
            ingest_concurrency: 1,
            secure_cookies: false,
            model_info: None,
            pipeline_options: None,
        }
    }
}

/// What `serve` needs: where to listen, how to open the store, the assembled pipeline, the options.
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub open: Opener,
    pub screener: Screener,
    pub options: Options,
    /// Certificate and key (PEM) for HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub pool: Arc<pool::Pool>,
    pub config: Options,
    pub accounts: auth::Accounts,
    pub metrics: metrics::Metrics,
    pub ingest_permits: Semaphore,
    screener: RwLock<Arc<Screener>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(open: Opener, screener: Screener, config: Options) -> AppState {
        let pool = Arc::new(pool::Pool::new(open, config.pool_size));
        AppState(Arc::new(Inner {
            pool,
            ingest_permits: Semaphore::new(config.ingest_concurrency.max(1)),
            config,
            accounts: auth::Accounts::default(),
            metrics: metrics::Metrics::default(),
            screener: RwLock::new(Arc::new(screener)),
        }))
    }

    /// The pipeline (with its entity history) decisions are made with now.
    pub fn screener(&self) -> Arc<Screener> {
        self.0
            .screener
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Swap in a rebuilt pipeline (after a list import); requests in flight finish with the one they
    /// started with.
    pub fn set_screener(&self, s: Screener) {
        *self.0.screener.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(s);
    }
}

/// The routes. Every route needs a row in [`policy::RULES`] (the auth middleware refuses others).
pub fn router(state: AppState) -> Router {
    use api::*;
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/v1/stats", get(ops::stats))
        .route("/v1/model", get(ops::model))
        .route(
            "/v1/session",
            post(session::sign_in)
                .get(session::whoami)
                .delete(session::sign_out),
        )
        .route("/v1/filings", post(filings::post))
        .route("/v1/filings/{id}", get(filings::get))
        .route("/v1/queue", get(cases::queue))
        .route("/v1/filings/{id}/assign", post(cases::assign))
        .route("/v1/filings/{id}/exam", post(cases::exam))
        .route("/v1/filings/{id}/override", post(cases::override_))
        .route("/v1/users", get(admin::list_users).post(admin::add_user))
        .route("/v1/users/{name}/disable", post(admin::disable_user))
        .route("/v1/users/{name}/tokens", post(admin::create_token))
        .route(
            "/v1/tokens/{id}",
            axum::routing::delete(admin::revoke_token),
        )
        .route("/v1/audit", get(admin::audit_log))
        .route("/v1/lists", get(lists::show).post(lists::import))
        .route("/v1/lists/diff", get(lists::diff))
        .route("/v1/lists/dispositions", post(lists::dispose))
        .route("/v1/profiles/check", post(lists::check_profiles))
        .route("/v1/profiles/stats", get(lists::profile_stats))
        .route_layer(from_fn_with_state(state.clone(), auth::authenticate))
        .route_layer(from_fn_with_state(state.clone(), metrics::track))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), timeout))
        .with_state(state)
}

async fn not_found(req: Request) -> Problem {
    Problem::not_found(format!("no route {}", req.uri().path()))
}

async fn method_not_allowed(req: Request) -> Problem {
    Problem::new(
        Kind::MethodNotAllowed,
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// The whole-request deadline, as a problem document.
async fn timeout(State(app): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(app.config.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => Problem::new(
            Kind::Timeout,
            format!(
                "the request took longer than {} s",
                app.config.request_timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Bind, serve until SIGTERM or Ctrl-C, then finish the requests in flight (their batches commit and
/// are answered) before returning.
pub async fn serve(cfg: ServeConfig) -> anyhow::Result<()> {
    if cfg.tls.is_some() {
        anyhow::bail!(
            "--tls-cert/--tls-key: HTTPS is not in this build yet; terminate TLS in front of the server (a reverse proxy) for now"
        );
    }
    let state = AppState::new(cfg.open, cfg.screener, cfg.options);
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| anyhow::anyhow!("binding {}: {e}", cfg.listen))?;
    let local = listener.local_addr()?;
    eprintln!("clearway: listening on http://{local}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    eprintln!("clearway: stopped");
    Ok(())
}

/// [`serve`] on a new multi-threaded runtime, for callers that have none (the CLI).
pub fn serve_blocking(cfg: ServeConfig) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime: {e}"))?;
    rt.block_on(serve(cfg))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("clearway: shutting down; finishing requests in flight");
}
