//! `clearway screen` and the three-stage batch pipeline behind it (also measured by `bench pipeline`).
//!
//! A reader thread reads and parses (formats); the main thread assesses (engine) and cuts batches; a
//! writer thread stores each batch in one transaction (store) and only then prints its decisions — the
//! acknowledgement. A kill at any moment therefore loses nothing acknowledged and leaves nothing
//! half-written. History for amendments comes from a second, read-only use of the store plus an overlay
//! of the batches still in flight.

use anyhow::{Context as _, Result, anyhow};
use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, FilingStatus};
use clearway_engine::{Pipeline, Prior};
use clearway_formats::Record;
use clearway_store::{Accepted, BatchItem, InputRef, Outcome, Rejected, Store};
use crossbeam_channel::bounded;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{DbArgs, EXIT_REJECTED, output, setup};

#[derive(clap::Args)]
pub struct ScreenArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// One decision per line as JSON, instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Reference data directory (hs2022/, unlocode/) for existence checks of HS codes and UN/LOCODEs.
    #[arg(long, env = "CLEARWAY_REFERENCE")]
    pub reference: Option<PathBuf>,
    /// Trusted-trader registry (CSV or JSON) to load into the store before screening.
    #[arg(long)]
    pub traders: Option<PathBuf>,
    /// Engine configuration (JSON): thresholds, random-selection rates, weight overrides.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Write one response per input message (CUSRES, X12 997 + 355, WCO DM response) into this folder.
    #[arg(long)]
    pub respond: Option<PathBuf>,
    /// Filings per stored batch (one transaction).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    #[command(flatten)]
    pub profiles: crate::profiles::ScreenOpts,
    #[command(flatten)]
    pub model: crate::model::ScreenOpts,
    #[command(flatten)]
    pub names: crate::names::ScreenOpts,
    #[command(flatten)]
    pub portal: crate::rad_portal::ScreenOpts,
    /// Input files (JSON, JSON Lines or CSV, detected from content); `-` reads stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// What became of one input, once its batch is committed.
pub enum Acked {
    Decision { decision: Box<Decision>, duplicate: bool, input: InputRef, diagnostics: Vec<Diagnostic> },
    Rejected { input: InputRef, diagnostics: Vec<Diagnostic> },
}

/// Assess parsed records into batch items, with the history amendments need.
pub struct Assessor<'a> {
    pipeline: &'a Pipeline,
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
    pub fn new(pipeline: &'a Pipeline, history: &'a mut dyn Store, committed: Arc<AtomicU64>) -> Self {
        Assessor { pipeline, history, overlay: HashMap::new(), batch_no: 1, committed }
    }

    fn prior(&mut self, f: &Filing) -> Result<Option<Prior>> {
        if f.version <= 1 && f.status == FilingStatus::Original {
            return Ok(None);
        }
        let hist = self.history.history(&f.id)?;
        let mut prior = Prior { first_filed_at: hist.first_filed_at(), versions: hist.versions.len() };
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
        let input = InputRef { source: source.to_owned(), line: rec.line };
        Ok(match rec.outcome {
            Ok(parsed) => {
                let prior = self.prior(&parsed.filing)?;
                let decision = self.pipeline.assess(&parsed.filing, prior.as_ref());
                let no = self.batch_no;
                self.overlay.entry(parsed.filing.id.clone()).or_insert((parsed.filing.times.filed_at, no));
                BatchItem::Accepted(Accepted { input, raw: rec.raw, filing: parsed.filing, diagnostics: parsed.diagnostics, decision })
            }
            Err(diagnostics) => BatchItem::Rejected(Rejected { input, raw: rec.raw, diagnostics }),
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

/// Store a batch and turn the outcomes into acknowledgements.
pub fn store_batch(store: &mut dyn Store, items: Vec<BatchItem>) -> Result<Vec<Acked>> {
    let outcomes = store.write_batch(&items).context("storing a batch")?;
    Ok(items
        .into_iter()
        .zip(outcomes)
        .map(|(item, outcome)| match (item, outcome) {
            (BatchItem::Accepted(a), Outcome::Duplicate(d)) => {
                Acked::Decision { decision: d, duplicate: true, input: a.input, diagnostics: a.diagnostics }
            }
            (BatchItem::Accepted(a), _) => {
                Acked::Decision { decision: Box::new(a.decision), duplicate: false, input: a.input, diagnostics: a.diagnostics }
            }
            (BatchItem::Rejected(r), _) => Acked::Rejected { input: r.input, diagnostics: r.diagnostics },
        })
        .collect())
}

/// Counts for the summary line.
#[derive(Default, serde::Serialize)]
pub struct Summary {
    pub decisions: u64,
    pub lanes: BTreeMap<&'static str, u64>,
    pub duplicates: u64,
    pub rejected: u64,
    pub warnings: u64,
}

/// How acknowledged decisions are printed.
#[derive(Clone, Copy, PartialEq)]
pub enum Print {
    Table,
    Json,
    Nothing,
}

/// One input of a run.
pub struct Input {
    pub name: String,
    pub source: Box<dyn Read + Send>,
}

struct Chunk(usize, Vec<Record>);

/// Run the three-stage pipeline over `inputs`. `open` opens the store (called twice: writer and history).
pub fn run(
    inputs: Vec<Input>,
    pipeline: &Pipeline,
    open: &dyn Fn() -> Result<Box<dyn Store>>,
    batch: usize,
    print: Print,
    mut out: Box<dyn Write + Send>,
    bar: ProgressBar,
) -> Result<Summary> {
    let batch = batch.max(1);
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let (tx, rx) = bounded::<Chunk>(8);
    let reader = std::thread::spawn(move || {
        for (i, input) in inputs.into_iter().enumerate() {
            let mut chunk = Vec::with_capacity(256);
            for rec in clearway_formats::records(BufReader::with_capacity(1 << 20, input.source)) {
                chunk.push(rec);
                if chunk.len() == 256 && tx.send(Chunk(i, std::mem::replace(&mut chunk, Vec::with_capacity(256)))).is_err() {
                    return;
                }
            }
            if !chunk.is_empty() && tx.send(Chunk(i, chunk)).is_err() {
                return;
            }
        }
    });

    let mut store = open()?;
    let mut history = open()?;
    let committed = Arc::new(AtomicU64::new(0));
    let (btx, brx) = bounded::<Vec<BatchItem>>(6);
    let writer_committed = committed.clone();
    let writer_bar = bar.clone();
    let writer = std::thread::spawn(move || -> Result<Summary> {
        let mut summary = Summary::default();
        if print == Print::Table {
            output::table_header(&mut out)?;
        }
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
            report(acks, &mut out, &mut summary, print, &writer_bar)?;
        }
        if print == Print::Table {
            writeln!(out, "{}", output::summary_line(&summary))?;
        }
        out.flush()?;
        Ok(summary)
    });

    let result = (|| -> Result<()> {
        let mut assessor = Assessor::new(pipeline, history.as_mut(), committed);
        let mut pending = Vec::with_capacity(batch);
        for Chunk(i, recs) in rx {
            for rec in recs {
                bar.inc(rec.raw.len() as u64 + 1);
                pending.push(assessor.assess(&names[i], rec)?);
                if pending.len() >= batch {
                    let full = std::mem::replace(&mut pending, Vec::with_capacity(batch));
                    btx.send(full).map_err(|_| anyhow!("the store writer stopped"))?;
                    assessor.next_batch();
                }
            }
        }
        if !pending.is_empty() {
            btx.send(pending).map_err(|_| anyhow!("the store writer stopped"))?;
        }
        Ok(())
    })();
    drop(btx);
    let summary = writer.join().map_err(|_| anyhow!("the store writer panicked"))?;
    let _ = reader.join();
    let summary = summary?; // a store error explains an assessor-side "writer stopped"
    result?;
    Ok(summary)
}

fn report(acks: Vec<Acked>, out: &mut dyn Write, summary: &mut Summary, print: Print, bar: &ProgressBar) -> Result<()> {
    for a in acks {
        match a {
            Acked::Decision { decision, duplicate, input, diagnostics } => {
                summary.decisions += 1;
                *summary.lanes.entry(decision.lane.as_str()).or_default() += 1;
                summary.duplicates += duplicate as u64;
                summary.warnings += diagnostics.len() as u64;
                if print != Print::Nothing {
                    for d in &diagnostics {
                        bar.suspend(|| eprintln!("{}: {d}", input.source));
                    }
                }
                match print {
                    Print::Json => {
                        serde_json::to_writer(&mut *out, &decision)?;
                        out.write_all(b"\n")?;
                    }
                    Print::Table => output::table_row(out, &decision, duplicate)?,
                    Print::Nothing => {}
                }
            }
            Acked::Rejected { input, diagnostics } => {
                summary.rejected += 1;
                if print != Print::Nothing {
                    for d in &diagnostics {
                        bar.suspend(|| eprintln!("{}: rejected: {d}", input.source));
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

pub fn screen(args: ScreenArgs) -> Result<ExitCode> {
    let db = args.db.db.clone();
    let mut store = setup::open_store(&db)?;
    if let Some(t) = &args.traders {
        let ms = setup::read_traders(t)?;
        store.upsert_memberships(&ms)?;
    }
    let registry = setup::registry_from_store(store.as_mut())?;
    drop(store);
    let reference = match &args.reference {
        Some(dir) => setup::load_reference(dir)?,
        None => Default::default(),
    };
    let config = setup::load_config(args.config.as_deref())?;
    let mut pipeline = Pipeline::new(config, reference, registry);
    crate::profiles::add_layers(&args.profiles, &mut pipeline, &db)?;
    crate::model::add_layers(&args.model, &mut pipeline, &db)?;
    crate::names::add_layers(&args.names, &mut pipeline, &db)?;
    crate::rad_portal::add_layers(&args.portal, &mut pipeline, &db)?;

    if let Some(dir) = &args.respond {
        crate::messages::respond(dir, &args.inputs)?;
    }
    let mut failed = Vec::new();
    let mut inputs = Vec::new();
    for path in &args.inputs {
        let name = path.display().to_string();
        if path.as_os_str() == "-" {
            inputs.push(Input { name, source: Box::new(std::io::stdin()) });
        } else {
            match std::fs::File::open(path) {
                Ok(f) => inputs.push(Input { name, source: Box::new(f) }),
                Err(e) => failed.push(format!("{name}: {e}")),
            }
        }
    }
    let total: u64 = args.inputs.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let bar = if std::io::stderr().is_terminal() && total > 0 {
        let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let print = if args.json { Print::Json } else { Print::Table };
    let out = Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let summary = run(inputs, &pipeline, &|| setup::open_store(&db), args.batch, print, out, bar.clone())?;
    bar.finish_and_clear();
    if args.json {
        eprintln!("{}", output::summary_line(&summary));
    }
    for e in &failed {
        eprintln!("error: {e}");
    }
    if !failed.is_empty() {
        return Ok(ExitCode::from(1));
    }
    Ok(if summary.rejected > 0 { ExitCode::from(EXIT_REJECTED) } else { ExitCode::SUCCESS })
}
