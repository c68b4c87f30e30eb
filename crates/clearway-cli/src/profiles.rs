//! `clearway profiles ...`, `exam ...`, `backtest`, `bench profiles`, and the profile layer of `screen` (issue 4).

use anyhow::{Context as _, Result, bail};
use chrono::{NaiveDate, TimeZone, Utc};
use clearway_core::Filing;
use clearway_profiles::kcs::{self, Labelled};
use clearway_profiles::selectivity::{Candidate, SelectivityConfig, top_up};
use clearway_profiles::{Diag, EntityHistory, ProfileLayer, ProfileSet, Source, backtest};
use clearway_store::exams::{ExamOutcome, ExamResult, SelectionRecord};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::{DbArgs, setup};

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
    #[arg(long)]
    pub profiles: PathBuf,
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

fn files_with(dir: &Path, ext: &str, recurse: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() && recurse {
            files_with(&p, ext, recurse, out)?;
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
    Ok(())
}

/// Read and load a profile directory. Errors are printed; nothing half-loaded.
pub fn load_dir(dir: &Path, today: Option<NaiveDate>) -> Result<std::result::Result<(ProfileSet, Vec<Diag>, usize), Vec<Diag>>> {
    let mut pf = Vec::new();
    files_with(dir, "profile", true, &mut pf)?;
    let mut lf = Vec::new();
    if dir.join("lists").is_dir() {
        files_with(&dir.join("lists"), "csv", false, &mut lf)?;
    }
    let texts: Vec<(String, String)> = pf.iter().map(|p| Ok((p.display().to_string(), read(p)?))).collect::<Result<_>>()?;
    let ltexts: Vec<(String, String)> = lf.iter().map(|p| Ok((p.display().to_string(), read(p)?))).collect::<Result<_>>()?;
    let vpath = dir.join("value-control.csv");
    let vtext = if vpath.exists() { Some((vpath.display().to_string(), read(&vpath)?)) } else { None };
    let src: Vec<Source> = texts.iter().map(|(n, t)| Source { name: n, text: t }).collect();
    let lsrc: Vec<Source> = ltexts.iter().map(|(n, t)| Source { name: n, text: t }).collect();
    let v = vtext.as_ref().map(|(n, t)| Source { name: n, text: t });
    Ok(ProfileSet::load(&src, &lsrc, v, today).map(|(s, w)| (s, w, pf.len())))
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

fn day_start(d: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn office_of(f: &Filing) -> String {
    f.itinerary.first_port_of_arrival.clone().or_else(|| f.itinerary.place_of_discharge.clone()).unwrap_or_else(|| "-".into())
}

fn select(db: DbArgs, day: NaiveDate, sel: PathBuf, seed: Option<u64>, dry_run: bool, json: bool) -> Result<ExitCode> {
    let text = read(&sel)?;
    let cfg = match SelectivityConfig::parse(&sel.display().to_string(), &text) {
        Ok(c) => c,
        Err(errs) => {
            for e in &errs {
                eprintln!("{e}");
            }
            bail!("{}: bad selectivity configuration", sel.display());
        }
    };
    let seed = seed.unwrap_or(clearway_engine::config::RandomConfig::default().seed);
    let mut store = setup::open_store(&db.db)?;
    let next = day.succ_opt().unwrap_or(day);
    let stored = store.decisions_filed(Some(day_start(day)), Some(day_start(next)))?;
    // The latest stored version of each filing stands.
    let mut latest: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in stored.iter().enumerate() {
        let e = latest.entry(s.filing.id.clone()).or_insert(i);
        if stored[*e].filing.version < s.filing.version {
            *e = i;
        }
    }
    let cands: Vec<Candidate> = latest
        .values()
        .map(|&i| {
            let s = &stored[i];
            Candidate {
                filing_id: s.filing.id.clone(),
                version: s.filing.version,
                office: office_of(&s.filing),
                day,
                lane: s.decision.lane,
                score: s.decision.score,
            }
        })
        .collect();
    let (sels, report) = top_up(&cands, &cfg, seed);
    let now = Utc::now();
    let recorded = if dry_run {
        0
    } else {
        let recs: Vec<SelectionRecord> = sels
            .iter()
            .map(|s| SelectionRecord {
                filing_id: s.filing_id.clone(),
                version: s.version,
                office: s.office.clone(),
                day: s.day,
                lane: s.lane,
                score: s.score,
                seed,
                draw: s.draw,
                recorded_at: now,
            })
            .collect();
        store.record_selections(&recs)?
    };
    if json {
        println!("{}", serde_json::json!({"day": day, "seed": seed, "filings": cands.len(), "groups": report, "selections": sels, "recorded": recorded}));
    } else {
        println!("{:<10} {:<8} {:<6} {:>8} {:>9} {:>7} {:>7} {:>6} {:>6}", "DAY", "OFFICE", "LANE", "FILINGS", "EXPECTED", "TARGET", "BEFORE", "ADDED", "AFTER");
        for r in &report {
            println!(
                "{:<10} {:<8} {:<6} {:>8} {:>8.2}% {:>7} {:>7} {:>6} {:>6}",
                r.day, r.office, r.lane.as_str(), r.filings, r.expected, r.target, r.before, r.added, r.after
            );
        }
        println!("{} filings on {day}; {} topped up; {} recorded (seed {seed})", cands.len(), sels.len(), recorded);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Default, serde::Serialize)]
struct PStat {
    id: String,
    hits: u64,
    selected: u64,
    examined: u64,
    finds: u64,
    hit_rate: Option<f64>,
    revenue: f64,
    revenue_per_exam: Option<f64>,
    flags: Vec<String>,
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
    let mut store = setup::open_store(&db.db)?;
    let exams = store.exam_results()?;
    // Latest result per filing (and version when given).
    let mut by_filing: HashMap<&str, &ExamResult> = HashMap::new();
    for e in &exams {
        by_filing.insert(e.filing_id.as_str(), e);
    }
    let stored = store.decisions_filed(from.map(day_start), to.map(day_start))?;
    let mut st: BTreeMap<String, PStat> = BTreeMap::new();
    for s in &stored {
        let exam = by_filing.get(s.filing.id.as_str()).filter(|e| e.version.is_none_or(|v| v == s.filing.version));
        for f in s.decision.findings.iter().filter(|f| f.layer == "profile") {
            let p = st.entry(f.code.to_string()).or_insert_with(|| PStat { id: f.code.to_string(), ..PStat::default() });
            p.hits += 1;
            p.selected += u64::from(f.action.is_some());
            if let Some(e) = exam {
                p.examined += 1;
                p.finds += u64::from(e.result.found());
                p.revenue += e.revenue.unwrap_or(0.0);
            }
        }
    }
    let day = t.unwrap_or_else(today);
    if let Some(dir) = &profiles {
        let set = load_or_fail(dir)?;
        for p in &set.profiles {
            let s = st.entry(p.id.clone()).or_insert_with(|| PStat { id: p.id.clone(), ..PStat::default() });
            if p.valid_to.is_some_and(|d| d < day) {
                s.flags.push(format!("expired {}", p.valid_to.unwrap_or_default()));
            } else if p.review.is_some_and(|d| d < day) {
                s.flags.push(format!("past review {}", p.review.unwrap_or_default()));
            }
        }
    }
    for s in st.values_mut() {
        if s.examined > 0 {
            s.hit_rate = Some(s.finds as f64 / s.examined as f64);
            s.revenue_per_exam = Some(s.revenue / s.examined as f64);
        }
        if s.examined >= 10 && s.hit_rate.is_some_and(|r| r < floor) {
            s.flags.push(format!("hit rate below {:.1} %", floor * 100.0));
        }
    }
    if json {
        println!("{}", serde_json::json!({"filings": stored.len(), "exam_results": exams.len(), "profiles": st.values().collect::<Vec<_>>()}));
    } else {
        println!("{:<16} {:>7} {:>8} {:>8} {:>6} {:>8} {:>12}  FLAGS", "PROFILE", "HITS", "SELECTED", "EXAMINED", "FINDS", "HIT RATE", "REV/EXAM");
        for s in st.values() {
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
        println!("{} filings, {} exam results", stored.len(), exams.len());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn exam(c: ExamCommand) -> Result<ExitCode> {
    match c {
        ExamCommand::Record { db, filing_id, result, version, severity, revenue, note } => {
            let result = ExamOutcome::parse(&result).context("result must be no-finding, finding or seizure")?;
            if revenue.is_some_and(|r| !r.is_finite() || r < 0.0) {
                bail!("--revenue must be a number >= 0");
            }
            let mut store = setup::open_store(&db.db)?;
            let hist = store.history(&filing_id)?;
            if hist.versions.is_empty() {
                bail!("no stored filing {filing_id:?}");
            }
            let version = Some(version.unwrap_or_else(|| hist.versions.last().map(|v| v.version).unwrap_or(1)));
            if let Some(v) = version {
                if !hist.versions.iter().any(|x| x.version == v) {
                    bail!("filing {filing_id:?} has no stored version {v}");
                }
            }
            let e = ExamResult { filing_id, version, result, severity, revenue, note, recorded_at: Utc::now() };
            store.record_exams(std::slice::from_ref(&e))?;
            println!("recorded: {} v{} {}", e.filing_id, version.unwrap_or(1), e.result.as_str());
            Ok(ExitCode::SUCCESS)
        }
        ExamCommand::Import { db, file } => {
            let text = read(&file)?;
            let name = file.display().to_string();
            let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            let headers = rdr.headers().with_context(|| format!("{name}: no header row"))?.clone();
            let col = |n: &str| headers.iter().position(|h| h.trim() == n);
            let Some(ci) = col("filing_id") else { bail!("{name}:1:1: missing column filing_id") };
            let Some(cr) = col("result") else { bail!("{name}:1:1: missing column result") };
            let (cv, cs, crev, cn) = (col("version"), col("severity"), col("revenue"), col("note"));
            let mut rows = Vec::new();
            let mut errs = Vec::new();
            let now = Utc::now();
            for rec in rdr.records() {
                let r = match rec {
                    Ok(r) => r,
                    Err(e) => {
                        errs.push(format!("{name}:{}: {e}", e.position().map(|p| p.line()).unwrap_or(0)));
                        continue;
                    }
                };
                let line = r.position().map(|p| p.line()).unwrap_or(0);
                let get = |c: Option<usize>| c.and_then(|c| r.get(c)).map(str::trim).filter(|s| !s.is_empty());
                let colno = |c: usize| 1 + r.iter().take(c).map(|f| f.chars().count() + 1).sum::<usize>();
                let Some(id) = get(Some(ci)) else {
                    errs.push(format!("{name}:{line}:{}: empty filing_id", colno(ci)));
                    continue;
                };
                let Some(result) = get(Some(cr)).and_then(ExamOutcome::parse) else {
                    errs.push(format!("{name}:{line}:{}: result must be no-finding, finding or seizure", colno(cr)));
                    continue;
                };
                let version = match get(cv).map(str::parse::<u32>) {
                    None => None,
                    Some(Ok(v)) => Some(v),
                    Some(Err(_)) => {
                        errs.push(format!("{name}:{line}:{}: bad version", colno(cv.unwrap_or(0))));
                        continue;
                    }
                };
                let severity = match get(cs).map(str::parse::<u8>) {
                    None => None,
                    Some(Ok(v)) if (1..=5).contains(&v) => Some(v),
                    _ => {
                        errs.push(format!("{name}:{line}:{}: severity must be 1-5", colno(cs.unwrap_or(0))));
                        continue;
                    }
                };
                let revenue = match get(crev).map(str::parse::<f64>) {
                    None => None,
                    Some(Ok(v)) if v.is_finite() && v >= 0.0 => Some(v),
                    _ => {
                        errs.push(format!("{name}:{line}:{}: revenue must be a number >= 0", colno(crev.unwrap_or(0))));
                        continue;
                    }
                };
                rows.push(ExamResult {
                    filing_id: id.to_owned(),
                    version,
                    result,
                    severity,
                    revenue,
                    note: get(cn).map(str::to_owned),
                    recorded_at: now,
                });
            }
            if !errs.is_empty() {
                for e in &errs {
                    eprintln!("{e}");
                }
                bail!("{name}: {} bad rows; nothing imported", errs.len());
            }
            let mut store = setup::open_store(&db.db)?;
            let n = store.record_exams(&rows)?;
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
    let set = load_or_fail(&a.profiles)?;
    if a.budget.iter().any(|b| !(*b > 0.0 && *b <= 100.0)) {
        bail!("--budget values must be in (0, 100]");
    }
    let (history, test, source) = if a.data == "db" {
        let mut store = setup::open_store(&a.db.db)?;
        let exams = store.exam_results()?;
        let mut by: HashMap<String, &ExamResult> = HashMap::new();
        for e in &exams {
            by.insert(e.filing_id.clone(), e);
        }
        let stored = store.decisions_filed(None, None)?;
        let test: Vec<Labelled> = stored
            .into_iter()
            .filter_map(|s| {
                let e = by.get(&s.filing.id)?;
                Some(Labelled { filing: s.filing, extras: Default::default(), fraud: e.result.found(), revenue: e.revenue })
            })
            .collect();
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

/// Add this capability's layers to the screening pipeline.
pub fn add_layers(o: &ScreenOpts, p: &mut clearway_engine::Pipeline, db: &str) -> Result<()> {
    let Some(dir) = &o.profiles else { return Ok(()) };
    let set = load_or_fail(dir)?;
    let sel = match &o.selectivity {
        None => None,
        Some(path) => match SelectivityConfig::parse(&path.display().to_string(), &read(path)?) {
            Ok(c) => Some(c),
            Err(errs) => {
                for e in &errs {
                    eprintln!("{e}");
                }
                bail!("{}: bad selectivity configuration", path.display());
            }
        },
    };
    // Entity history starts from what is stored: earlier filings (so an importer seen in an earlier run
    // is not "new") and recorded exam results (past finds per importer). Every stored filing version is
    // observed once, streamed from the store (decisions are not read). A store that cannot scan, or a
    // scan that fails part-way, seeds no filings.
    let mut history = EntityHistory::new();
    let mut store = setup::open_store(db)?;
    if store.scan_filings(&mut |f| history.observe_filing(f)).is_err() {
        history = EntityHistory::new();
    }
    if let Ok(exams) = store.exam_results() {
        for e in exams {
            let v = match e.version {
                Some(v) => Some(v),
                None => store.history(&e.filing_id)?.versions.last().map(|v| v.version),
            };
            if let Some(f) = v.map(|v| store.filing(&e.filing_id, v)).transpose()?.flatten() {
                history.record_exam(clearway_profiles::facts::importer_key(&f), e.result.found());
            }
        }
    }
    p.add_layer(Box::new(ProfileLayer::new(set, sel).with_history(history)));
    Ok(())
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

