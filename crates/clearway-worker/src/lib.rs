//! Clearway at national scale: intake to a NATS JetStream stream and stateless workers that assess
//! with the service core and commit to PostgreSQL.
//!
//! ```text
//! intake (clearway publish, serve --queue) ──▶ JetStream CLEARWAY_FILINGS (work queue, 16 partitions by filing id)
//!     rejected inputs: stored with their reasons, never on the stream
//! worker × N ──▶ pull a batch ─▶ Assessor (service core) ─▶ one PostgreSQL transaction ─▶ ack
//!     poison: CLEARWAY_DEAD after N deliveries, with the reason
//! configuration: published once (object store + KV pointer); workers switch at a batch boundary
//! ```
//!
//! Principal items: [`intake::publish`] (readers → stream, acknowledged when JetStream stored each
//! input), [`worker::run`] (the worker loop: batches, ack after commit, dead letters, backoff, drain on
//! SIGTERM, heartbeats), [`config::publish`] (roll-out), [`status::status`] (which worker runs which
//! configuration hash, lag, dead letters), [`metrics::Metrics`] (Prometheus text), [`topology`] (stream,
//! consumer and bucket names).
//!
//! NATS is spoken only here (and by whoever calls [`intake`]). Workers hold no state a restart would
//! lose: `(filing_id, version)` is stored once by the store, so a redelivered message is harmless, and a
//! message is acknowledged only after the transaction holding its decision committed.

pub mod config;
pub mod envelope;
pub mod intake;
pub mod metrics;
pub mod status;
pub mod topology;
pub mod worker;

pub use topology::Topology;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// NATS or JetStream: not reachable, refused a request.
    #[error("nats: {0}")]
    Nats(String),
    #[error(transparent)]
    Service(#[from] clearway_service::ServiceError),
    #[error("store: {0}")]
    Store(#[from] clearway_store::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = WorkerError> = std::result::Result<T, E>;

/// A NATS error, as text (async-nats has one error type per call).
pub(crate) fn nats(e: impl std::fmt::Display) -> WorkerError {
    WorkerError::Nats(e.to_string())
}

/// A NATS error naming what was being done.
pub(crate) fn nats_at<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> WorkerError {
    move |e| WorkerError::Nats(format!("{what}: {e}"))
}

/// Connect to NATS, retrying the first connection too (a worker may start before the server).
pub async fn connect(url: &str) -> Result<async_nats::Client> {
    async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connection_timeout(std::time::Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(nats)
}

/// A JetStream context on a new connection.
pub async fn jetstream(url: &str) -> Result<async_nats::jetstream::Context> {
    Ok(async_nats::jetstream::new(connect(url).await?))
}

/// The small runtime a command-line adapter runs the async calls on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// The runtime type [`runtime`] gives (so adapters need not name tokio).
pub type Runtime = tokio::runtime::Runtime;
