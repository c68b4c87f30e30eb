//! `generate`, `show`, `stats`, `rejects`, `schema`.

use anyhow::{Context as _, Result, bail};
use chrono::{DateTime, Utc};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::{DbArgs, output};

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Number of filings.
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Seed; the same seed gives the same filings.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// First day of traffic (RFC 3339).
    #[arg(long, default_value = "2026-11-02T00:00:00Z")]
    pub start: DateTime<Utc>,
    /// Days the traffic spreads over.
    #[arg(long, default_value_t = 1)]
    pub days: u32,
    /// Output file (JSON Lines); stdout when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the trusted-trader registry the filings refer to (CSV).
    #[arg(long)]
    pub traders_out: Option<PathBuf>,
    /// Output format: JSON Lines (streamed), or one CUSCAR / X12 309 interchange.
    #[arg(long, value_enum, default_value = "json")]
    pub format: crate::messages::OutFormat,
}

pub fn generate(a: GenerateArgs) -> Result<ExitCode> {
    let generator = clearway_synth::Generator::new(clearway_synth::Config { count: a.count, seed: a.seed, start: a.start, days: a.days });
    if let Some(p) = &a.traders_out {
        let csv = clearway_engine::registry_io::memberships_to_csv(&generator.memberships());
        std::fs::write(p, csv).with_context(|| format!("writing {}", p.display()))?;
    }
    let sink: Box<dyn Write> = match &a.out {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::with_capacity(1 << 20, sink);
    if a.format == crate::messages::OutFormat::Json {
        for f in generator {
            serde_json::to_writer(&mut w, &f)?;
            w.write_all(b"\n")?;
        }
    } else {
        crate::messages::check_format_for_count(a.format, a.count)?;
        let filings: Vec<_> = generator.collect();
        w.write_all(&crate::messages::write_filings(&filings, a.format)?)?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ShowArgs {
    pub filing_id: String,
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

pub fn show(a: ShowArgs) -> Result<ExitCode> {
    let mut store = clearway_service::open_store(&a.db.db)?;
    let Some(view) = clearway_service::filing::view(store.as_mut(), &a.filing_id)? else {
        bail!("filing {} is not in {}", a.filing_id, a.db.db);
    };
    let (decision, history) = (&view.decision, &view.versions);
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = serde_json::json!({"decision": decision, "history": history, "filing": view.filing, "exams": view.exams});
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        output::explain(&mut out, decision)?;
        writeln!(out, "\nversions")?;
        writeln!(out, "  {:>3}  {:<12} {:<26} {:<7} {:>6}  STORED", "V", "STATUS", "FILED", "LANE", "SCORE")?;
        for v in history {
            writeln!(
                out,
                "  {:>3}  {:<12} {:<26} {:<7} {:>6}  {}",
                v.version,
                format!("{:?}", v.status).to_lowercase(),
                v.filed_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "-".into()),
                v.lane.map(|l| l.as_str()).unwrap_or("-"),
                v.score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "-".into()),
                v.stored_at.to_rfc3339()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

pub fn stats(a: StatsArgs) -> Result<ExitCode> {
    let mut store = clearway_service::open_store(&a.db.db)?;
    let s = clearway_service::filing::stats(store.as_mut())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer(&mut out, &s)?;
        writeln!(out)?;
    } else {
        writeln!(out, "filings      {}", s.filings)?;
        writeln!(out, "versions     {}", s.versions)?;
        writeln!(out, "decisions    {}", s.decisions)?;
        for l in clearway_core::Lane::ALL {
            writeln!(out, "  {:<10} {}", l.as_str(), s.lanes.get(l.as_str()).copied().unwrap_or(0))?;
        }
        writeln!(out, "rejected     {}", s.rejected)?;
        writeln!(out, "memberships  {}", s.memberships)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct RejectsArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

pub fn rejects(a: RejectsArgs) -> Result<ExitCode> {
    let mut store = clearway_service::open_store(&a.db.db)?;
    let rs = store.rejects(a.limit)?;
    let mut out = std::io::stdout().lock();
    for r in rs {
        if a.json {
            let v = serde_json::json!({
                "source": r.source, "line": r.line, "hash": r.hash, "stored_at": r.stored_at,
                "diagnostics": r.diagnostics, "raw": String::from_utf8_lossy(&r.raw),
            });
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}:{} ({})", r.source, r.line, r.stored_at.to_rfc3339())?;
            for d in &r.diagnostics {
                writeln!(out, "  {d}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn schema() -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &clearway_formats::filing_schema())?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}
