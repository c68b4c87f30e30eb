//! `clearway bundle create|show|verify|keygen` and `clearway compare` / `clearway compare merge`: argument
//! parsing and printing of `clearway_service::bundle` and `clearway_service::compare` reports.

use anyhow::{Context as _, Result, bail};
use clearway_service::compare::{self, CompareOptions, CompareReport, Data, Labels, html};
use clearway_service::{PipelineOptions, bundle, open_store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum BundleCommand {
    /// Make a bundle from a source directory (its bundle.json), signed with --key.
    Create {
        /// Source directory holding bundle.json.
        source: PathBuf,
        /// Output bundle file.
        #[arg(long, short)]
        out: PathBuf,
        /// Secret key file (`clearway bundle keygen`).
        #[arg(long)]
        key: PathBuf,
    },
    /// Describe a bundle: manifest, layers, carried files, hash, signer.
    Show {
        bundle: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Check a bundle's hash and signature (and that --key signed it). Exit 1 when it fails.
    Verify {
        bundle: PathBuf,
        /// Expected signer's public key file.
        #[arg(long)]
        key: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Make a signing key pair: OUT.key (secret) and OUT.pub.
    Keygen {
        /// Path stem of the two files.
        out: PathBuf,
    },
}

pub fn bundle_cmd(c: BundleCommand) -> Result<ExitCode> {
    match c {
        BundleCommand::Create { source, out, key } => {
            let key = bundle::read_secret_key(&key).map_err(crate::service_error)?;
            let b = bundle::create(&source, Some(&key)).map_err(crate::service_error)?;
            std::fs::write(&out, b.to_json())
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{}  {} {}  hash {}  signed by {}",
                out.display(),
                b.payload.manifest.name,
                b.payload.manifest.version,
                b.hash,
                key.public().id()
            );
            Ok(ExitCode::SUCCESS)
        }
        BundleCommand::Show { bundle: path, json } => {
            let b = bundle::read(&path).map_err(crate::service_error)?;
            let s = b.summary();
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("{} {} — {}", s.name, s.version, s.agency);
            if !s.description.is_empty() {
                println!("  {}", s.description);
            }
            println!("hash      {}", s.hash);
            println!("signer    {}", s.key_id.as_deref().unwrap_or("(unsigned)"));
            println!(
                "layers    standard + {}",
                if s.layers.is_empty() {
                    "none".into()
                } else {
                    s.layers.join(", ")
                }
            );
            println!("config    {}", s.config.as_deref().unwrap_or("(defaults)"));
            let row = |what: &str, f: &clearway_bundle::FileSummary| {
                println!(
                    "{what:<9} {:<44} {:>9} B  {}{}",
                    f.name,
                    f.bytes,
                    f.blake3,
                    if f.harmonised { "  harmonised" } else { "" }
                );
            };
            for f in &s.profiles {
                row("profile", f);
            }
            for f in &s.lists {
                row("list", f);
            }
            for (w, f) in [
                ("values", &s.value_control),
                ("select", &s.selectivity),
                ("model", &s.model),
            ] {
                if let Some(f) = f {
                    row(w, f);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        BundleCommand::Verify {
            bundle: path,
            key,
            json,
        } => {
            let (b, v) = bundle::verify(&path, key.as_deref()).map_err(crate::service_error)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                match v.problem() {
                    None => println!(
                        "{}: OK — {} {}, hash {}, signed by {}{}",
                        path.display(),
                        b.payload.manifest.name,
                        b.payload.manifest.version,
                        v.hash,
                        v.key_id.as_deref().unwrap_or("?"),
                        if v.trusted == Some(true) {
                            " (the expected key)"
                        } else {
                            ""
                        }
                    ),
                    Some(p) => println!("{}: FAILED — {p}", path.display()),
                }
            }
            Ok(if v.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        BundleCommand::Keygen { out } => {
            let mut seed = [0u8; 32];
            std::fs::File::open("/dev/urandom")
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut seed))
                .context("reading /dev/urandom")?;
            let k = clearway_bundle::SecretKey::from_seed(seed);
            let (sk, pk) = (out.with_extension("key"), out.with_extension("pub"));
            if sk.exists() {
                bail!("{} exists; not overwritten", sk.display());
            }
            write_private(&sk, &k.to_text())?;
            std::fs::write(&pk, k.public().to_text())?;
            println!(
                "{} (secret) and {} (public), key id {}",
                sk.display(),
                pk.display(),
                k.public().id()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_private(p: &Path, text: &str) -> Result<()> {
    use std::fs::OpenOptions;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    o.mode(0o600);
    o.open(p)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .with_context(|| format!("writing {}", p.display()))
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CompareArgs {
    #[command(subcommand)]
    pub merge: Option<MergeCommand>,
    /// A bundle (give two or three; one gives that bundle's figures alone).
    #[arg(long = "bundle", value_name = "BUNDLE")]
    pub bundles: Vec<PathBuf>,
    /// Filings: a file (what `screen` reads, or a KCS declarations CSV with its fraud labels) or `db`.
    #[arg(long)]
    pub data: Option<String>,
    /// Exam labels: an exam results CSV (as `exam import` reads) or `db` (stored exam results).
    #[arg(long)]
    pub labels: Option<String>,
    /// Examination budgets, percent of the labelled filings.
    #[arg(long, value_delimiter = ',', default_value = "1,2,5,10")]
    pub budget: Vec<f64>,
    /// Write the self-contained HTML report here.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Print the report as JSON (with --out, write it there instead).
    #[arg(long)]
    pub json: bool,
    /// Write the JSON report to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Aggregate figures only: no filing ids, no parties (for exchange between agencies).
    #[arg(long)]
    pub metrics_only: bool,
    /// Bootstrap replicates.
    #[arg(long, default_value_t = 200)]
    pub replicates: usize,
    /// Seed of the bootstrap and of the tie-break draw at equal budgets.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Reference data directory (outside bundles: operational data).
    #[arg(long, env = "CLEARWAY_REFERENCE")]
    pub reference: Option<PathBuf>,
    /// Trusted-trader registry (CSV or JSON). Without --data db / --labels db it is loaded into a
    /// throw-away in-memory store; nothing is written to --db.
    #[arg(long)]
    pub traders: Option<PathBuf>,
    /// The store: read for `--data db`, `--labels db`, stored lists and the trusted-trader registry.
    #[arg(long, env = "CLEARWAY_DB")]
    pub db: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum MergeCommand {
    /// Put several agencies' metric files (`compare --metrics-only --out FILE`) into one report.
    Merge {
        /// Metric files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        html: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn compare_cmd(a: CompareArgs) -> Result<ExitCode> {
    if let Some(MergeCommand::Merge {
        files,
        html,
        json,
        out,
    }) = a.merge
    {
        let reports = files
            .iter()
            .map(|f| compare::read_report(f))
            .collect::<Result<Vec<_>, _>>()
            .map_err(crate::service_error)?;
        let r = compare::merge(reports).map_err(crate::service_error)?;
        return emit(&r, html.as_deref(), json, out.as_deref(), &[]);
    }
    let Some(data) = &a.data else {
        bail!("--data FILE|db is required")
    };
    if a.bundles.is_empty() {
        bail!("give --bundle (one to three times)");
    }
    let data = Data::detect(data).map_err(crate::service_error)?;
    let labels = match a.labels.as_deref() {
        None => None,
        Some("db") => Some(Labels::Db),
        Some(p) => Some(Labels::Exams(PathBuf::from(p))),
    };
    let needs_db = data == Data::Db || labels == Some(Labels::Db);
    let mut store: Box<dyn clearway_store::Store> = match (&a.db, needs_db) {
        (Some(db), _) => open_store(db).map_err(crate::service_error)?,
        (None, true) => bail!("--data db and --labels db need --db (or CLEARWAY_DB)"),
        (None, false) => Box::new(clearway_store::memory::MemoryStore::default()),
    };
    let o = CompareOptions {
        bundles: a.bundles.clone(),
        data,
        labels,
        budgets: a.budget.clone(),
        base: PipelineOptions {
            reference: a.reference.clone(),
            traders: a.traders.clone(),
            ..PipelineOptions::default()
        },
        metrics_only: a.metrics_only,
        replicates: a.replicates,
        seed: a.seed,
        ..CompareOptions::default()
    };
    let r = compare::run(store.as_mut(), &o, None).map_err(crate::service_error)?;
    let r = if a.metrics_only {
        compare::metrics_only(r)
    } else {
        r
    };
    emit(&r, a.html.as_deref(), a.json, a.out.as_deref(), &a.budget)
}

fn emit(
    r: &CompareReport,
    html_out: Option<&Path>,
    json: bool,
    out: Option<&Path>,
    _budgets: &[f64],
) -> Result<ExitCode> {
    if let Some(p) = html_out {
        std::fs::write(p, html::render(r)).with_context(|| format!("writing {}", p.display()))?;
        eprintln!("HTML report: {}", p.display());
    }
    if let Some(p) = out {
        std::fs::write(p, serde_json::to_vec_pretty(r)?)
            .with_context(|| format!("writing {}", p.display()))?;
        eprintln!("JSON report: {}", p.display());
    }
    let mut o = std::io::BufWriter::new(std::io::stdout());
    if json && out.is_none() {
        serde_json::to_writer_pretty(&mut o, r)?;
        writeln!(o)?;
    } else {
        print_report(&mut o, r)?;
    }
    o.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn est(e: &clearway_service::compare::stats::Estimate) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.value, e.lo, e.hi)
}

/// The report for people.
pub fn print_report(o: &mut dyn Write, r: &CompareReport) -> std::io::Result<()> {
    let l = html::letter;
    writeln!(
        o,
        "{} — {} filings ({} rejected), fingerprint {}{}",
        r.data.source,
        r.data.filings,
        r.data.rejected,
        r.data.fingerprint,
        if r.metrics_only { ", metrics only" } else { "" }
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "   {:<26} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>10}",
        "BUNDLE", "green", "blue", "yellow", "red", "exam %", "random", "DNL", "score", "dec/s"
    )?;
    for (i, b) in r.bundles.iter().enumerate() {
        let g = |k: &str| b.lanes.get(k).copied().unwrap_or(0);
        writeln!(
            o,
            "{}  {:<26} {:>8} {:>8} {:>8} {:>8} {:>8.2} {:>8} {:>7} {:>7.2} {:>10.0}",
            l(i),
            format!("{} {}", b.name, b.version),
            g("green"),
            g("blue"),
            g("yellow"),
            g("red"),
            100.0 * b.exam_rate,
            b.random_selected,
            b.do_not_load,
            b.mean_score,
            b.decisions_per_second
        )?;
    }
    if !r.agreement.pairs.is_empty() {
        writeln!(
            o,
            "\nAGREEMENT (selected = yellow or red)   both  first-only  second-only   neither  Jaccard   kappa"
        )?;
        for p in &r.agreement.pairs {
            let f = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into());
            writeln!(
                o,
                "  {} – {} {:>33} {:>11} {:>12} {:>9} {:>8} {:>7}",
                l(p.a),
                l(p.b),
                p.table.both,
                p.table.only_a,
                p.table.only_b,
                p.table.neither,
                f(p.jaccard),
                f(p.kappa)
            )?;
        }
        write!(o, "OVERLAP ")?;
        for g in &r.agreement.regions {
            let who: String = g.members.iter().map(|&m| l(m)).collect();
            let only = if g.members.len() < r.bundles.len() {
                " only"
            } else {
                ""
            };
            write!(o, "  {who}{only}: {}", g.filings)?;
        }
        writeln!(o)?;
    }
    for d in &r.disagreements {
        writeln!(
            o,
            "\n{} selects, {} does not: {} filings",
            l(d.selected_by),
            l(d.not_by),
            d.filings
        )?;
        for x in d.reasons.iter().take(8) {
            let ex = if x.examples.is_empty() {
                String::new()
            } else {
                format!("  e.g. {}", x.examples.join(", "))
            };
            writeln!(o, "  {:>7}  {}: {}{ex}", x.filings, x.layer, x.code)?;
        }
    }
    if let Some(lf) = &r.labelled {
        writeln!(
            o,
            "\nLABELLED: {} filings ({}), {} positive; top n % by each bundle's score; 95 % bootstrap ({} replicates)",
            lf.filings, lf.source, lf.positives, lf.replicates
        )?;
        for (i, b) in lf.bundles.iter().enumerate() {
            for a in &b.at_budget {
                write!(
                    o,
                    "  {}  @{:>4} % ({:>6})  precision {}",
                    l(i),
                    a.budget,
                    a.inspected,
                    est(&a.precision)
                )?;
                if let Some(rc) = &a.recall {
                    write!(o, "  recall {}", est(rc))?;
                }
                if let Some(rv) = &a.revenue {
                    write!(o, "  revenue {}", est(rv))?;
                }
                writeln!(o)?;
            }
            writeln!(
                o,
                "  {}  own selection {} filings, hit rate {}",
                l(i),
                b.own_selected,
                b.own_hit_rate
                    .as_ref()
                    .map(est)
                    .unwrap_or_else(|| "—".into())
            )?;
        }
    }
    if !r.harmonised.profiles.is_empty() {
        writeln!(o, "\nHARMONISED (hits / selected / hit rate per bundle)")?;
        let cell = |c: Option<&clearway_service::compare::ProfileCell>| match c {
            Some(c) => format!(
                "{} / {} / {}",
                c.hits,
                c.selected,
                c.precision
                    .map(|e| format!("{:.3}", e.value))
                    .unwrap_or_else(|| "—".into())
            ),
            None => "not carried".into(),
        };
        for row in &r.harmonised.profiles {
            let cells: Vec<String> = row
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}: {}", l(i), cell(c.as_ref())))
                .collect();
            writeln!(o, "  {:<10} {}", row.profile, cells.join("   "))?;
        }
        let own: Vec<String> = r
            .harmonised
            .own
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{}: {}", l(i), cell(Some(c))))
            .collect();
        writeln!(o, "  {:<10} {}", "own", own.join("   "))?;
    }
    if r.timing.wall_seconds > 0.0 {
        writeln!(
            o,
            "\none pass: {:.2} s wall, {:.2} s parsing, {:.0} filings/s through all bundles",
            r.timing.wall_seconds, r.timing.parse_seconds, r.timing.filings_per_second
        )?;
    }
    Ok(())
}
