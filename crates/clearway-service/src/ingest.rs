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
use clearway_formats::{EnvelopeStatus, Interchange, MessageFormat, Record, edifact, wco, x12};
use clearway_store::{Accepted, BatchItem, InputRef, Outcome, Rejected, Store};
use crossbeam_channel::bounded;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, ErrorKind, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
    /// Produce the sender-format responses of EDI and XML inputs, after the last commit, dated at
    /// that commit (or at this time, if later).
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
    /// The EDI interchanges and XML documents read, each with its envelope's outcome.
    pub interchanges: Vec<InterchangeReport>,
    /// Response documents read back (neither filings nor rejects).
    pub responses_read: u64,
}

impl IngestReport {
    /// Interchanges whose envelope has errors.
    pub fn envelope_errors(&self) -> usize {
        self.interchanges
            .iter()
            .filter(|i| i.envelope == EnvelopeOutcome::Errors)
            .count()
    }

    /// Some input was rejected or an interchange's envelope has errors (`clearway screen` exits 2);
    /// warnings alone never count.
    pub fn has_errors(&self) -> bool {
        self.rejected > 0 || self.envelope_errors() > 0
    }

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
        .map(|(item, outcome)| ack(item, outcome))
        .collect())
}

fn ack(item: BatchItem, outcome: Outcome) -> Acked {
    match (item, outcome) {
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
    }
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

/// How an interchange's envelope came through (see [`clearway_formats::EnvelopeStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvelopeOutcome {
    Clean,
    Warnings,
    /// At least one envelope error: stored once as a reject of the interchange (not of any filing),
    /// the messages' cargo judged on its own; `clearway screen` exits 2.
    Errors,
}

/// One EDI interchange or XML document of a run, as committed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InterchangeReport {
    /// The input it came in.
    pub input: String,
    /// `edifact`, `x12` or `wco-xml`.
    pub format: &'static str,
    /// Interchange control reference (UNB 0020, ISA13, the document's id).
    pub control_ref: Option<String>,
    pub envelope: EnvelopeOutcome,
    /// The envelope's diagnostics (control counts and references, trailers, syntax, character set).
    pub diagnostics: Vec<Diagnostic>,
    /// With [`EnvelopeOutcome::Errors`]: whether this run stored the envelope reject (false: the same
    /// bytes were stored before).
    pub stored: bool,
    /// Response documents read back (WCO DM response, 997/355, CUSRES): `(message type, reference)`.
    /// They are neither filings nor rejects.
    pub responses_read: Vec<(String, String)>,
}

/// The `source` an interchange's envelope reject is stored under: the input and the control reference.
pub fn envelope_source(input: &str, control_ref: Option<&str>) -> String {
    match control_ref.filter(|r| !r.is_empty()) {
        Some(r) => format!("{input} [interchange {r}]"),
        None => format!("{input} [interchange]"),
    }
}

/// What the reader thread hands the assessor.
enum Piece {
    Records(usize, Vec<Record>),
    /// An interchange's envelope: its report, and the reject to store when it has errors.
    Envelope(Box<(InterchangeReport, Option<Rejected>)>),
    /// An input's `Read` failed: the run stops before the batch holding the input commits.
    Failed(usize, std::io::Error),
}

/// A cut batch: the items to store in one transaction, and the envelopes committed with it (with the
/// position of their stored reject among `items`).
struct Batch {
    items: Vec<BatchItem>,
    envelopes: Vec<(Option<usize>, InterchangeReport)>,
}

/// A reader that keeps its first error: the readers below turn an I/O error into a rejected record,
/// and the run must stop instead (a body cut by a limit or a client that hung up is not an input).
struct Watch {
    inner: Box<dyn Read + Send>,
    failed: Arc<Mutex<Option<std::io::Error>>>,
}

impl Read for Watch {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let r = self.inner.read(buf);
        if let Err(e) = &r
            && e.kind() != ErrorKind::Interrupted
        {
            let mut slot = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            if slot.is_none() {
                *slot = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        }
        r
    }
}

/// Bytes read ahead to tell an interchange from a stream of records.
const SNIFF_BYTES: usize = 4096;

/// Read one input into pieces. EDI interchanges and XML documents are read whole, their envelope
/// split from their records ([`clearway_formats::Interchange::into_parts`]); with `respond`, the
/// interchange is kept to answer after commit. Other formats stream.
fn read_input(
    i: usize,
    input: Input,
    respond: bool,
    tx: &crossbeam_channel::Sender<Piece>,
) -> Option<(String, Interchange)> {
    let failed = Arc::new(Mutex::new(None));
    let take = |failed: &Mutex<Option<std::io::Error>>| {
        failed.lock().unwrap_or_else(|p| p.into_inner()).take()
    };
    let mut source = Watch {
        inner: input.source,
        failed: failed.clone(),
    };
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    if let Err(e) = (&mut source)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)
    {
        let _ = tx.send(Piece::Failed(i, take(&failed).unwrap_or(e)));
        return None;
    }
    let reader = std::io::Cursor::new(prefix).chain(source);
    let sniffed = {
        let p = reader.get_ref().0.get_ref();
        clearway_formats::detect(p).message_format().is_some()
    };
    if sniffed {
        let mut bytes = Vec::new();
        let mut reader = reader;
        if let Err(e) = reader.read_to_end(&mut bytes) {
            let _ = tx.send(Piece::Failed(i, take(&failed).unwrap_or(e)));
            return None;
        }
        if let Some(ic) = clearway_formats::read_interchange(&bytes) {
            let kept = respond.then(|| (input.name.clone(), ic.clone()));
            let parts = ic.into_parts(&bytes);
            let format = match parts.format {
                MessageFormat::Edifact => "edifact",
                MessageFormat::X12 => "x12",
                MessageFormat::WcoXml => "wco-xml",
            };
            let envelope = match parts.envelope {
                EnvelopeStatus::Clean => EnvelopeOutcome::Clean,
                EnvelopeStatus::Warnings => EnvelopeOutcome::Warnings,
                EnvelopeStatus::Errors => EnvelopeOutcome::Errors,
            };
            let reject = (envelope == EnvelopeOutcome::Errors).then(|| Rejected {
                input: InputRef {
                    source: envelope_source(&input.name, parts.control_ref.as_deref()),
                    line: 1,
                },
                raw: bytes,
                diagnostics: parts.envelope_diagnostics.clone(),
            });
            let report = InterchangeReport {
                input: input.name,
                format,
                control_ref: parts.control_ref,
                envelope,
                diagnostics: parts.envelope_diagnostics,
                stored: false,
                responses_read: parts.responses,
            };
            if tx
                .send(Piece::Envelope(Box::new((report, reject))))
                .is_err()
            {
                return None;
            }
            send_records(i, parts.records.into_iter(), &failed, tx);
            return kept;
        }
        send_records(
            i,
            clearway_formats::records(std::io::Cursor::new(bytes)),
            &failed,
            tx,
        );
        return None;
    }
    send_records(
        i,
        clearway_formats::records(BufReader::with_capacity(1 << 20, reader)),
        &failed,
        tx,
    );
    None
}

/// Send records in chunks; stop with [`Piece::Failed`] as soon as the input's `Read` has failed (the
/// record the reader made of the error, and those still in hand, are not sent).
fn send_records(
    i: usize,
    recs: impl Iterator<Item = Record>,
    failed: &Mutex<Option<std::io::Error>>,
    tx: &crossbeam_channel::Sender<Piece>,
) {
    let failure = || failed.lock().unwrap_or_else(|p| p.into_inner()).take();
    let mut chunk = Vec::with_capacity(256);
    for rec in recs {
        if let Some(e) = failure() {
            let _ = tx.send(Piece::Failed(i, e));
            return;
        }
        chunk.push(rec);
        if chunk.len() == 256
            && tx
                .send(Piece::Records(
                    i,
                    std::mem::replace(&mut chunk, Vec::with_capacity(256)),
                ))
                .is_err()
        {
            return;
        }
    }
    if let Some(e) = failure() {
        let _ = tx.send(Piece::Failed(i, e));
        return;
    }
    if !chunk.is_empty() {
        let _ = tx.send(Piece::Records(i, chunk));
    }
}

/// Run the three-stage loop over `inputs`. `open` opens the store (called twice: writer and history).
/// `on_ack` sees every acknowledgement, in input order, after its batch committed; `progress` is told
/// the bytes read so far (for a progress bar).
///
/// An EDI interchange or XML document gives one acknowledgement per filing or rejected message; its
/// envelope is reported once in [`IngestReport::interchanges`] (and, with errors, stored once as a
/// reject of the interchange: input name, control reference, the whole bytes), never as a rejected
/// filing. When an input's `Read` fails, the run stops with [`ServiceError::Input`]: the batch holding
/// that input, and any cut after it, are not committed (batches committed before stay).
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
    let aborted = AtomicBool::new(false);
    let (tx, rx) = bounded::<Piece>(8);
    let (btx, brx) = bounded::<Batch>(6);
    let (atx, arx) = bounded::<(Vec<Acked>, Vec<InterchangeReport>, DateTime<Utc>)>(4);
    let mut report = IngestReport::default();
    let mut last_commit = None;
    std::thread::scope(|s| -> Result<()> {
        let reader = s.spawn(move || {
            let mut kept = Vec::new();
            for (i, input) in inputs.into_iter().enumerate() {
                kept.extend(read_input(i, input, respond.is_some(), &tx));
            }
            kept
        });
        let writer_committed = committed.clone();
        let aborted = &aborted;
        let writer = s.spawn(move || -> Result<()> {
            let mut no = 0;
            // Group commit: when batches queue up behind the store, commit them together (up to 8) — each
            // commit rewrites every index page it touches, so fewer, larger commits keep up as the store grows.
            for mut b in brx.iter() {
                let mut merged = 1;
                while merged < 8 {
                    match brx.try_recv() {
                        Ok(more) => {
                            let at = b.items.len();
                            b.items.extend(more.items);
                            b.envelopes.extend(
                                more.envelopes
                                    .into_iter()
                                    .map(|(pos, r)| (pos.map(|p| p + at), r)),
                            );
                            merged += 1;
                        }
                        Err(_) => break,
                    }
                }
                // An input failed: nothing cut after it is committed.
                if aborted.load(Ordering::Acquire) {
                    break;
                }
                let (acks, envelopes) = store_cut(store.as_mut(), b)?;
                let at = Utc::now();
                no += merged;
                writer_committed.store(no, Ordering::Release);
                if atx.send((acks, envelopes, at)).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let assessor = s.spawn(move || -> Result<()> {
            let mut assessor = Assessor::new(screener, history.as_mut(), committed);
            let mut pending = Batch {
                items: Vec::with_capacity(batch),
                envelopes: Vec::new(),
            };
            let mut read = 0u64;
            let stopped = || ServiceError::Invalid("the store writer stopped".into());
            for piece in rx {
                match piece {
                    Piece::Failed(i, e) => {
                        aborted.store(true, Ordering::Release);
                        return Err(ServiceError::Input {
                            input: names[i].clone(),
                            source: e,
                        });
                    }
                    Piece::Envelope(e) => {
                        let (r, reject) = *e;
                        let pos = reject.map(|rj| {
                            pending.items.push(BatchItem::Rejected(rj));
                            pending.items.len() - 1
                        });
                        pending.envelopes.push((pos, r));
                    }
                    Piece::Records(i, recs) => {
                        for rec in recs {
                            read += rec.raw.len() as u64 + 1;
                            pending.items.push(assessor.assess(&names[i], rec)?);
                            if pending.items.len() >= batch {
                                let full = std::mem::replace(
                                    &mut pending,
                                    Batch {
                                        items: Vec::with_capacity(batch),
                                        envelopes: Vec::new(),
                                    },
                                );
                                btx.send(full).map_err(|_| stopped())?;
                                assessor.next_batch();
                            }
                        }
                    }
                }
                progress(read);
            }
            if !pending.items.is_empty() || !pending.envelopes.is_empty() {
                btx.send(pending).map_err(|_| stopped())?;
            }
            Ok(())
        });
        for (acks, envelopes, at) in arx.iter() {
            for a in &acks {
                report.count(a);
                on_ack(a);
            }
            for e in envelopes {
                report.warnings += e
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity != Severity::Error)
                    .count() as u64;
                report.responses_read += e.responses_read.len() as u64;
                report.interchanges.push(e);
            }
            last_commit = Some(at);
        }
        let written = writer
            .join()
            .map_err(|_| ServiceError::Invalid("the store writer panicked".into()))?;
        let assessed = assessor
            .join()
            .map_err(|_| ServiceError::Invalid("the assessor panicked".into()))?;
        let kept = reader
            .join()
            .map_err(|_| ServiceError::Invalid("the reader panicked".into()))?;
        // An input error first: it is why the writer stopped short; then a store error, which explains
        // an assessor-side "writer stopped".
        if let Err(e @ ServiceError::Input { .. }) = assessed {
            return Err(e);
        }
        written?;
        assessed?;
        // Every batch is committed: the responses may go out, dated at the last commit (never before
        // the caller's time).
        if let Some(asked) = respond {
            let issued = last_commit.map_or(asked, |t| t.max(asked));
            for (input, ic) in kept {
                let rs = responses(&input, &ic, issued);
                let errors = ic
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                report.responded.push(Responded {
                    input,
                    responses: rs.len(),
                    envelope_errors: errors,
                });
                report.responses.extend(rs);
            }
        }
        Ok(())
    })?;
    Ok(report)
}

/// Store a cut batch and split the outcomes: acknowledgements for the inputs, reports for the
/// envelopes (their rejects are the interchange's, not an input's).
fn store_cut(store: &mut dyn Store, b: Batch) -> Result<(Vec<Acked>, Vec<InterchangeReport>)> {
    let outcomes = store.write_batch(&b.items)?;
    let mut envelopes = Vec::with_capacity(b.envelopes.len());
    let mut own = vec![false; b.items.len()];
    for (pos, mut r) in b.envelopes {
        if let Some(p) = pos {
            own[p] = true;
            r.stored = matches!(outcomes.get(p), Some(Outcome::Rejected { new: true }));
        }
        envelopes.push(r);
    }
    let acks = b
        .items
        .into_iter()
        .zip(outcomes)
        .zip(own)
        .filter(|(_, own)| !own)
        .map(|((item, outcome), _)| ack(item, outcome))
        .collect();
    Ok((acks, envelopes))
}
