//! `clearway profiles ...`, `exam ...`, `backtest`, `bench profiles`, and the profile layer of `screen` (issue 4).

use anyhow::{Context as _, Result, bail};
use chrono::{NaiveDate, Utc};
use clearway_profiles::kcs::{self, Labelled};
use clearway_profiles::{ProfileSet, backtest};
use clearway_store::exams::ExamOutcome;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::DbArgs;

#[path = "profiles_bench.rs"]
mod bench_impl;

#[derive(clap::Subcommand)]
pub enum ProfilesCommand {
    /// Statically check a directory of profiles (`*.profile`, `lists/*.csv`, `value-control.csv`).
    Check {
        dir: PathBuf,
        /// Report as JSON.
        #[arg(long)]
        json: bool,
        /// Date for review and expiry warnings (default: today).
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Per-profile statistics from stored decisions and exam results: hits, selected, examined, finds.
    Stats {
        #[command(flatten)]
        db: DbArgs,
        /// Profile directory: adds flags for profiles past review or expired.
        #[arg(long)]
        profiles: Option<PathBuf>,
        /// Only filings filed on or after this day.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Only filings filed before this day.
        #[arg(long)]
        to: Option<NaiveDate>,
        /// Flag profiles whose hit rate (finds / examined) is below this share, once examined ≥ 10 times.
        #[arg(long, default_value_t = 0.05)]
        floor: f64,
        /// Date for review and expiry flags (default: today).
        #[arg(long)]
        today: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Top up one day's selections per office and lane to the expected rates, from the highest-scoring
    /// would-be-green filings; records the selections.
    Select {
        #[command(flatten)]
        db: DbArgs,
        /// The day (filing date, UTC).
        #[arg(long)]
        day: NaiveDate,
        /// Selectivity configuration (JSON rate periods).
        #[arg(long)]
        selectivity: PathBuf,
        /// Seed of the tie-break draw (default: the engine configuration's random seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Compute and print, record nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Subcommand)]
pub enum ExamCommand {
    /// Record an examination result.
    Record {
        #[command(flatten)]
        db: DbArgs,
        filing_id: String,
        #[arg(long, value_parser = ["no-finding", "finding", "seizure"])]
        result: String,
        /// Version examined (default: the latest stored).
        #[arg(long)]
        version: Option<u32>,
        /// Severity 1-5.
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
        severity: Option<u8>,
        /// Revenue recovered.
        #[arg(long)]
        revenue: Option<f64>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Import examination results from CSV: `filing_id,version,result,severity,revenue,note` (header row).
    /// Any bad row rejects the whole file (nothing half-imported).
    Import {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
}

#[derive(clap::Args)]
pub struct BacktestArgs {
    /// Profile directory.
    #[arg(long, required_unless_present = "bundle")]
    pub profiles: Option<PathBuf>,
    /// Or the profiles (with lists and value table) of an assessment bundle.
    #[arg(long, conflicts_with = "profiles")]
    pub bundle: Option<PathBuf>,
    /// Labelled data: a KCS declarations CSV, or `db` for Clearway's stored filings with exam results.
    #[arg(long)]
    pub data: String,
    /// Earlier labelled data for entity history and past fraud rates (default for a KCS `valid` file: the
    /// `train` file beside it).
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Inspection budgets, percent.
    #[arg(long, value_delimiter = ',', default_value = "1,2,5,10")]
    pub budget: Vec<f64>,
    /// Seed of the tie-break draw.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Number of rules.
    #[arg(long, default_value_t = 300)]
    pub rules: usize,
    /// Synthetic filings to evaluate.
    #[arg(long, default_value_t = 20_000)]
    pub filings: usize,
    #[arg(long)]
    pub json: bool,
}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
#[group(skip)]
pub struct ScreenOpts {
    /// Targeting profiles directory (`*.profile`, `lists/*.csv`, `value-control.csv`).
    #[arg(long)]
    pub profiles: Option<PathBuf>,
    /// Selectivity configuration (JSON): random rates per lane with validity dates (needs --profiles).
    #[arg(long, requires = "profiles")]
    pub selectivity: Option<PathBuf>,
}

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
}

/// Read and load a profile directory. Errors are printed; nothing half-loaded.
pub fn load_dir(dir: &Path, today: Option<NaiveDate>) -> Result<clearway_service::pipeline::Loaded> {
    Ok(clearway_service::pipeline::read_profiles(dir, today)?)
}

fn load_or_fail(dir: &Path) -> Result<ProfileSet> {
    match load_dir(dir, None)? {
        Ok((s, _, _)) => Ok(s),
        Err(errs) => {
            for e in &errs {
                eprintln!("{e}");
            }
            bail!("{}: {} errors in the profiles; nothing loaded", dir.display(), errs.len())
        }
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn profiles(c: ProfilesCommand) -> Result<ExitCode> {
    match c {
        ProfilesCommand::Check { dir, json, today: t } => {
            let res = load_dir(&dir, Some(t.unwrap_or_else(today)))?;
            match res {
                Ok((set, warnings, files)) => {
                    if json {
                        println!("{}", serde_json::json!({"ok": true, "files": files, "profiles": set.profiles.len(),
                            "lists": set.lists.len(), "value_rows": set.values.len(), "warnings": warnings}));
                    } else {
                        for w in &warnings {
                            println!("{w}");
                        }
                        println!(
                            "ok: {} profiles in {} files, {} lists, {} value-control rows",
                            set.profiles.len(),
                            files,
                            set.lists.len(),
                            set.values.len()
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(errs) => {
                    if json {
                        println!("{}", serde_json::json!({"ok": false, "errors": errs}));
                    } else {
                        for e in &errs {
                            println!("{e}");
                        }
                        println!("{} errors; nothing loaded", errs.len());
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
        ProfilesCommand::Stats { db, profiles, from, to, floor, today: t, json } => stats(db, profiles, from, to, floor, t, json),
        ProfilesCommand::Select { db, day, selectivity, seed, dry_run, json } => select(db, day, selectivity, seed, dry_run, json),
    }
}

fn select(db: DbArgs, day: NaiveDate, sel: PathBuf, seed: Option<u64>, dry_run: bool, json: bool) -> Result<ExitCode> {
    let cfg = clearway_service::pipeline::load_selectivity(&sel).map_err(crate::service_error)?;
    let mut store = clearway_service::open_store(&db.db)?;
    let r = clearway_service::profiles::select(store.as_mut(), day, &cfg, seed, dry_run, Utc::now())?;
    if !dry_run {
        let detail = serde_json::json!({"day": day.to_string(), "selectivity": sel.display().to_string(), "seed": seed});
        clearway_service::audit::record(store.as_mut(), &clearway_service::audit::cli_event("profile.select", None, detail, Utc::now()))?;
    }
    if json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!("{:<10} {:<8} {:<6} {:>8} {:>9} {:>7} {:>7} {:>6} {:>6}", "DAY", "OFFICE", "LANE", "FILINGS", "EXPECTED", "TARGET", "BEFORE", "ADDED", "AFTER");
        for g in &r.groups {
            println!(
                "{:<10} {:<8} {:<6} {:>8} {:>8.2}% {:>7} {:>7} {:>6} {:>6}",
                g.day, g.office, g.lane.as_str(), g.filings, g.expected, g.target, g.before, g.added, g.after
            );
        }
        println!("{} filings on {day}; {} topped up; {} recorded (seed {})", r.filings, r.selections.len(), r.recorded, r.seed);
    }
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
fn stats(
    db: DbArgs,
    profiles: Option<PathBuf>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    floor: f64,
    t: Option<NaiveDate>,
    json: bool,
) -> Result<ExitCode> {
    let set = profiles.as_deref().map(load_or_fail).transpose()?;
    let mut store = clearway_service::open_store(&db.db)?;
    let o = clearway_service::profiles::StatsOptions { from, to, floor, profiles: set.as_ref(), today: Some(t.unwrap_or_else(today)) };
    let r = clearway_service::profiles::stats(store.as_mut(), &o)?;
    if json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!("{:<16} {:>7} {:>8} {:>8} {:>6} {:>8} {:>12}  FLAGS", "PROFILE", "HITS", "SELECTED", "EXAMINED", "FINDS", "HIT RATE", "REV/EXAM");
        for s in &r.profiles {
            println!(
                "{:<16} {:>7} {:>8} {:>8} {:>6} {:>8} {:>12}  {}",
                s.id,
                s.hits,
                s.selected,
                s.examined,
                s.finds,
                s.hit_rate.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "-".into()),
                s.revenue_per_exam.map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into()),
                s.flags.join("; ")
            );
        }
        println!("{} filings, {} exam results", r.filings, r.exam_results);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn exam(c: ExamCommand) -> Result<ExitCode> {
    match c {
        ExamCommand::Record { db, filing_id, result, version, severity, revenue, note } => {
            let result = ExamOutcome::parse(&result).context("result must be no-finding, finding or seizure")?;
            let mut store = clearway_service::open_store(&db.db)?;
            let e = clearway_service::exams::ExamEntry { filing_id, version, result, severity, revenue, note };
            let r = clearway_service::exams::record(store.as_mut(), e, Utc::now())?;
            let detail = serde_json::json!({"version": r.version, "result": r.result.as_str()});
            clearway_service::audit::record(store.as_mut(), &clearway_service::audit::cli_event("exam.record", Some(r.filing_id.clone()), detail, Utc::now()))?;
            println!("recorded: {} v{} {}", r.filing_id, r.version, r.result.as_str());
            Ok(ExitCode::SUCCESS)
        }
        ExamCommand::Import { db, file } => {
            let text = read(&file)?;
            let name = file.display().to_string();
            let rows = clearway_service::exams::parse_csv(&name, &text, Utc::now()).map_err(crate::service_error)?;
            let mut store = clearway_service::open_store(&db.db)?;
            let n = store.record_exams(&rows)?;
            let detail = serde_json::json!({"file": name, "rows": n});
            clearway_service::audit::record(store.as_mut(), &clearway_service::audit::cli_event("exam.import", None, detail, Utc::now()))?;
            println!("imported {n} exam results");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_kcs(p: &Path) -> Result<Vec<Labelled>> {
    let text = read(p)?;
    let (rows, diags) = kcs::parse(&p.display().to_string(), &text).map_err(|d| anyhow::anyhow!("{d}"))?;
    for d in diags.iter().take(10) {
        eprintln!("{d}");
    }
    if !diags.is_empty() {
        eprintln!("{}: {} rows skipped", p.display(), diags.len());
    }
    Ok(rows)
}

pub fn backtest(a: BacktestArgs) -> Result<ExitCode> {
    let set = match (&a.bundle, &a.profiles) {
        (Some(b), _) => clearway_service::bundle::profile_set(b).map_err(crate::service_error)?,
        (None, Some(p)) => load_or_fail(p)?,
        (None, None) => bail!("give --profiles or --bundle"),
    };
    if a.budget.iter().any(|b| !(*b > 0.0 && *b <= 100.0)) {
        bail!("--budget values must be in (0, 100]");
    }
    let (history, test, source) = if a.data == "db" {
        let mut store = clearway_service::open_store(&a.db.db)?;
        let test = clearway_service::training::labelled(store.as_mut())?;
        (Vec::new(), test, format!("{} (stored filings with exam results)", a.db.db))
    } else {
        let data = PathBuf::from(&a.data);
        let hist_path = a.history.clone().or_else(|| {
            let name = data.file_name()?.to_str()?;
            let sib = data.with_file_name(name.replace("valid", "train"));
            (name.contains("valid") && sib.exists()).then_some(sib)
        });
        let history = match &hist_path {
            Some(p) => read_kcs(p)?,
            None => Vec::new(),
        };
        let src = match &hist_path {
            Some(h) => format!("{} (history: {})", data.display(), h.display()),
            None => data.display().to_string(),
        };
        (history, read_kcs(&data)?, src)
    };
    if test.is_empty() {
        bail!("no labelled filings in {source}");
    }
    let rep = backtest::run(&set, &history, &test, &a.budget, a.seed);
    if a.json {
        println!("{}", serde_json::to_string(&rep)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("backtest: {} profiles over {source}", set.profiles.len());
    println!("{} filings, {} frauds ({:.1} %), {} history rows", rep.filings, rep.frauds, 100.0 * rep.frauds as f64 / rep.filings.max(1) as f64, rep.history);
    print!("{:<28}", "RANKING");
    for b in &a.budget {
        print!(" {:>9}", format!("P@{b}%"));
    }
    for b in &a.budget {
        print!(" {:>9}", format!("R@{b}%"));
    }
    let has_rev = rep.profiles.first().is_some_and(|x| x.revenue.is_some());
    if has_rev {
        for b in &a.budget {
            print!(" {:>9}", format!("Rev@{b}%"));
        }
    }
    println!();
    for (name, rows) in [
        ("profiles", &rep.profiles),
        ("most valuable first", &rep.most_valuable_first),
        ("importer fraud rate first", &rep.importer_fraud_rate_first),
    ] {
        print!("{name:<28}");
        for r in rows {
            print!(" {:>9.3}", r.precision);
        }
        for r in rows {
            print!(" {:>9.3}", r.recall);
        }
        if has_rev {
            for r in rows {
                print!(" {:>9.3}", r.revenue.unwrap_or(0.0));
            }
        }
        println!();
    }
    println!("\n{:<16} {:>7} {:>7} {:>9}", "PROFILE", "HITS", "FRAUDS", "PRECISION");
    for p in &rep.per_profile {
        println!("{:<16} {:>7} {:>7} {:>9.3}", p.id, p.hits, p.frauds, p.precision);
    }
    Ok(ExitCode::SUCCESS)
}


pub fn bench(a: BenchArgs) -> Result<ExitCode> {
    let m = bench_impl::measure(a.rules, a.filings).map_err(|e| anyhow::anyhow!(e))?;
    let (n_rules, ours_s, ours_hits, cel) = (m.rules, m.ours_s, m.ours_hits, m.cel);
    let filings_len = m.filings;
    let ours_rate = filings_len as f64 / ours_s;
    let per_cpu = |n: usize, c: Option<f64>| c.map(|c| n as f64 / c);
    let ours_cpu_rate = per_cpu(filings_len, m.ours_cpu_s);
    let cel_cpu_rate = cel.as_ref().and_then(|(_, n, _)| per_cpu(*n, m.cel_cpu_s));
    if a.json {
        println!(
            "{}",
            serde_json::json!({"rules": n_rules, "filings": filings_len,
                "profiles": {"seconds": ours_s, "filings_per_s": ours_rate, "cpu_seconds": m.ours_cpu_s,
                    "filings_per_cpu_s": ours_cpu_rate, "hits": ours_hits},
                "cel": cel.as_ref().map(|(s, n, h)| serde_json::json!({"seconds": s, "filings": n, "filings_per_s": *n as f64 / s,
                    "cpu_seconds": m.cel_cpu_s, "filings_per_cpu_s": cel_cpu_rate, "hits": h})),
                "speedup": cel.as_ref().map(|(s, n, _)| ours_rate / (*n as f64 / s))})
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("{n_rules} rules over {} synthetic filings, one core", filings_len);
    let show = |r: Option<f64>| r.map_or_else(|| "-".to_string(), |r| format!("{r:.0}"));
    println!("{:<22} {:>10} {:>14} {:>16} {:>10}", "ENGINE", "SECONDS", "FILINGS/S", "FILINGS/CPU-S", "HITS");
    println!("{:<22} {:>10.3} {:>14.0} {:>16} {:>10}", "clearway profiles", ours_s, ours_rate, show(ours_cpu_rate), ours_hits);
    match cel {
        Some((s, n, h)) => {
            let r = n as f64 / s;
            println!("{:<22} {:>10.3} {:>14.0} {:>16} {:>10}  ({} filings)", "cel 0.13 (CEL)", s, r, show(cel_cpu_rate), h, n);
            print!("speed-up: {:.1}x", ours_rate / r);
            if let (Some(a), Some(b)) = (ours_cpu_rate, cel_cpu_rate) {
                print!(" ({:.1}x in CPU time)", a / b);
            }
            println!();
        }
        None => println!("cel: not built (rebuild with `--features cel` for the side-by-side run)"),
    }
    Ok(ExitCode::SUCCESS)
}

