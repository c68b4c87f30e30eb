//! `clearway licences import|show|usage` and `clearway export check FILE`: adapters over
//! `clearway_service::export`, printing its typed reports as tables (or JSON with `--json`).
//!
//! Exit codes: 0 done (and, for `export check`, nothing held); 1 an error (unreadable file, store,
//! unknown licence); 2 the input was refused (`licences import`: bad records, nothing imported) or, for
//! `export check`, a filing would be held.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use clearway_service::ServiceError;
use clearway_service::export::{self, ExportCheck, LicenceView};

use crate::DbArgs;

/// Flags of `screen` (and `serve`, the workers) that turn on the export-control layer.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ScreenOpts {
    /// Run the export-control layer (controlled goods, licence requirement and cover, diversion red
    /// flags) against the stored licence registry.
    #[arg(long)]
    pub export: bool,
    /// A licence registry (JSON array or CSV) to import into the store first; needs --export.
    #[arg(long, requires = "export")]
    pub licences: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
pub enum LicencesCommand {
    /// Import a licence registry (JSON array, or CSV with one row per licence item:
    /// number,holder,authority,entry,quantity,value,destinations,end_users,valid_from,valid_to).
    /// All or nothing: a bad record is named and nothing is imported. A licence already stored is
    /// replaced and keeps its balances.
    Import(ImportArgs),
    /// The stored licences (or one), with each item's authorised, used and remaining quantity and value.
    Show(ShowArgs),
    /// The exports that drew on a licence, oldest first.
    Usage(UsageArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// A licence number (all licences when omitted).
    pub number: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct UsageArgs {
    pub number: String,
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Subcommand)]
pub enum ExportCommand {
    /// Explain the export-control assessment of the filings in FILE (any input format `screen` reads):
    /// each goods item's classification, licence requirement with its reasons, licence cover and
    /// balance, and the red flags. Reads the licence registry from the store; stores nothing.
    Check(CheckArgs),
}

#[derive(clap::Args)]
pub struct CheckArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Do not read the store: no licence registry (every declared licence is "not found").
    #[arg(long)]
    pub no_store: bool,
    /// Engine configuration (weight overrides).
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub fn licences(c: LicencesCommand) -> Result<ExitCode> {
    match c {
        LicencesCommand::Import(a) => import(a),
        LicencesCommand::Show(a) => show(a),
        LicencesCommand::Usage(a) => usage(a),
    }
}

pub fn export(c: ExportCommand) -> Result<ExitCode> {
    match c {
        ExportCommand::Check(a) => check(a),
    }
}

fn json_out(v: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn import(a: ImportArgs) -> Result<ExitCode> {
    let mut store = clearway_service::open_store(&a.db.db)?;
    match export::import(store.as_mut(), &a.file, Utc::now()) {
        Ok(r) => {
            if a.json {
                json_out(&r)?;
            } else {
                println!(
                    "{}: {} licences ({} items): {} added, {} replaced",
                    r.file, r.licences, r.items, r.stored.added, r.stored.replaced
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ServiceError::Rows { file, rows }) => {
            if a.json {
                json_out(&serde_json::json!({"file": file, "imported": 0, "errors": rows}))?;
            }
            for r in &rows {
                eprintln!("{r}");
            }
            eprintln!("{file}: {} problems; nothing imported", rows.len());
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

fn amount(v: Option<f64>) -> String {
    v.map(|v| format!("{v}")).unwrap_or_else(|| "-".into())
}

fn print_licences(out: &mut dyn Write, ls: &[LicenceView]) -> Result<()> {
    if ls.is_empty() {
        writeln!(out, "no licences stored")?;
        return Ok(());
    }
    for l in ls {
        writeln!(
            out,
            "{}  {}{}  to {}{}  valid {}to {}",
            l.number,
            l.holder,
            l.authority
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default(),
            l.destinations.join(", "),
            if l.end_users.is_empty() {
                String::new()
            } else {
                format!("  end users: {}", l.end_users.join("; "))
            },
            l.valid_from
                .map(|d| format!("from {d} "))
                .unwrap_or_default(),
            l.valid_to
        )?;
        writeln!(
            out,
            "  {:>4}  {:<14} {:>12} {:>12} {:>12}  {:>14} {:>14} {:>14}",
            "ITEM", "ENTRY", "QTY", "QTY USED", "QTY LEFT", "VALUE", "VALUE USED", "VALUE LEFT"
        )?;
        for it in &l.items {
            writeln!(
                out,
                "  {:>4}  {:<14} {:>12} {:>12} {:>12}  {:>14} {:>14} {:>14}{}",
                it.item,
                it.entry,
                amount(it.authorised_quantity),
                it.used_quantity,
                amount(it.remaining_quantity),
                amount(it.authorised_value),
                it.used_value,
                amount(it.remaining_value),
                if it.used_up { "  USED UP" } else { "" }
            )?;
        }
    }
    Ok(())
}

fn show(a: ShowArgs) -> Result<ExitCode> {
    let mut store = clearway_service::open_store(&a.db.db)?;
    let ls = export::show(store.as_mut(), a.number.as_deref())?;
    if a.json {
        json_out(&ls)?;
    } else {
        print_licences(&mut std::io::stdout().lock(), &ls)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn usage(a: UsageArgs) -> Result<ExitCode> {
    let mut store = clearway_service::open_store(&a.db.db)?;
    let draws = export::usage(store.as_mut(), &a.number)?;
    if a.json {
        json_out(&draws)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    if draws.is_empty() {
        writeln!(out, "licence {}: no exports drew on it", a.number)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<32} {:>3}  {:>4}  {:>12} {:>14}  AT",
        "FILING", "V", "ITEM", "QUANTITY", "VALUE"
    )?;
    for d in &draws {
        writeln!(
            out,
            "{:<32} {:>3}  {:>4}  {:>12} {:>14}  {}",
            d.filing_id,
            d.version,
            d.item + 1,
            d.quantity,
            d.value,
            d.at.to_rfc3339()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn check(a: CheckArgs) -> Result<ExitCode> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let config = clearway_service::pipeline::load_config(a.config.as_deref())?;
    let mut store: Option<Box<dyn clearway_store::Store>> = if a.no_store {
        None
    } else {
        Some(clearway_service::open_store(&a.db.db)?)
    };
    let mut reports: Vec<ExportCheck> = Vec::new();
    let mut rejected = Vec::new();
    for rec in clearway_formats::records(std::io::Cursor::new(bytes)) {
        match rec.outcome {
            Ok(p) => reports.push(export::check(
                store
                    .as_mut()
                    .map(|s| s.as_mut() as &mut dyn clearway_store::Store),
                config.clone(),
                &p.filing,
            )?),
            Err(diags) => rejected.push((rec.line, diags)),
        }
    }
    for (line, diags) in &rejected {
        for d in diags {
            eprintln!("{}:{line}: rejected: {d}", a.file.display());
        }
    }
    if reports.is_empty() {
        bail!("{}: no filing could be read", a.file.display());
    }
    if a.json {
        json_out(&reports)?;
    } else {
        let mut out = std::io::stdout().lock();
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            print_check(&mut out, r)?;
        }
    }
    Ok(if reports.iter().any(|r| r.hold) {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_check(out: &mut dyn Write, r: &ExportCheck) -> Result<()> {
    writeln!(
        out,
        "filing {} v{}: {}",
        r.filing_id,
        r.version,
        if !r.is_export {
            "not an export (the export-control layer assesses direction: export only)".to_string()
        } else if r.hold {
            format!("HOLD (export weight {:.0})", r.weight)
        } else if r.findings.is_empty() {
            "nothing to report".to_string()
        } else {
            format!("no hold (export weight {:.0})", r.weight)
        }
    )?;
    if let Some(d) = &r.destination {
        writeln!(out, "destination {d}")?;
    }
    if !r.items.is_empty() {
        writeln!(
            out,
            "\n  {:>4}  {:<16} {:<8} {:<22} COVERED BY",
            "ITEM", "CLASSIFICATION", "CHPL", "LICENCE REQUIRED"
        )?;
        for it in &r.items {
            let required = if it.licence_required.is_empty() {
                if it.review.is_empty() { "no" } else { "review" }
            } else {
                "yes"
            };
            writeln!(
                out,
                "  {:>4}  {:<16} {:<8} {:<22} {}",
                it.goods_item,
                it.classification.as_deref().unwrap_or("-"),
                it.chpl_tier.as_deref().unwrap_or("-"),
                required,
                it.covered_by
            )?;
            for why in it.licence_required.iter().chain(&it.review) {
                writeln!(out, "        because {why}")?;
            }
            if !it.candidates.is_empty() {
                writeln!(out, "        HS candidates: {}", it.candidates.join(", "))?;
            }
        }
    }
    if !r.findings.is_empty() {
        writeln!(
            out,
            "\n  {:<28} {:<12} {:>6}  {:<15} WHY",
            "CODE", "KIND", "WEIGHT", "ACTION"
        )?;
        for f in &r.findings {
            writeln!(
                out,
                "  {:<28} {:<12} {:>6.0}  {:<15} {}",
                f.code,
                format!("{:?}", f.kind).to_lowercase(),
                f.weight,
                f.action.map(|a| a.as_str()).unwrap_or("-"),
                f.message
            )?;
        }
    }
    Ok(())
}
