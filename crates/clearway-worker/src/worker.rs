//! The worker loop: stateless, any number of them on one stream and one PostgreSQL database.
//!
//! 1. At a batch boundary, read the configuration pointer; when it moved, build the new pipeline first.
//! 2. Pull up to `batch` messages from the partition consumers (rotating which partition goes first).
//!    A partition's consumer lets one fetch be unacknowledged at a time, so the versions of a filing are
//!    assessed in order.
//! 3. Off the async runtime: decode, assess with the service core's [`Assessor`] (history for
//!    amendments from the store, plus the batch's own earlier versions), write the batch in one
//!    transaction.
//! 4. Only after commit: acknowledge. A message that cannot be decoded, panics the assessment or is
//!    refused by the store on its own is negatively acknowledged (redelivered after a delay) and, at
//!    its `max_deliver`-th delivery, published to `CLEARWAY_DEAD` with the reason and then acknowledged.
//!
//! Faults: a store error that is about the connection (PostgreSQL away, restarted, out of connections)
//! keeps the batch, reconnects with backoff and retries it, telling JetStream the messages are still in
//! progress; NATS away: fetches fail, the client reconnects, the loop backs off. A SIGKILL loses nothing:
//! unacknowledged messages are delivered again after `ack_wait`, and the store keeps the first decision
//! of each `(filing_id, version)`. SIGTERM (or the shutdown signal) drains: the batch in hand is
//! committed and acknowledged, nothing more is fetched.

use crate::config;
use crate::envelope::{self, H_DELIVERIES, H_REASON, H_SUBJECT};
use crate::metrics::Metrics;
use crate::status::{self, Heartbeat};
use crate::topology::{STREAM, Topology, dead_subject, workers_kv};
use crate::{Result, WorkerError, nats};
use async_nats::HeaderMap;
use async_nats::jetstream::{self, AckKind};
use bytes::Bytes;
use clearway_service::ingest::Assessor;
use clearway_service::{PipelineOptions, Screener, ServiceError, build_pipeline, open_store};
use clearway_store::{Outcome, Store, StoreError};
use futures_util::StreamExt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub nats: String,
    /// The store: a PostgreSQL URL (any store `open_store` takes works; PostgreSQL is the one several
    /// workers share).
    pub db: String,
    /// This worker's name in heartbeats.
    pub id: String,
    /// Messages per batch (one transaction).
    pub batch: usize,
    pub topology: Topology,
    /// Deliveries after which a failing message is dead-lettered.
    pub max_deliver: i64,
    pub metrics_listen: Option<SocketAddr>,
    /// Where configuration sets are unpacked.
    pub work_dir: PathBuf,
    /// The pipeline when no configuration set is published.
    pub defaults: PipelineOptions,
    /// Stop after this long without a message (benchmarks and tests).
    pub exit_when_idle: Option<Duration>,
}

impl WorkerOptions {
    pub fn new(nats: &str, db: &str) -> Self {
        WorkerOptions {
            nats: nats.into(),
            db: db.into(),
            id: format!(
                "{}-{}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into()),
                std::process::id()
            ),
            batch: 1000,
            topology: Topology::default(),
            max_deliver: 5,
            metrics_listen: None,
            work_dir: std::env::temp_dir().join("clearway-worker"),
            defaults: PipelineOptions {
                lists: true,
                ..Default::default()
            },
            exit_when_idle: None,
        }
    }
}

/// What a worker did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WorkerReport {
    pub stored: u64,
    pub duplicates: u64,
    pub batches: u64,
    pub redeliveries: u64,
    pub dead_letters: u64,
    pub store_retries: u64,
}

/// Run until SIGTERM or SIGINT (then drain), on a runtime of its own.
pub fn run_until_signal(opts: WorkerOptions) -> Result<WorkerReport> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            let _ = tx.send(true);
        });
        run(opts, rx).await
    })
}

/// The two connections a worker holds: one writes batches, one reads history.
struct Db {
    store: Box<dyn Store>,
    history: Box<dyn Store>,
}

/// What became of one message of a batch.
#[derive(Debug, Clone)]
enum Item {
    Stored,
    Duplicate,
    Failed(String),
}

/// Whether a store error is about the connection (retry the batch) rather than the data.
fn transient(e: &ServiceError) -> bool {
    let ServiceError::Store(StoreError::Postgres(pg)) = e else {
        return false;
    };
    if pg.is_closed() {
        return true;
    }
    match pg.as_db_error() {
        // No server answer: I/O, connection refused or reset.
        None => true,
        Some(db) => {
            let c = db.code().code();
            c.starts_with("08") // connection exception
                || c.starts_with("53") // insufficient resources
                || c.starts_with("57P") // admin/crash shutdown, cannot connect now
                || c == "40001" // serialization failure
                || c == "40P01" // deadlock
        }
    }
}

/// Decode, assess and write one batch; `Err` only for an error worth retrying the whole batch.
fn attempt(
    screener: &Screener,
    db: &mut Db,
    inputs: &[(Option<HeaderMap>, Bytes)],
) -> Result<Vec<Item>, ServiceError> {
    let mut out = vec![Item::Failed(String::new()); inputs.len()];
    let mut items = Vec::with_capacity(inputs.len());
    let mut at = Vec::with_capacity(inputs.len());
    {
        let mut assessor =
            Assessor::new(screener, db.history.as_mut(), Arc::new(AtomicU64::new(0)));
        for (i, (headers, body)) in inputs.iter().enumerate() {
            match envelope::decode(headers.as_ref(), body) {
                Err(p) => out[i] = Item::Failed(format!("undecodable: {p}")),
                Ok((source, rec)) => {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        assessor.assess(&source, rec)
                    }));
                    match r {
                        Ok(Ok(item)) => {
                            items.push(item);
                            at.push(i);
                        }
                        Ok(Err(e)) if transient(&e) => return Err(e),
                        Ok(Err(e)) => out[i] = Item::Failed(format!("assessment: {e}")),
                        Err(panic) => {
                            let msg = panic
                                .downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| panic.downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "panic".into());
                            out[i] = Item::Failed(format!("assessment panicked: {msg}"));
                        }
                    }
                }
            }
        }
    }
    let mark = |o: &Outcome| match o {
        Outcome::Duplicate(_) => Item::Duplicate,
        _ => Item::Stored,
    };
    match db.store.write_batch(&items) {
        Ok(outcomes) => {
            for (k, o) in outcomes.iter().enumerate() {
                out[at[k]] = mark(o);
            }
        }
        Err(e) => {
            let e = ServiceError::from(e);
            if transient(&e) {
                return Err(e);
            }
            // One item spoils the batch: store them one at a time; the bad ones fail alone.
            for (k, item) in items.iter().enumerate() {
                match db.store.write_batch(std::slice::from_ref(item)) {
                    Ok(o) => out[at[k]] = mark(&o[0]),
                    Err(e) => {
                        let e = ServiceError::from(e);
                        if transient(&e) {
                            return Err(e);
                        }
                        out[at[k]] = Item::Failed(format!("store refused it: {e}"));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn open_db(url: &str) -> Result<Db, ServiceError> {
    Ok(Db {
        store: open_store(url)?,
        history: open_store(url)?,
    })
}

/// Sleep, or return early (true) when shutdown is asked for.
async fn pause(shutdown: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *shutdown.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *shutdown.borrow(),
        r = shutdown.changed() => r.is_err() || *shutdown.borrow(),
    }
}

fn backoff(n: u32) -> Duration {
    Duration::from_millis((100u64 << n.min(6)).min(5000))
}

/// Open the store, retrying with backoff; `None` when shut down first.
async fn connect_db(url: &str, shutdown: &mut watch::Receiver<bool>) -> Result<Option<Db>> {
    let mut n = 0;
    loop {
        let u = url.to_owned();
        match tokio::task::spawn_blocking(move || open_db(&u))
            .await
            .map_err(|e| WorkerError::Invalid(e.to_string()))?
        {
            Ok(db) => return Ok(Some(db)),
            Err(e) => {
                tracing::warn!("store not reachable: {e}; retrying");
                if !matches!(e, ServiceError::File { .. }) && !transient(&e) {
                    return Err(e.into());
                }
            }
        }
        if pause(shutdown, backoff(n)).await {
            return Ok(None);
        }
        n += 1;
    }
}

/// The pipeline a worker runs, and what it was built from.
struct Active {
    screener: Arc<Screener>,
    /// The configuration set's hash, or `default`.
    set: String,
}

async fn build(db: Db, options: PipelineOptions, set: String) -> Result<(Db, Result<Active>)> {
    let (db, r) = tokio::task::spawn_blocking(move || {
        let mut db = db;
        let r = build_pipeline(db.store.as_mut(), &options);
        (db, r)
    })
    .await
    .map_err(|e| WorkerError::Invalid(e.to_string()))?;
    let active = r.map(|s| Active {
        screener: Arc::new(s),
        set,
    });
    Ok((db, active.map_err(WorkerError::from)))
}

/// The synchronous PostgreSQL client may not be dropped on the async runtime's threads.
fn drop_blocking(db: Db) {
    tokio::task::spawn_blocking(move || drop(db));
}

/// The options of a configuration set, unpacked under the work directory.
async fn options_of(
    js: &jetstream::Context,
    work_dir: &std::path::Path,
    set: &str,
) -> Result<PipelineOptions> {
    let s = config::fetch(js, set).await?;
    let dir = work_dir.join(format!("config-{set}"));
    let d = dir.clone();
    tokio::task::spawn_blocking(move || s.unpack(&d))
        .await
        .map_err(|e| WorkerError::Invalid(e.to_string()))?
}

/// Run a worker until `shutdown` turns true (then drain) or, with `exit_when_idle`, the stream stays
/// empty that long.
pub async fn run(opts: WorkerOptions, mut shutdown: watch::Receiver<bool>) -> Result<WorkerReport> {
    let metrics = Arc::new(Metrics::default());
    let client = crate::connect(&opts.nats).await?;
    let js = jetstream::new(client.clone());
    let mut consumers = loop {
        match async {
            let stream = opts.topology.ensure_streams(&js).await?;
            opts.topology.ensure_consumers(&stream).await
        }
        .await
        {
            Ok(c) => break c,
            Err(e) => {
                tracing::warn!("setting up the stream: {e}; retrying");
                if pause(&mut shutdown, Duration::from_secs(1)).await {
                    return Ok(WorkerReport::default());
                }
            }
        }
    };
    // The configuration: the published set, or the defaults.
    let mut revision = 0u64;
    let (options, set) = match config::current(&js).await? {
        Some((ptr, rev)) => {
            revision = rev;
            (options_of(&js, &opts.work_dir, &ptr.set).await?, ptr.set)
        }
        None => (opts.defaults.clone(), "default".to_string()),
    };
    let mut tasks = Vec::new();
    if let Some(addr) = opts.metrics_listen {
        let l = tokio::net::TcpListener::bind(addr).await?;
        tasks.push(tokio::spawn(crate::metrics::serve(l, metrics.clone())));
    }
    let Some(db) = connect_db(&opts.db, &mut shutdown).await? else {
        return Ok(WorkerReport::default());
    };
    // From here on `db` is dropped only off the runtime (`drop_blocking`).
    let (mut db, active) = build(db, options, set).await?;
    let mut active = match active {
        Ok(a) => a,
        Err(e) => {
            drop_blocking(db);
            return Err(e);
        }
    };
    *metrics.config.lock().unwrap_or_else(|e| e.into_inner()) =
        (active.set.clone(), active.screener.config_hash().to_owned());

    // Side tasks: heartbeats and lag.
    let started_at = chrono::Utc::now();
    let heartbeat = {
        let (m, id) = (metrics.clone(), opts.id.clone());
        move |state: &str| {
            let (set, hash) = m.config.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
            Heartbeat {
                worker: id.clone(),
                host: std::env::var("HOSTNAME").unwrap_or_default(),
                pid: std::process::id(),
                config_set: set,
                config_hash: hash,
                state: state.into(),
                started_at,
                at: chrono::Utc::now(),
                stored: g(&m.stored),
                duplicates: g(&m.duplicates),
                batches: g(&m.batches),
                dead_letters: g(&m.dead_letters),
            }
        }
    };
    let workers = workers_kv(&js).await.ok();
    {
        let (js, m, hb, kv) = (
            js.clone(),
            metrics.clone(),
            heartbeat.clone(),
            workers.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                if let Some(kv) = &kv {
                    let _ = status::beat(kv, &hb("running")).await;
                }
                if let Ok(mut s) = js.get_stream(STREAM).await {
                    if let Ok(i) = s.info().await {
                        m.lag.store(i.state.messages, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }));
    }

    let n = consumers.len();
    let cap = opts.topology.max_ack_pending.max(1) as usize;
    let mut first = 0usize;
    let mut idle_since = Instant::now();
    let mut nats_errors = 0u32;
    'batches: loop {
        if *shutdown.borrow() {
            break;
        }
        // 1. Configuration, at the batch boundary.
        if let Ok(Some((ptr, rev))) = config::current(&js).await {
            if rev != revision && ptr.set != active.set {
                match options_of(&js, &opts.work_dir, &ptr.set).await {
                    Ok(o) => {
                        let (d, a) = build(db, o, ptr.set.clone()).await?;
                        db = d;
                        match a {
                            Ok(a) => active = a,
                            Err(e) => {
                                tracing::warn!(
                                    "configuration {}: {e}; keeping {}",
                                    ptr.set,
                                    active.set
                                );
                                revision = rev;
                                continue;
                            }
                        }
                        tracing::info!(
                            "configuration {} (pipeline {})",
                            active.set,
                            active.screener.config_hash()
                        );
                        *metrics.config.lock().unwrap_or_else(|e| e.into_inner()) =
                            (active.set.clone(), active.screener.config_hash().to_owned());
                    }
                    Err(e) => {
                        tracing::warn!("configuration {}: {e}; keeping {}", ptr.set, active.set)
                    }
                }
            }
            revision = rev;
        }

        // 2. Fetch.
        let t0 = Instant::now();
        let mut msgs: Vec<(u32, jetstream::Message)> = Vec::with_capacity(opts.batch);
        let mut failed = 0;
        for k in 0..n {
            let left = opts.batch.saturating_sub(msgs.len());
            if left == 0 {
                break;
            }
            let p = (first + k) % n;
            // A pull request sent while the connection was down is never answered: bound every fetch.
            // Messages lost with a timed-out fetch are delivered again after `ack_wait`.
            let fetched = tokio::time::timeout(Duration::from_secs(2), async {
                let mut got = Vec::new();
                let mut b = consumers[p]
                    .fetch()
                    .max_messages(left.min(cap))
                    .messages()
                    .await
                    .map_err(|e| e.to_string())?;
                while let Some(m) = b.next().await {
                    match m {
                        Ok(m) => got.push(m),
                        Err(_) => break,
                    }
                }
                Ok::<_, String>(got)
            })
            .await;
            match fetched {
                Ok(Ok(got)) => msgs.extend(got.into_iter().map(|m| (p as u32, m))),
                Ok(Err(e)) => {
                    failed += 1;
                    tracing::debug!("fetch from partition {p}: {e}");
                }
                Err(_) => {
                    failed += 1;
                    tracing::debug!("fetch from partition {p}: no answer");
                }
            }
        }
        first = (first + 1) % n.max(1);
        if msgs.is_empty() {
            if failed == n {
                nats_errors += 1;
                tracing::warn!("NATS not answering; backing off");
                if pause(&mut shutdown, backoff(nats_errors)).await {
                    break;
                }
                // A server that lost its state (a new one, or storage not synced) needs the stream
                // and the consumers again.
                if nats_errors >= 3 {
                    let again = async {
                        let stream = opts.topology.ensure_streams(&js).await?;
                        opts.topology.ensure_consumers(&stream).await
                    };
                    if let Ok(c) = again.await {
                        consumers = c;
                    }
                }
                continue;
            }
            nats_errors = 0;
            if let Some(limit) = opts.exit_when_idle {
                if idle_since.elapsed() >= limit {
                    break;
                }
            }
            if pause(&mut shutdown, Duration::from_millis(50)).await {
                break;
            }
            continue;
        }
        nats_errors = 0;

        // 3. Assess and write (retrying connection errors with the same batch).
        let mut delivered = Vec::with_capacity(msgs.len());
        for (_, m) in &msgs {
            let d = m.info().map(|i| i.delivered).unwrap_or(1);
            if d > 1 {
                metrics.redeliveries.fetch_add(1, Ordering::Relaxed);
            }
            delivered.push(d);
        }
        let inputs: Arc<Vec<(Option<HeaderMap>, Bytes)>> = Arc::new(
            msgs.iter()
                .map(|(_, m)| (m.headers.clone(), m.payload.clone()))
                .collect(),
        );
        let mut tries = 0u32;
        let mut last_progress = Instant::now();
        let outcome = loop {
            let (scr, inp) = (active.screener.clone(), inputs.clone());
            let (d, r) = tokio::task::spawn_blocking(move || {
                let mut db = db;
                let r = attempt(&scr, &mut db, &inp);
                (db, r)
            })
            .await
            .map_err(|e| WorkerError::Invalid(e.to_string()))?;
            db = d;
            match r {
                Ok(items) => break items,
                Err(e) if transient(&e) => {
                    metrics.store_retries.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!("store: {e}; retrying the batch");
                    if last_progress.elapsed() >= opts.topology.ack_wait / 3 || tries == 0 {
                        for (_, m) in &msgs {
                            let _ = m.ack_with(AckKind::Progress).await;
                        }
                        last_progress = Instant::now();
                    }
                    if pause(&mut shutdown, backoff(tries)).await {
                        // Not committed: leave the messages to be delivered again.
                        break 'batches;
                    }
                    tries += 1;
                    // The connections may be gone: open new ones.
                    match connect_db(&opts.db, &mut shutdown).await? {
                        Some(fresh) => drop_blocking(std::mem::replace(&mut db, fresh)),
                        None => break 'batches,
                    }
                }
                Err(e) => {
                    drop_blocking(db);
                    return Err(e.into());
                }
            }
        };

        // 4. Acknowledge after commit; dead-letter what keeps failing.
        for (((p, m), item), d) in msgs.iter().zip(&outcome).zip(&delivered) {
            match item {
                Item::Stored | Item::Duplicate => {
                    let c = if matches!(item, Item::Stored) {
                        &metrics.stored
                    } else {
                        &metrics.duplicates
                    };
                    c.fetch_add(1, Ordering::Relaxed);
                    let _ = m.ack().await;
                }
                Item::Failed(reason) if *d >= opts.max_deliver => {
                    if dead_letter(&js, *p, m, reason, *d).await.is_ok() {
                        metrics.dead_letters.fetch_add(1, Ordering::Relaxed);
                        let _ = m.ack().await;
                    } else {
                        let _ = m.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
                    }
                }
                Item::Failed(reason) => {
                    tracing::warn!("message {d}/{} failed: {reason}", opts.max_deliver);
                    let _ = m
                        .ack_with(AckKind::Nak(Some(Duration::from_millis(500))))
                        .await;
                }
            }
        }
        metrics.observe_batch(t0.elapsed().as_secs_f64());
        idle_since = Instant::now();
    }

    // Drain: acknowledgements out, heartbeat says stopped.
    // NATS may be away: none of this waits long.
    let _ = tokio::task::spawn_blocking(move || drop(db)).await;
    let limit = Duration::from_secs(5);
    let _ = tokio::time::timeout(limit, client.flush()).await;
    for t in tasks {
        t.abort();
    }
    if let Some(kv) = &workers {
        let _ = tokio::time::timeout(limit, status::beat(kv, &heartbeat("stopped"))).await;
    }
    let _ = tokio::time::timeout(limit, client.flush()).await;
    let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
    Ok(WorkerReport {
        stored: g(&metrics.stored),
        duplicates: g(&metrics.duplicates),
        batches: g(&metrics.batches),
        redeliveries: g(&metrics.redeliveries),
        dead_letters: g(&metrics.dead_letters),
        store_retries: g(&metrics.store_retries),
    })
}

/// Publish a message to the dead-letter stream with its reason; stored by JetStream when this returns.
async fn dead_letter(
    js: &jetstream::Context,
    p: u32,
    m: &jetstream::Message,
    reason: &str,
    deliveries: i64,
) -> Result<()> {
    let mut h = m.headers.clone().unwrap_or_default();
    h.insert(H_REASON, reason.replace(['\r', '\n'], " ").as_str());
    h.insert(H_DELIVERIES, deliveries.to_string().as_str());
    h.insert(H_SUBJECT, m.subject.as_str());
    js.publish_with_headers(dead_subject(p), h, m.payload.clone())
        .await
        .map_err(nats)?
        .await
        .map_err(nats)?;
    Ok(())
}
