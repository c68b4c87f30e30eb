//! The names and shapes of everything Clearway keeps in JetStream, created idempotently by whoever
//! comes first (a publisher or a worker).
//!
//! | what | name | kind |
//! |---|---|---|
//! | accepted inputs | stream `CLEARWAY_FILINGS`, subjects `clearway.filings.{p}` | work-queue retention, file storage, 2-minute duplicate window |
//! | one partition | durable pull consumer `part-{p}` filtering `clearway.filings.{p}` | explicit ack, `max_ack_pending` = one fetch, so one batch per partition is in flight and the versions of a filing are assessed in order |
//! | dead letters | stream `CLEARWAY_DEAD`, subjects `clearway.dead.{p}` | limits retention, kept |
//! | configuration | object store `clearway-config` (the set, by hash) and KV `clearway-config` key `current` (which hash) | |
//! | heartbeats | KV `clearway-workers`, one key per worker | entries expire after 60 s |
//!
//! A filing's partition is a hash of its id (BLAKE3, first 8 bytes, modulo the partition count), so
//! every version of it goes to the same partition.

use crate::{Result, nats_at};
use async_nats::jetstream::{self, consumer, kv, stream};
use std::time::Duration;

pub const STREAM: &str = "CLEARWAY_FILINGS";
pub const DEAD_STREAM: &str = "CLEARWAY_DEAD";
pub const CONFIG_BUCKET: &str = "clearway-config";
pub const CONFIG_KEY: &str = "current";
pub const WORKERS_BUCKET: &str = "clearway-workers";
/// How long a heartbeat lives without renewal.
pub const HEARTBEAT_TTL: Duration = Duration::from_secs(60);

/// The shape of the stream and its consumers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Topology {
    /// Subject partitions (and consumers). Fixed once the stream exists.
    pub partitions: u32,
    /// Unacknowledged messages one partition may have out (one worker's fetch).
    pub max_ack_pending: i64,
    /// How long a delivered message may stay unacknowledged before it is delivered again.
    pub ack_wait: Duration,
}

impl Default for Topology {
    fn default() -> Self {
        Topology {
            partitions: 16,
            max_ack_pending: 500,
            ack_wait: Duration::from_secs(30),
        }
    }
}

/// The partition of a filing id.
pub fn partition(filing_id: &str, partitions: u32) -> u32 {
    let h = blake3::hash(filing_id.as_bytes());
    let b = h.as_bytes();
    let x = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    (x % u64::from(partitions.max(1))) as u32
}

pub fn subject(p: u32) -> String {
    format!("clearway.filings.{p}")
}

pub fn dead_subject(p: u32) -> String {
    format!("clearway.dead.{p}")
}

pub fn consumer_name(p: u32) -> String {
    format!("part-{p}")
}

impl Topology {
    /// Create (or find) the two streams; returns the filings stream.
    pub async fn ensure_streams(&self, js: &jetstream::Context) -> Result<stream::Stream> {
        js.get_or_create_stream(stream::Config {
            name: DEAD_STREAM.into(),
            subjects: vec!["clearway.dead.>".into()],
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .map_err(nats_at("dead-letter stream"))?;
        js.get_or_create_stream(stream::Config {
            name: STREAM.into(),
            subjects: vec!["clearway.filings.*".into()],
            retention: stream::RetentionPolicy::WorkQueue,
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .map_err(nats_at("filings stream"))
    }

    /// The partition consumers, created when missing.
    pub async fn ensure_consumers(
        &self,
        stream: &stream::Stream,
    ) -> Result<Vec<consumer::PullConsumer>> {
        let mut out = Vec::with_capacity(self.partitions as usize);
        for p in 0..self.partitions {
            let name = consumer_name(p);
            let c = stream
                .get_or_create_consumer(
                    &name,
                    consumer::pull::Config {
                        durable_name: Some(name.clone()),
                        filter_subject: subject(p),
                        ack_policy: consumer::AckPolicy::Explicit,
                        ack_wait: self.ack_wait,
                        max_ack_pending: self.max_ack_pending,
                        // Dead-lettering is the worker's (it knows why); JetStream never drops.
                        max_deliver: -1,
                        ..Default::default()
                    },
                )
                .await
                .map_err(nats_at("partition consumer"))?;
            out.push(c);
        }
        Ok(out)
    }
}

/// A key-value bucket, created when missing. The backing stream is created here with the KV
/// conventions (`KV_{bucket}`, subjects `$KV.{bucket}.>`, rollups, direct get) rather than by
/// `create_key_value`, which asks for account information that NATS 2.9 answers in a shape the client
/// cannot read.
async fn bucket(
    js: &jetstream::Context,
    name: &str,
    history: i64,
    max_age: Duration,
) -> Result<kv::Store> {
    if let Ok(s) = js.get_key_value(name).await {
        return Ok(s);
    }
    js.get_or_create_stream(stream::Config {
        name: format!("KV_{name}"),
        subjects: vec![format!("$KV.{name}.>")],
        max_messages_per_subject: history,
        max_age,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    })
    .await
    .map_err(nats_at("creating a key-value bucket"))?;
    js.get_key_value(name)
        .await
        .map_err(nats_at("opening a key-value bucket"))
}

/// The configuration bucket (pointer to the current set).
pub async fn config_kv(js: &jetstream::Context) -> Result<kv::Store> {
    bucket(js, CONFIG_BUCKET, 16, Duration::ZERO).await
}

/// The heartbeat bucket.
pub async fn workers_kv(js: &jetstream::Context) -> Result<kv::Store> {
    bucket(js, WORKERS_BUCKET, 1, HEARTBEAT_TTL).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_is_stable_and_in_range() {
        assert_eq!(partition("F-1", 16), partition("F-1", 16));
        let mut seen = [0u32; 16];
        for i in 0..1600 {
            seen[partition(&format!("F-{i}"), 16) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
        assert_eq!(partition("x", 0), 0);
    }
}
