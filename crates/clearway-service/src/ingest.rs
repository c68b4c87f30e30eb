//! Ingest: the three-stage batch loop behind `clearway screen`, `POST /v1/filings` and `bench pipeline`.
//!
//! A reader thread reads and parses (formats); an assessor thread assesses (engine) and cuts batches; a
//! writer thread stores each batch in one transaction (store, group commit: batches queued behind the
//! store are committed together) and only then hands its acknowledgements to the caller's `on_ack`, on
//! the calling thread. A kill at any moment therefore loses nothing acknowledged and leaves nothing
//! half-written. Sender-format responses (CUSRES, 997 + 355, WCO DM response) are produced only after
//! every batch of the run is committed. History for amendments comes from a second, read-only use of
//! the store plus an overlay of the batches still in flight.
//!
//! Needs no terminal, file or stdout: inputs are readers, results are values.

use crate::pipeline::Screener;
use crate::{Result, ServiceError};
use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, FilingStatus, Severity};
use clearway_engine::Prior;
use clearway_formats::{Interchange, MessageFormat, Record, edifact, wco, x12};
use clearway_store::{Accepted, BatchItem, InputRef, Outcome, Rejected, Store};
use crossbeam_channel::bounded;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One input of a run: a name (file name, request id) and its bytes.
pub struct Input {
    pub name: String,
    pub source: Box<dyn Read + Send>,
}

/// How a run goes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IngestOptions {
    /// Filings per stored batch (one transaction).
    pub batch: usize,
    /// Produce the sender-format responses of EDI and XML inputs (after commit), dated this time.
    pub respond: Option<DateTime<Utc>>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            batch: 1000,
            respond: None,
        }
    }
}

/// What became of one input record, once its batch is committed.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Acked {
    Decision {
        decision: Box<Decision>,
        duplicate: bool,
        input: InputRef,
        diagnostics: Vec<Diagnostic>,
    },
    Rejected {
        input: InputRef,
        diagnostics: Vec<Diagnostic>,
    },
}

/// One sender-format response.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Response {
    /// The input it answers.
    pub input: String,
    /// A file name for it: `{input stem}.{message reference}.cusres.edi`, `.997.edi`, `.355.edi`,
    /// `.response.xml`.
    pub name: String,
    /// `cusres`, `997`, `355` or `wco-response`.
    pub kind: &'static str,
    pub body: String,
}

/// Envelope errors per responded input.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Responded {
    pub input: String,
    pub responses: usize,
    pub envelope_errors: usize,
}

/// Counts of a run, and the responses.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestReport {
    pub decisions: u64,
    pub lanes: BTreeMap<&'static str, u64>,
    pub duplicates: u64,
    pub rejected: u64,
    pub warnings: u64,
    /// Sender-format responses, produced after the last commit (with `respond`).
    pub responses: Vec<Response>,
    pub responded: Vec<Responded>,
}

impl IngestReport {
    fn count(&mut self, a: &Acked) {
        match a {
            Acked::Decision {
                decision,
                duplicate,
                diagnostics,
                ..
            } => {
                self.decisions += 1;
                *self.lanes.entry(decision.lane.as_str()).or_default() += 1;
                self.duplicates += u64::from(*duplicate);
                self.warnings += diagnostics.len() as u64;
            }
            Acked::Rejected { .. } => self.rejected += 1,
        }
    }
}

/// Assess parsed records into batch items, with the history amendments need.
pub struct Assessor<'a> {
    screener: &'a Screener,
    /// Read-only use of the store: committed history.
    history: &'a mut dyn Store,
    /// First filing time and batch number of ids in batches not yet known to be committed.
    overlay: HashMap<String, (Option<DateTime<Utc>>, u64)>,
    /// Number of the batch being cut (1-based).
    batch_no: u64,
    /// Highest batch number the writer has committed.
    committed: Arc<AtomicU64>,
}

impl<'a> Assessor<'a> {
    pub fn new(
        screener: &'a Screener,
        history: &'a mut dyn Store,
        committed: Arc<AtomicU64>,
    ) -> Self {
        Assessor {
            screener,
            history,
            overlay: HashMap::new(),
            batch_no: 1,
            committed,
        }
    }

    fn prior(&mut self, f: &Filing) -> Result<Option<Prior>> {
        if f.version <= 1 && f.status == FilingStatus::Original {
            return Ok(None);
        }
        let hist = self.history.history(&f.id)?;
        let mut prior = Prior {
            first_filed_at: hist.first_filed_at(),
            versions: hist.versions.len(),
        };
        if let Some((t, _)) = self.overlay.get(&f.id) {
            prior.first_filed_at = match (prior.first_filed_at, *t) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            prior.versions = prior.versions.max(1);
        }
        Ok(Some(prior))
    }

    /// Assess one parsed record.
    pub fn assess(&mut self, source: &str, rec: Record) -> Result<BatchItem> {
        let input = InputRef {
            source: source.to_owned(),
            line: rec.line,
        };
        Ok(match rec.outcome {
            Ok(parsed) => {
                let prior = self.prior(&parsed.filing)?;
                let decision = self.screener.assess(&parsed.filing, prior.as_ref());
                let no = self.batch_no;
                self.overlay
                    .entry(parsed.filing.id.clone())
                    .or_insert((parsed.filing.times.filed_at, no));
                BatchItem::Accepted(Accepted {
                    input,
                    raw: rec.raw,
                    filing: parsed.filing,
                    diagnostics: parsed.diagnostics,
                    decision,
                })
            }
            Err(diagnostics) => BatchItem::Rejected(Rejected {
                input,
                raw: rec.raw,
                diagnostics,
            }),
        })
    }

    /// A batch was cut: later items belong to the next one; forget what is committed.
    pub fn next_batch(&mut self) {
        self.batch_no += 1;
        let done = self.committed.load(Ordering::Acquire);
        if self.overlay.len() > 4096 {
            self.overlay.retain(|_, (_, no)| *no > done);
        }
    }
}

/// Store a batch (one transaction) and turn the outcomes into acknowledgements.
pub fn store_batch(store: &mut dyn Store, items: Vec<BatchItem>) -> Result<Vec<Acked>> {
    let outcomes = store.write_batch(&items)?;
    Ok(items
        .into_iter()
        .zip(outcomes)
        .map(|(item, outcome)| match (item, outcome) {
            (BatchItem::Accepted(a), Outcome::Duplicate(d)) => Acked::Decision {
                decision: d,
                duplicate: true,
                input: a.input,
                diagnostics: a.diagnostics,
            },
            (BatchItem::Accepted(a), _) => Acked::Decision {
                decision: Box::new(a.decision),
                duplicate: false,
                input: a.input,
                diagnostics: a.diagnostics,
            },
            (BatchItem::Rejected(r), _) => Acked::Rejected {
                input: r.input,
                diagnostics: r.diagnostics,
            },
        })
        .collect())
}

/// The responses to one interchange, named after the input, dated `issued`.
pub fn responses(input: &str, ic: &Interchange, issued: DateTime<Utc>) -> Vec<Response> {
    let stem = std::path::Path::new(input)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into());
    let safe = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    let one = |name: String, kind, body| Response {
        input: input.to_owned(),
        name,
        kind,
        body,
    };
    let mut out = Vec::new();
    match ic.format {
        MessageFormat::Edifact => {
            for m in &ic.messages {
                out.push(one(
                    format!("{stem}.{}.cusres.edi", safe(&m.reference)),
                    "cusres",
                    text(edifact::cusres(ic, m, issued)),
                ));
            }
        }
        MessageFormat::X12 => {
            out.push(one(
                format!("{stem}.997.edi"),
                "997",
                text(x12::ack_997(ic, issued)),
            ));
            for m in &ic.messages {
                out.push(one(
                    format!("{stem}.{}.355.edi", safe(&m.reference)),
                    "355",
                    text(x12::response_355(ic, m, issued)),
                ));
            }
        }
        MessageFormat::WcoXml => {
            for m in &ic.messages {
                out.push(one(
                    format!("{stem}.{}.response.xml", safe(&m.reference)),
                    "wco-response",
                    text(wco::response(ic, m, issued)),
                ));
            }
        }
    }
    out
}

struct Chunk(usize, Vec<Record>);

/// Read one input into record chunks; with `respond`, an EDI or XML input is read whole first and its
/// responses prepared (they are released only after the run commits).
fn read_input(
    i: usize,
    input: Input,
    respond: Option<DateTime<Utc>>,
    tx: &crossbeam_channel::Sender<Chunk>,
) -> Option<(Vec<Response>, Responded)> {
    let mut reader = BufReader::with_capacity(1 << 20, input.source);
    let mut prepared = None;
    let issued = respond.filter(|_| {
        reader
            .fill_buf()
            .ok()
            .is_some_and(|b| clearway_formats::detect(b).message_format().is_some())
    });
    let recs: Box<dyn Iterator<Item = Record>> = if let Some(issued) = issued {
        let mut bytes = Vec::new();
        if let Err(e) = reader.read_to_end(&mut bytes) {
            let d = Diagnostic::error("input", format!("reading {}: {e}", input.name));
            let _ = tx.send(Chunk(
                i,
                vec![Record {
                    line: 0,
                    raw: Vec::new(),
                    outcome: Err(vec![d]),
                }],
            ));
            return None;
        }
        if let Some(ic) = clearway_formats::read_interchange(&bytes) {
            let errors = ic
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let rs = responses(&input.name, &ic, issued);
            let n = rs.len();
            prepared = Some((
                rs,
                Responded {
                    input: input.name.clone(),
                    responses: n,
                    envelope_errors: errors,
                },
            ));
        }
        clearway_formats::records(std::io::Cursor::new(bytes))
    } else {
        clearway_formats::records(reader)
    };
    let mut chunk = Vec::with_capacity(256);
    for rec in recs {
        chunk.push(rec);
        if chunk.len() == 256
            && tx
                .send(Chunk(
                    i,
                    std::mem::replace(&mut chunk, Vec::with_capacity(256)),
                ))
                .is_err()
        {
            return prepared;
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send(Chunk(i, chunk));
    }
    prepared
}

/// Run the three-stage loop over `inputs`. `open` opens the store (called twice: writer and history).
/// `on_ack` sees every acknowledgement, in input order, after its batch committed; `progress` is told
/// the bytes read so far (for a progress bar).
pub fn run(
    inputs: Vec<Input>,
    screener: &Screener,
    open: &dyn Fn() -> Result<Box<dyn Store>>,
    opts: &IngestOptions,
    on_ack: &mut dyn FnMut(&Acked),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<IngestReport> {
    let batch = opts.batch.max(1);
    let respond = opts.respond;
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let mut store = open()?;
    let mut history = open()?;
    let committed = Arc::new(AtomicU64::new(0));
    let (tx, rx) = bounded::<Chunk>(8);
    let (btx, brx) = bounded::<Vec<BatchItem>>(6);
    let (atx, arx) = bounded::<Vec<Acked>>(4);
    let mut report = IngestReport::default();
    std::thread::scope(|s| -> Result<()> {
        let reader = s.spawn(move || {
            let mut prepared = Vec::new();
            for (i, input) in inputs.into_iter().enumerate() {
                prepared.extend(read_input(i, input, respond, &tx));
            }
            prepared
        });
        let writer_committed = committed.clone();
        let writer = s.spawn(move || -> Result<()> {
            let mut no = 0;
            // Group commit: when batches queue up behind the store, commit them together (up to 8) — each
            // commit rewrites every index page it touches, so fewer, larger commits keep up as the store grows.
            for mut items in brx.iter() {
                let mut merged = 1;
                while merged < 8 {
                    match brx.try_recv() {
                        Ok(more) => {
                            items.extend(more);
                            merged += 1;
                        }
                        Err(_) => break,
                    }
                }
                let acks = store_batch(store.as_mut(), items)?;
                no += merged;
                writer_committed.store(no, Ordering::Release);
                if atx.send(acks).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let assessor = s.spawn(move || -> Result<()> {
            let mut assessor = Assessor::new(screener, history.as_mut(), committed);
            let mut pending = Vec::with_capacity(batch);
            let mut read = 0u64;
            let stopped = || ServiceError::Invalid("the store writer stopped".into());
            for Chunk(i, recs) in rx {
                for rec in recs {
                    read += rec.raw.len() as u64 + 1;
                    pending.push(assessor.assess(&names[i], rec)?);
                    if pending.len() >= batch {
                        let full = std::mem::replace(&mut pending, Vec::with_capacity(batch));
                        btx.send(full).map_err(|_| stopped())?;
                        assessor.next_batch();
                    }
                }
                progress(read);
            }
            if !pending.is_empty() {
                btx.send(pending).map_err(|_| stopped())?;
            }
            Ok(())
        });
        for acks in arx.iter() {
            for a in &acks {
                report.count(a);
                on_ack(a);
            }
        }
        let written = writer
            .join()
            .map_err(|_| ServiceError::Invalid("the store writer panicked".into()))?;
        let assessed = assessor
            .join()
            .map_err(|_| ServiceError::Invalid("the assessor panicked".into()))?;
        let prepared = reader
            .join()
            .map_err(|_| ServiceError::Invalid("the reader panicked".into()))?;
        written?; // a store error explains an assessor-side "writer stopped"
        assessed?;
        // Every batch is committed: the responses may go out.
        for (rs, r) in prepared {
            report.responses.extend(rs);
            report.responded.push(r);
        }
        Ok(())
    })?;
    Ok(report)
}
