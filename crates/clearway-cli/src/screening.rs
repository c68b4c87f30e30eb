//! `clearway screen`: arguments, and printing of what `clearway_service::ingest::run` acknowledges (each
//! decision once its batch is committed) — a table for people, one JSON line per decision with `--json`.

use anyhow::{Context as _, Result};
use chrono::Utc;
use clearway_service::ingest::{self, Acked, IngestOptions, Input};
use clearway_service::{PipelineOptions, build_pipeline, open_store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::{DbArgs, EXIT_REJECTED, output};

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
    /// An assessment bundle (`clearway bundle create`): configuration, profiles, selectivity and model
    /// come from it, and every decision records its hash.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub profiles: crate::profiles::ScreenOpts,
    #[command(flatten)]
    pub model: crate::model::ScreenOpts,
    #[command(flatten)]
    pub names: crate::names::ScreenOpts,
    #[command(flatten)]
    pub portal: crate::rad_portal::ScreenOpts,
    #[command(flatten)]
    pub export: crate::export::ScreenOpts,
    /// Input files (JSON, JSON Lines or CSV, detected from content); `-` reads stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Print one acknowledgement: diagnostics on stderr, the decision as a table row or a JSON line.
fn print_ack(a: &Acked, out: &mut dyn Write, json: bool, bar: &ProgressBar) -> std::io::Result<()> {
    match a {
        Acked::Decision { decision, duplicate, input, diagnostics } => {
            for d in diagnostics {
                bar.suspend(|| eprintln!("{}: {d}", input.source));
            }
            if json {
                serde_json::to_writer(&mut *out, decision)?;
                out.write_all(b"\n")?;
            } else {
                output::table_row(out, decision, *duplicate)?;
            }
            out.flush()?;
        }
        Acked::Rejected { input, diagnostics } => {
            for d in diagnostics {
                bar.suspend(|| eprintln!("{}: rejected: {d}", input.source));
            }
        }
    }
    Ok(())
}

impl ScreenArgs {
    /// The pipeline options these flags give.
    pub fn pipeline_options(&self) -> PipelineOptions {
        PipelineOptions {
            config: self.config.clone(),
            reference: self.reference.clone(),
            traders: self.traders.clone(),
            profiles: self.profiles.profiles.clone(),
            selectivity: self.profiles.selectivity.clone(),
            model: self.model.model.clone(),
            lists: !self.names.no_lists,
            list_bands: self.names.list_bands.clone(),
            portal_results: self.portal.portal_results.clone(),
            bundle: self.bundle.clone(),
            export: self.export.export,
            licences: self.export.licences.clone(),
            ..Default::default()
        }
    }
}

pub fn screen(args: ScreenArgs) -> Result<ExitCode> {
    let db = args.db.db.clone();
    let mut store = open_store(&db)?;
    let screener = build_pipeline(store.as_mut(), &args.pipeline_options()).map_err(crate::service_error)?;
    drop(store);
    for w in &screener.warnings {
        eprintln!("{w}");
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
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    if !args.json {
        output::table_header(&mut out)?;
    }
    let opts = IngestOptions { batch: args.batch, respond: args.respond.as_ref().map(|_| Utc::now()) };
    let mut printed: std::io::Result<()> = Ok(());
    let progress_bar = bar.clone();
    let report = ingest::run(
        inputs,
        &screener,
        &|| open_store(&db),
        &opts,
        &mut |a| {
            if printed.is_ok() {
                printed = print_ack(a, &mut out, args.json, &bar);
            }
        },
        &move |n| progress_bar.set_position(n),
    )
    .map_err(crate::service_error)?;
    printed?;
    bar.finish_and_clear();
    for ic in &report.interchanges {
        let source = ingest::envelope_source(&ic.input, ic.control_ref.as_deref());
        for d in &ic.diagnostics {
            eprintln!("{source}: envelope: {d}");
        }
    }
    if args.json {
        eprintln!("{}", output::summary_line(&report));
    } else {
        writeln!(out, "{}", output::summary_line(&report))?;
    }
    out.flush()?;
    if let Some(dir) = &args.respond {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for r in &report.responses {
            let p = dir.join(&r.name);
            std::fs::write(&p, &r.body).with_context(|| format!("writing {}", p.display()))?;
        }
        for r in &report.responded {
            eprintln!("{}: {} responses written to {} ({} envelope errors)", r.input, r.responses, dir.display(), r.envelope_errors);
        }
    }
    for e in &failed {
        eprintln!("error: {e}");
    }
    if !failed.is_empty() {
        return Ok(ExitCode::from(1));
    }
    // 2 when an input was rejected or an interchange's envelope has errors (the state stored and the
    // responses say the same); warnings alone never.
    Ok(if report.has_errors() { ExitCode::from(EXIT_REJECTED) } else { ExitCode::SUCCESS })
}
