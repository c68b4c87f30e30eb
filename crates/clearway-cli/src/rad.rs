//! `clearway rad ...`: radiation tools. `rad categorize` gives the IAEA category of declared sources.

use anyhow::{Context as _, Result, anyhow};
use clearway_rad::{DTable, parse_activity};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum RadCommand {
    /// IAEA source category of one source or an aggregate (sum of A/D).
    Categorize(CategorizeArgs),
    /// Read an instrument file (N42 2006/2012, IAEA SPE, CSV, ...) and summarise what it holds.
    Parse(crate::rad_spectra::ParseArgs),
    /// Identify the nuclides in a spectrum.
    Identify(crate::rad_spectra::IdentifyArgs),
    /// Portal-monitor alarm decision for one occupancy, per test.
    Occupancy(crate::rad_portal::OccupancyArgs),
    /// Evaluate the alarm algorithms on injected sources and NORM loads.
    Eval(crate::rad_portal::EvalArgs),
}

#[derive(clap::Args)]
pub struct CategorizeArgs {
    /// A source as NUCLIDE=ACTIVITY with a unit, e.g. `Co-60=3.7TBq`, `Cs-137=50Ci`. Repeat for an aggregate.
    #[arg(long = "source", value_name = "NUCLIDE=ACTIVITY", required = true)]
    pub sources: Vec<String>,
    /// D-value table (CSV) adding unverified values; default `$CLEARWAY_DATA/radiation/iaea/d_values_and_category_thresholds.csv`
    /// when CLEARWAY_DATA is set, else the authoritative values only.
    #[arg(long, value_name = "FILE")]
    pub iaea: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(c: RadCommand) -> Result<ExitCode> {
    match c {
        RadCommand::Categorize(a) => categorize(a),
        RadCommand::Parse(a) => crate::rad_spectra::parse(a),
        RadCommand::Identify(a) => crate::rad_spectra::identify(a),
        RadCommand::Occupancy(a) => crate::rad_portal::occupancy(a),
        RadCommand::Eval(a) => crate::rad_portal::eval(a),
    }
}

fn table(path: Option<&PathBuf>) -> Result<DTable> {
    let path = match path {
        Some(p) => p.clone(),
        None => match std::env::var_os("CLEARWAY_DATA") {
            Some(d) => {
                let p = PathBuf::from(d).join("radiation/iaea/d_values_and_category_thresholds.csv");
                if !p.is_file() {
                    return Ok(DTable::authoritative());
                }
                p
            }
            None => return Ok(DTable::authoritative()),
        },
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    DTable::with_csv(&text).with_context(|| format!("in {}", path.display()))
}

fn categorize(a: CategorizeArgs) -> Result<ExitCode> {
    let t = table(a.iaea.as_ref())?;
    let mut sources = Vec::with_capacity(a.sources.len());
    for s in &a.sources {
        let (n, act) = s.split_once('=').ok_or_else(|| anyhow!("--source {s:?}: expected NUCLIDE=ACTIVITY, e.g. Co-60=3.7TBq"))?;
        let bq = parse_activity(act).map_err(|e| anyhow!("--source {s:?}: {e}"))?;
        t.lookup(n.trim()).map_err(|e| anyhow!("--source {s:?}: {e}"))?;
        sources.push((n.trim().to_string(), bq));
    }
    let c = t.categorize(&sources).map_err(|e| anyhow!("{e}"))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&c)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:<12} {:>14} {:>10} {:>12}", "nuclide", "activity (Bq)", "D (TBq)", "A/D");
    for p in &c.parts {
        println!(
            "{:<12} {:>14.4e} {:>10} {:>12.4}{}",
            p.nuclide,
            p.activity_bq,
            p.d_value_tbq,
            p.ratio,
            if p.verified { "" } else { "  (D-value unverified)" }
        );
    }
    println!("IAEA Category {} (sum of A/D {:.4})", c.category, c.ratio);
    if c.unverified {
        println!("warning: uses D-values not verified against the authoritative table");
    }
    Ok(ExitCode::SUCCESS)
}
