//! Who runs what: worker heartbeats (KV `clearway-workers`, expiring after 60 s), the configuration
//! pointer, the stream's lag and the dead letters — what `clearway stats` and the API show.

use crate::config::{self, Pointer};
use crate::topology::{DEAD_STREAM, STREAM, workers_kv};
use crate::{Result, nats};
use async_nats::jetstream;
use futures_util::StreamExt;

/// One worker's heartbeat.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Heartbeat {
    pub worker: String,
    pub host: String,
    pub pid: u32,
    /// The configuration set it runs (`default` when none was published).
    pub config_set: String,
    /// The pipeline's configuration hash, which its decisions record.
    pub config_hash: String,
    /// `running`, `draining` or `stopped`.
    pub state: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub stored: u64,
    pub duplicates: u64,
    pub batches: u64,
    pub dead_letters: u64,
}

/// A dead letter, as listed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadLetter {
    pub sequence: u64,
    pub subject: String,
    pub filing_id: Option<String>,
    pub reason: Option<String>,
    pub deliveries: Option<String>,
}

/// The state of the stream side.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub config: Option<Pointer>,
    pub workers: Vec<Heartbeat>,
    /// Messages waiting on the stream (not yet acknowledged).
    pub queued: u64,
    pub dead_letters: u64,
}

/// Put a heartbeat.
pub async fn beat(kv: &jetstream::kv::Store, hb: &Heartbeat) -> Result<()> {
    let key: String = hb
        .worker
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    kv.put(
        key,
        serde_json::to_vec(hb)
            .expect("a heartbeat serialises")
            .into(),
    )
    .await
    .map_err(nats)?;
    Ok(())
}

/// Read the status.
pub async fn status(js: &jetstream::Context) -> Result<Status> {
    let kv = workers_kv(js).await?;
    let mut workers = Vec::new();
    let mut keys = kv.keys().await.map_err(nats)?;
    while let Some(k) = keys.next().await {
        let k = k.map_err(nats)?;
        if let Some(v) = kv.get(&k).await.map_err(nats)? {
            if let Ok(hb) = serde_json::from_slice::<Heartbeat>(&v) {
                workers.push(hb);
            }
        }
    }
    workers.sort_by(|a, b| a.worker.cmp(&b.worker));
    let count = |name: &'static str| async move {
        match js.get_stream(name).await {
            Ok(mut s) => s.info().await.map(|i| i.state.messages).map_err(nats),
            Err(_) => Ok(0),
        }
    };
    Ok(Status {
        config: config::current(js).await?.map(|(p, _)| p),
        workers,
        queued: count(STREAM).await?,
        dead_letters: count(DEAD_STREAM).await?,
    })
}

/// The dead letters, oldest first (up to `limit`).
pub async fn dead_letters(js: &jetstream::Context, limit: usize) -> Result<Vec<DeadLetter>> {
    let Ok(stream) = js.get_stream(DEAD_STREAM).await else {
        return Ok(Vec::new());
    };
    let consumer: jetstream::consumer::PullConsumer = stream
        .create_consumer(jetstream::consumer::pull::Config {
            ack_policy: jetstream::consumer::AckPolicy::None,
            inactive_threshold: std::time::Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .map_err(nats)?;
    let mut out = Vec::new();
    let mut msgs = consumer
        .fetch()
        .max_messages(limit.max(1))
        .messages()
        .await
        .map_err(nats)?;
    while let Some(m) = msgs.next().await {
        let m = m.map_err(nats)?;
        let h = |k: &str| {
            m.headers
                .as_ref()
                .and_then(|h| h.get(k))
                .map(|v| v.as_str().to_owned())
        };
        out.push(DeadLetter {
            sequence: m.info().map(|i| i.stream_sequence).unwrap_or(0),
            subject: m.subject.to_string(),
            filing_id: h(crate::envelope::H_FILING),
            reason: h(crate::envelope::H_REASON),
            deliveries: h(crate::envelope::H_DELIVERIES),
        });
    }
    Ok(out)
}
