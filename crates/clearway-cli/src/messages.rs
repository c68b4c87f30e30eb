//! Trade-message formats at the CLI: `convert`, and writing generated filings as CUSCAR or X12 309
//! (responses for `screen --respond` come from `clearway_service::ingest`, after commit).

use anyhow::{Context as _, Result, bail};
use clearway_core::Filing;
use clearway_formats::{edifact, x12};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::EXIT_REJECTED;

/// Output formats for `convert` and `generate`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// Canonical JSON, one filing per line.
    Json,
    /// UN/EDIFACT CUSCAR (D.03B).
    Cuscar,
    /// ANSI X12 309 customs manifest (004010).
    #[value(name = "x12-309")]
    X12_309,
}

/// Serialise filings in `format`.
pub fn write_filings(filings: &[Filing], format: OutFormat) -> Result<Vec<u8>> {
    Ok(match format {
        OutFormat::Json => {
            let mut out = Vec::new();
            for f in filings {
                serde_json::to_writer(&mut out, f)?;
                out.push(b'\n');
            }
            out
        }
        OutFormat::Cuscar => edifact::write_cuscar(filings, "CLEARWAY", "CUSTOMS", "1"),
        OutFormat::X12_309 => x12::write_309(filings, "CLEARWAY", "CUSTOMS", 1),
    })
}

#[derive(clap::Args)]
pub struct ConvertArgs {
    /// Input file (JSON, JSON Lines, CSV, EDIFACT, X12 or WCO DM XML, detected from content); `-` is stdin.
    pub input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub to: OutFormat,
}

/// `clearway convert`: what was understood, in the requested format, diagnostics on stderr.
pub fn convert(a: ConvertArgs) -> Result<ExitCode> {
    let name = a.input.display().to_string();
    let src: Box<dyn std::io::Read + Send> = if a.input.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&a.input).with_context(|| format!("opening {name}"))?)
    };
    let mut filings = Vec::new();
    let mut rejected = 0;
    for rec in clearway_formats::records(std::io::BufReader::new(src)) {
        match rec.outcome {
            Ok(p) => {
                for d in &p.diagnostics {
                    eprintln!("{name}:{}: {d}", rec.line);
                }
                filings.push(p.filing);
            }
            Err(diags) => {
                rejected += 1;
                for d in &diags {
                    eprintln!("{name}:{}: rejected: {d}", rec.line);
                }
            }
        }
    }
    let bytes = write_filings(&filings, a.to)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(if rejected > 0 { ExitCode::from(EXIT_REJECTED) } else { ExitCode::SUCCESS })
}



/// CUSCAR and X12 output is one interchange built in memory: keep it to a size that fits.
pub fn check_format_for_count(format: OutFormat, count: usize) -> Result<()> {
    if format != OutFormat::Json && count > 2_000_000 {
        bail!("{count} filings in one interchange: generate at most 2,000,000 in CUSCAR or X12");
    }
    Ok(())
}
