//! `clearway screen` and the batch loop behind it.
//!
//! A reader thread reads and parses (formats), the main thread assesses (engine) and stores (store) in
//! batches. A decision is printed — acknowledged — only after the batch that holds it is committed, so a
//! kill at any moment loses nothing acknowledged and leaves nothing half-written.

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, FilingStatus, Lane};
use clearway_engine::{Pipeline, Prior};
use clearway_formats::Record;
use clearway_store::{Accepted, BatchItem, InputRef, Outcome, Rejected, Store};
use crossbeam_channel::bounded;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Filings per stored batch (one transaction).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Input files (JSON, JSON Lines or CSV, detected from content); `-` reads stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// What became of one input, once its batch is committed.
pub enum Acked {
    Decision { decision: Box<Decision>, duplicate: bool, input: InputRef, diagnostics: Vec<Diagnostic> },
    Rejected { input: InputRef, diagnostics: Vec<Diagnostic>, new: bool },
}

/// Assess-and-store in batches.
pub struct Screener<'a> {
    pipeline: &'a Pipeline,
    store: &'a mut dyn Store,
    pending: Vec<BatchItem>,
    /// First filing time of ids in the pending (uncommitted) batch, for amendments in the same batch.
    overlay: HashMap<String, Option<DateTime<Utc>>>,
    batch_size: usize,
}

impl<'a> Screener<'a> {
    pub fn new(pipeline: &'a Pipeline, store: &'a mut dyn Store, batch_size: usize) -> Self {
        Screener { pipeline, store, pending: Vec::with_capacity(batch_size), overlay: HashMap::new(), batch_size: batch_size.max(1) }
    }

    fn prior(&mut self, f: &Filing) -> Result<Option<Prior>> {
        if f.version <= 1 && f.status == FilingStatus::Original {
            return Ok(None);
        }
        let hist = self.store.history(&f.id)?;
        let mut prior = Prior { first_filed_at: hist.first_filed_at(), versions: hist.versions.len() };
        if let Some(t) = self.overlay.get(&f.id) {
            prior.versions += 1;
            prior.first_filed_at = match (prior.first_filed_at, *t) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(Some(prior))
    }

    /// Add one parsed record; returns acknowledgements when a batch was committed.
    pub fn push(&mut self, source: &str, rec: Record) -> Result<Vec<Acked>> {
        let input = InputRef { source: source.to_owned(), line: rec.line };
        match rec.outcome {
            Ok(parsed) => {
                let prior = self.prior(&parsed.filing)?;
                let decision = self.pipeline.assess(&parsed.filing, prior.as_ref());
                self.overlay.entry(parsed.filing.id.clone()).or_insert(parsed.filing.times.filed_at);
                self.pending.push(BatchItem::Accepted(Accepted {
                    input,
                    raw: rec.raw,
                    filing: parsed.filing,
                    diagnostics: parsed.diagnostics,
                    decision,
                }));
            }
            Err(diagnostics) => self.pending.push(BatchItem::Rejected(Rejected { input, raw: rec.raw, diagnostics })),
        }
        if self.pending.len() >= self.batch_size { self.flush() } else { Ok(Vec::new()) }
    }

    /// Commit the pending batch; returns what was acknowledged.
    pub fn flush(&mut self) -> Result<Vec<Acked>> {
        if self.pending.is_empty() {
            return Ok(Vec::new());
        }
        let outcomes = self.store.write_batch(&self.pending).context("storing a batch")?;
        self.overlay.clear();
        let items = std::mem::take(&mut self.pending);
        self.pending.reserve(self.batch_size);
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
                (BatchItem::Rejected(r), Outcome::Rejected { new }) => {
                    Acked::Rejected { input: r.input, diagnostics: r.diagnostics, new }
                }
                (BatchItem::Rejected(r), _) => Acked::Rejected { input: r.input, diagnostics: r.diagnostics, new: true },
            })
            .collect())
    }
}

enum Msg {
    Records(usize, Vec<Record>),
    Failed(String),
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

pub fn screen(args: ScreenArgs) -> Result<ExitCode> {
    let mut store = setup::open_store(&args.db.db)?;
    if let Some(t) = &args.traders {
        let ms = setup::read_traders(t)?;
        store.upsert_memberships(&ms)?;
    }
    let registry = setup::registry_from_store(store.as_mut())?;
    let reference = match &args.reference {
        Some(dir) => setup::load_reference(dir)?,
        None => Default::default(),
    };
    let config = setup::load_config(args.config.as_deref())?;
    let pipeline = Pipeline::new(config, reference, registry);

    let names: Vec<String> = args.inputs.iter().map(|p| p.display().to_string()).collect();
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

    let (tx, rx) = bounded::<Msg>(8);
    let inputs = args.inputs.clone();
    let reader = std::thread::spawn(move || {
        for (i, path) in inputs.iter().enumerate() {
            let src: Box<dyn Read + Send> = if path.as_os_str() == "-" {
                Box::new(std::io::stdin())
            } else {
                match std::fs::File::open(path) {
                    Ok(f) => Box::new(f),
                    Err(e) => {
                        let _ = tx.send(Msg::Failed(format!("{}: {e}", path.display())));
                        continue;
                    }
                }
            };
            let mut chunk = Vec::with_capacity(256);
            for rec in clearway_formats::records(BufReader::with_capacity(1 << 20, src)) {
                chunk.push(rec);
                if chunk.len() == 256 && tx.send(Msg::Records(i, std::mem::replace(&mut chunk, Vec::with_capacity(256)))).is_err() {
                    return;
                }
            }
            if !chunk.is_empty() && tx.send(Msg::Records(i, chunk)).is_err() {
                return;
            }
        }
    });

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut summary = Summary::default();
    let mut failed = Vec::new();
    if !args.json {
        output::table_header(&mut out)?;
    }
    let mut screener = Screener::new(&pipeline, store.as_mut(), args.batch);
    let mut report = |acks: Vec<Acked>, out: &mut dyn Write, summary: &mut Summary| -> Result<()> {
        for a in acks {
            match a {
                Acked::Decision { decision, duplicate, input, diagnostics } => {
                    summary.decisions += 1;
                    *summary.lanes.entry(decision.lane.as_str()).or_default() += 1;
                    summary.duplicates += duplicate as u64;
                    summary.warnings += diagnostics.len() as u64;
                    for d in &diagnostics {
                        bar.suspend(|| eprintln!("{}:{}: {d}", input.source, input.line));
                    }
                    if args.json {
                        serde_json::to_writer(&mut *out, &decision)?;
                        out.write_all(b"\n")?;
                    } else {
                        output::table_row(out, &decision, duplicate)?;
                    }
                }
                Acked::Rejected { input, diagnostics, .. } => {
                    summary.rejected += 1;
                    for d in &diagnostics {
                        bar.suspend(|| eprintln!("{}: rejected: {d}", input.source));
                    }
                }
            }
        }
        out.flush()?;
        Ok(())
    };
    for msg in rx {
        match msg {
            Msg::Records(i, recs) => {
                for rec in recs {
                    bar.inc(rec.raw.len() as u64 + 1);
                    let acks = screener.push(&names[i], rec)?;
                    if !acks.is_empty() {
                        report(acks, &mut out, &mut summary)?;
                    }
                }
            }
            Msg::Failed(e) => failed.push(e),
        }
    }
    let acks = screener.flush()?;
    report(acks, &mut out, &mut summary)?;
    let _ = reader.join();
    bar.finish_and_clear();
    let line = output::summary_line(&summary);
    if args.json {
        eprintln!("{line}");
    } else {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    for e in &failed {
        eprintln!("error: {e}");
    }
    if !failed.is_empty() {
        return Ok(ExitCode::from(1));
    }
    Ok(if summary.rejected > 0 { ExitCode::from(EXIT_REJECTED) } else { ExitCode::SUCCESS })
}

/// Lane order for summaries.
pub fn lane_order() -> [Lane; 4] {
    Lane::ALL
}
