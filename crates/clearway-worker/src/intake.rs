//! Intake: read inputs with the readers `clearway screen` uses and put every accepted record on the
//! stream, on the subject of its filing's partition. An input is acknowledged (to `on_ack`) only once
//! JetStream has stored it; a rejected input is stored in the store with its reasons, as `screen` does,
//! and acknowledged after that commit.
//!
//! Publishing the same file twice is harmless: within JetStream's duplicate window the stream drops the
//! copy (`Nats-Msg-Id`), after it the store keeps the first decision of each `(filing_id, version)`.

use crate::envelope;
use crate::topology::{Topology, partition, subject};
use crate::{Result, WorkerError, nats};
use async_nats::jetstream;
use clearway_formats::Record;
use clearway_service::ingest::Input;
use clearway_store::{BatchItem, InputRef, Outcome, Rejected, Store};
use std::collections::VecDeque;
use std::io::BufReader;

/// How intake goes.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub topology: Topology,
    /// Publishes awaiting JetStream's acknowledgement at once.
    pub in_flight: usize,
    /// Rejected inputs per store transaction.
    pub reject_batch: usize,
}

impl Default for PublishOptions {
    fn default() -> Self {
        PublishOptions {
            topology: Topology::default(),
            in_flight: 512,
            reject_batch: 1000,
        }
    }
}

/// What became of one input record.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Published {
    /// Stored by JetStream (`duplicate`: already there, within the duplicate window).
    Queued {
        input: InputRef,
        filing_id: String,
        version: u32,
        sequence: u64,
        duplicate: bool,
    },
    /// Rejected by the reader; stored in the store with its reasons.
    Rejected {
        input: InputRef,
        diagnostics: Vec<clearway_core::Diagnostic>,
    },
}

/// Counts of one intake run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PublishReport {
    pub queued: u64,
    /// Dropped by JetStream as already queued.
    pub duplicates: u64,
    pub rejected: u64,
    /// Rejected inputs not stored before.
    pub rejected_new: u64,
}

type AckFuture = jetstream::context::PublishAckFuture;

/// Publish `inputs` to the stream; rejected records go to `store`. `on_ack` runs for every record,
/// in input order, once it is safe (stored by JetStream, or committed to the store).
pub async fn publish(
    js: &jetstream::Context,
    inputs: Vec<Input>,
    store: &mut dyn Store,
    opts: &PublishOptions,
    on_ack: &mut (dyn FnMut(&Published) + Send),
) -> Result<PublishReport> {
    opts.topology.ensure_streams(js).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(String, Vec<Record>)>(8);
    // Reading and parsing is blocking work: its own thread.
    let reader = std::thread::spawn(move || {
        for input in inputs {
            let name = input.name;
            let recs = clearway_formats::records(BufReader::with_capacity(1 << 20, input.source));
            let mut chunk = Vec::with_capacity(256);
            for r in recs {
                chunk.push(r);
                if chunk.len() == 256
                    && tx
                        .blocking_send((name.clone(), std::mem::take(&mut chunk)))
                        .is_err()
                {
                    return;
                }
            }
            if !chunk.is_empty() && tx.blocking_send((name, chunk)).is_err() {
                return;
            }
        }
    });
    let mut report = PublishReport::default();
    // In input order: a publish awaiting its ack, or rejects awaiting their commit.
    enum Pending {
        Queued(InputRef, String, u32, AckFuture),
        Rejected(InputRef, Vec<clearway_core::Diagnostic>),
    }
    let mut pending: VecDeque<Pending> = VecDeque::new();
    let mut rejects: Vec<BatchItem> = Vec::new();
    let mut in_flight = 0usize;

    // Settle the oldest pending records until at most `keep` publishes are in flight (all when 0).
    async fn settle(
        pending: &mut VecDeque<Pending>,
        in_flight: &mut usize,
        keep: usize,
        rejects: &mut Vec<BatchItem>,
        store: &mut dyn Store,
        report: &mut PublishReport,
        on_ack: &mut (dyn FnMut(&Published) + Send),
    ) -> Result<()> {
        while *in_flight > keep || (keep == 0 && !pending.is_empty()) {
            let Some(p) = pending.pop_front() else { break };
            match p {
                Pending::Queued(input, filing_id, version, fut) => {
                    *in_flight -= 1;
                    let ack = fut.await.map_err(nats)?;
                    report.queued += 1;
                    report.duplicates += u64::from(ack.duplicate);
                    on_ack(&Published::Queued {
                        input,
                        filing_id,
                        version,
                        sequence: ack.sequence,
                        duplicate: ack.duplicate,
                    });
                }
                Pending::Rejected(input, diagnostics) => {
                    // Its batch must be committed before it is acknowledged.
                    if !rejects.is_empty() {
                        commit_rejects(store, rejects, report)?;
                    }
                    report.rejected += 1;
                    on_ack(&Published::Rejected { input, diagnostics });
                }
            }
        }
        Ok(())
    }

    while let Some((name, recs)) = rx.recv().await {
        for rec in recs {
            let input = InputRef {
                source: name.clone(),
                line: rec.line,
            };
            match rec.outcome {
                Ok(parsed) => {
                    let e = envelope::encode(&input, &rec.raw, &parsed)
                        .map_err(|e| WorkerError::Invalid(format!("encoding {name}: {e}")))?;
                    let p = partition(&parsed.filing.id, opts.topology.partitions);
                    let fut = js
                        .publish_with_headers(subject(p), e.headers, e.body)
                        .await
                        .map_err(nats)?;
                    pending.push_back(Pending::Queued(
                        input,
                        parsed.filing.id,
                        parsed.filing.version,
                        fut,
                    ));
                    in_flight += 1;
                }
                Err(diagnostics) => {
                    rejects.push(BatchItem::Rejected(Rejected {
                        input: input.clone(),
                        raw: rec.raw,
                        diagnostics: diagnostics.clone(),
                    }));
                    pending.push_back(Pending::Rejected(input, diagnostics));
                    if rejects.len() >= opts.reject_batch {
                        commit_rejects(store, &mut rejects, &mut report)?;
                    }
                }
            }
            if in_flight >= opts.in_flight.max(1) {
                settle(
                    &mut pending,
                    &mut in_flight,
                    opts.in_flight / 2,
                    &mut rejects,
                    store,
                    &mut report,
                    on_ack,
                )
                .await?;
            }
        }
    }
    if !rejects.is_empty() {
        commit_rejects(store, &mut rejects, &mut report)?;
    }
    settle(
        &mut pending,
        &mut in_flight,
        0,
        &mut rejects,
        store,
        &mut report,
        on_ack,
    )
    .await?;
    let _ = reader.join();
    Ok(report)
}

fn commit_rejects(
    store: &mut dyn Store,
    rejects: &mut Vec<BatchItem>,
    report: &mut PublishReport,
) -> Result<()> {
    // The store is synchronous: off the runtime's scheduling while it works.
    let outcomes = tokio::task::block_in_place(|| store.write_batch(rejects))?;
    report.rejected_new += outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Rejected { new: true }))
        .count() as u64;
    rejects.clear();
    Ok(())
}
