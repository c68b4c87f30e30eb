//! `clearway model ...`, `simulate`, and the learned-model layer of `screen` (issue 5).

use anyhow::{Context as _, Result, anyhow, bail};
use clearway_model::simulate::{SimOptions, simulate as run_sim};
use clearway_model::{ColumnType, Dataset, Model, ReadOptions, TrainOptions, read_csv};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Train a gradient-boosted tree model on a labelled CSV (early stopping and calibration on --valid).
    Train(TrainArgs),
    /// Evaluate a model on a labelled CSV: precision / recall / revenue at 1, 2, 5, 10 % budgets, AUC.
    Eval(EvalArgs),
    /// Explain one row's score: calibrated probability and per-feature contributions (TreeSHAP).
    Explain(ExplainArgs),
}

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Training data: a CSV with a header line, or `db` for the filings stored in --db that have exam
    /// results (label: the examination found something; the latest --valid-share of them by filing date
    /// is the validation set).
    #[arg(long)]
    pub train: PathBuf,
    /// Validation data (CSV, same columns): early stopping, calibration and the stored metrics.
    #[arg(long, conflicts_with = "valid_share")]
    pub valid: Option<PathBuf>,
    /// The 0/1 label column (required for a CSV; with `--train db` it is the exam outcome).
    #[arg(long)]
    pub label: Option<String>,
    /// With `--train db`: share of the examined filings, the latest by filing date, kept for validation.
    #[arg(long)]
    pub valid_share: Option<f64>,
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// A column not to use (repeat).
    #[arg(long = "drop", value_name = "COLUMN")]
    pub drop: Vec<String>,
    /// Override a detected column type: COLUMN=numeric|categorical|date (repeat).
    #[arg(long = "type", value_name = "COLUMN=TYPE")]
    pub types: Vec<String>,
    /// Row identifier column (default: a unique column whose name ends in "id").
    #[arg(long)]
    pub id: Option<String>,
    /// Where to write the model file (JSON).
    #[arg(long, default_value = "model.json")]
    pub out: PathBuf,
    /// Maximum number of trees.
    #[arg(long)]
    pub trees: Option<usize>,
    /// Shrinkage.
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// Leaves per tree.
    #[arg(long)]
    pub leaves: Option<usize>,
    /// Maximum tree depth (0 = unlimited).
    #[arg(long)]
    pub max_depth: Option<usize>,
    /// Random seed (bagging, feature sampling, folds).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Threads for histogram building (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Key statistics: `ordered` (default: ordered target statistics over keys chosen on the training
    /// data), `out-of-fold` (the same keys, out-of-fold rates), `legacy` (the plan before issue 22).
    #[arg(long, value_parser = ["ordered", "out-of-fold", "legacy"])]
    pub statistics: Option<String>,
    /// At most this many combinations of two or three key parts (0 = none).
    #[arg(long)]
    pub combinations: Option<usize>,
    /// Do not use numeric columns' exact values as key parts.
    #[arg(long)]
    pub no_value_keys: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled data (CSV with the model's columns and its label).
    #[arg(long)]
    pub data: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Print each row's raw score (log-odds), one per line, instead of metrics.
    #[arg(long, conflicts_with = "json")]
    pub scores: bool,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    #[arg(long)]
    pub model: PathBuf,
    /// Data holding the row (CSV with the model's columns).
    #[arg(long)]
    pub data: PathBuf,
    /// The row's id (value of the model's id column), or `#N` for the N-th data row.
    #[arg(long)]
    pub row: String,
    /// Contributions to show.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct SimulateArgs {
    /// Labelled, dated data (CSV), cut into weeks by its date column.
    #[arg(long)]
    pub data: PathBuf,
    /// The 0/1 label column.
    #[arg(long, default_value = "Fraud")]
    pub label: String,
    /// A column not to use (repeat). `Critical Fraud` is dropped by default when present.
    #[arg(long = "drop", value_name = "COLUMN")]
    pub drop: Vec<String>,
    /// Inspection budget, percent of each week's declarations.
    #[arg(long, default_value_t = 5.0)]
    pub budget: f64,
    /// Share of the budget inspected at random in the hybrid strategy, percent.
    #[arg(long, default_value_t = 10.0)]
    pub random_share: f64,
    /// Weeks to simulate after the warm-up (default: all).
    #[arg(long)]
    pub weeks: Option<usize>,
    /// Fully labelled weeks the models start from.
    #[arg(long, default_value_t = 4)]
    pub warmup: usize,
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
#[group(id = "model-screen-opts")]
pub struct ScreenOpts {
    /// A model file (`clearway model train`): adds the learned-risk layer. Its finding's weight is
    /// `MODEL-RISK` in the config's weights (default 40) times the calibrated probability.
    #[arg(long = "model", value_name = "MODEL")]
    pub model: Option<PathBuf>,
}

pub fn model(c: ModelCommand) -> Result<ExitCode> {
    match c {
        ModelCommand::Train(a) => train(a),
        ModelCommand::Eval(a) => eval(a),
        ModelCommand::Explain(a) => explain(a),
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn parse_types(specs: &[String]) -> Result<HashMap<String, ColumnType>> {
    let mut m = HashMap::new();
    for s in specs {
        let (c, t) = s.rsplit_once('=').ok_or_else(|| anyhow!("--type {s:?}: expected COLUMN=TYPE"))?;
        let t = ColumnType::parse(t).ok_or_else(|| anyhow!("--type {s:?}: type must be numeric, categorical or date"))?;
        m.insert(c.to_string(), t);
    }
    Ok(m)
}

fn load_model(path: &Path) -> Result<Model> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Model::from_json(&text).with_context(|| format!("{}", path.display()))
}

/// Read data for a model: the model's input columns are read with the model's types.
fn read_for_model(m: &Model, path: &Path) -> Result<Dataset> {
    let bytes = read(path)?;
    let types: HashMap<String, ColumnType> = m.input_types().into_iter().collect();
    read_csv(&bytes, &ReadOptions { types, delimiter: None }).with_context(|| format!("{}", path.display()))
}


fn train(a: TrainArgs) -> Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let types = parse_types(&a.types)?;
    let from_db = a.train.as_os_str() == "db";
    if !from_db && a.valid_share.is_some() {
        bail!("--valid-share is for --train db (give a CSV --valid instead)");
    }
    let label = match (&a.label, from_db) {
        (Some(l), _) => l.clone(),
        (None, true) => clearway_model::filing::EXAM_LABEL.to_string(),
        (None, false) => bail!("--label COLUMN is required for a CSV training file"),
    };
    let (tb, db_valid) = if from_db {
        let mut store = clearway_service::open_store(&a.db.db)?;
        let t = clearway_service::training::join(store.as_mut(), a.valid_share.unwrap_or(0.2)).map_err(|e| anyhow!("{}: {e}", a.db.db))?;
        (t.train, t.valid)
    } else {
        (read(&a.train)?, None)
    };
    let train_name = if from_db { format!("{} (stored filings with exam results)", a.db.db) } else { a.train.display().to_string() };
    let train = read_csv(&tb, &ReadOptions { types: types.clone(), delimiter: None }).with_context(|| train_name.clone())?;
    let valid_bytes = match db_valid {
        Some(v) => Some(v),
        None => a.valid.as_ref().map(|p| read(p)).transpose()?,
    };
    let valid_name = a.valid.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| format!("{train_name}, validation share"));
    let valid = match &valid_bytes {
        Some(vb) => {
            // The validation file is read with the training file's types.
            let mut t: HashMap<String, ColumnType> = train.schema().into_iter().collect();
            t.extend(types);
            Some(read_csv(vb, &ReadOptions { types: t, delimiter: None }).with_context(|| valid_name.clone())?)
        }
        None => None,
    };
    let mut o = match a.statistics.as_deref() {
        Some("legacy") => TrainOptions::legacy(&label),
        _ => TrainOptions::new(&label),
    };
    if a.statistics.as_deref() == Some("out-of-fold") {
        o.statistics.mode = clearway_model::features::StatsMode::OutOfFold;
    }
    if let Some(v) = a.combinations {
        o.statistics.combinations = v;
    }
    if a.no_value_keys {
        o.statistics.value_keys = false;
    }
    o.drop = a.drop.clone();
    o.id_column = a.id.clone();
    if let Some(v) = a.trees {
        o.params.num_trees = v;
    }
    if let Some(v) = a.learning_rate {
        o.params.learning_rate = v;
    }
    if let Some(v) = a.leaves {
        o.params.num_leaves = v;
    }
    if let Some(v) = a.max_depth {
        o.params.max_depth = v;
    }
    if let Some(v) = a.seed {
        o.params.seed = v;
    }
    if let Some(v) = a.threads {
        o.params.threads = v;
    }
    let th = clearway_model::model::hash_bytes(&tb);
    let vh = valid_bytes.as_ref().map(|b| clearway_model::model::hash_bytes(b));
    let m = Model::train(&train, Some(th), valid.as_ref().map(|v| (v, vh)), &o)?;
    std::fs::write(&a.out, m.to_json()).with_context(|| format!("writing {}", a.out.display()))?;
    let secs = t0.elapsed().as_secs_f64();
    if a.json {
        let v = serde_json::json!({
            "model": a.out.display().to_string(),
            "rows": m.training.rows,
            "features": m.spec.len(),
            "trees": m.booster.trees.len(),
            "seconds": secs,
            "validation": m.validation,
        });
        println!("{v}");
    } else {
        println!("model     {}", a.out.display());
        println!("trained   {} rows ({} positive), {} features, {} trees in {:.2} s", m.training.rows, m.training.positives, m.spec.len(), m.booster.trees.len(), secs);
        if let Some(r) = &m.validation {
            println!(
                "valid     {} rows: precision@1/2/5/10% {:.3} {:.3} {:.3} {:.3}  recall@5/10% {:.3} {:.3}  AUC {:.4}",
                r.rows,
                r.precision_at_1pct,
                r.precision_at_2pct,
                r.precision_at_5pct,
                r.precision_at_10pct,
                r.recall_at_5pct,
                r.recall_at_10pct,
                r.auc
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(a: EvalArgs) -> Result<ExitCode> {
    let m = load_model(&a.model)?;
    let ds = read_for_model(&m, &a.data)?;
    let scores = m.score(&ds)?;
    if a.scores {
        let mut s = String::with_capacity(scores.len() * 12);
        for v in &scores {
            s.push_str(&format!("{v}\n"));
        }
        print!("{s}");
        return Ok(ExitCode::SUCCESS);
    }
    let y = m.labels(&ds)?;
    let rev = m.revenue(&ds);
    let r = clearway_model::metrics::evaluate(&scores, &y, rev.as_deref());
    if a.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!("rows {}  positive {}  AUC {:.4}", r.rows, r.positives, r.auc);
        println!("{:>8}  {:>9}  {:>7}  {:>8}", "budget", "precision", "recall", "revenue");
        let rows = [
            (1, r.precision_at_1pct, r.recall_at_1pct, r.revenue_at_1pct),
            (2, r.precision_at_2pct, r.recall_at_2pct, r.revenue_at_2pct),
            (5, r.precision_at_5pct, r.recall_at_5pct, r.revenue_at_5pct),
            (10, r.precision_at_10pct, r.recall_at_10pct, r.revenue_at_10pct),
        ];
        for (b, p, rc, rv) in rows {
            let rv = rv.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into());
            println!("{:>7}%  {:>9.3}  {:>7.3}  {:>8}", b, p, rc, rv);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(a: ExplainArgs) -> Result<ExitCode> {
    let m = load_model(&a.model)?;
    let ds = read_for_model(&m, &a.data)?;
    let row = m.find_row(&ds, &a.row)?;
    let mut e = m.explain(&ds, row)?;
    e.contributions.truncate(a.top);
    if a.json {
        println!("{}", serde_json::to_string(&e)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "row {} (data row {})  probability {:.3}  log-odds {:+.3} = expected {:+.3} + contributions",
        e.id.as_deref().unwrap_or("-"),
        e.row + 1,
        e.probability,
        e.raw_score,
        e.expected_value
    );
    let w = e.contributions.iter().map(|c| c.feature.chars().count()).max().unwrap_or(7).max(7);
    println!("  {:<w$}  {:>14}  {:>12}", "feature", "value", "contribution");
    for c in &e.contributions {
        let v = c.value.map(|v| format!("{v:.4}")).unwrap_or_else(|| "missing".into());
        println!("  {:<w$}  {:>14}  {:>+12.4}", c.feature, v, c.contribution);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn simulate(a: SimulateArgs) -> Result<ExitCode> {
    let bytes = read(&a.data)?;
    let ds = read_csv(&bytes, &ReadOptions::default()).with_context(|| format!("{}", a.data.display()))?;
    let mut o = SimOptions::new(&a.label);
    o.train.drop = a.drop.clone();
    if a.drop.is_empty() && ds.index("Critical Fraud").is_some() && a.label != "Critical Fraud" {
        o.train.drop.push("Critical Fraud".into());
    }
    if !(a.budget > 0.0 && a.budget <= 100.0) {
        bail!("--budget must be in (0, 100]");
    }
    if !(0.0..=100.0).contains(&a.random_share) {
        bail!("--random-share must be in [0, 100]");
    }
    o.budget_pct = a.budget;
    o.random_share_pct = a.random_share;
    o.weeks = a.weeks;
    o.warmup_weeks = a.warmup;
    o.seed = a.seed;
    let weeks = run_sim(&ds, &o)?;
    let mean = |f: &dyn Fn(&clearway_model::simulate::Week) -> f64| {
        if weeks.is_empty() { 0.0 } else { weeks.iter().map(f).sum::<f64>() / weeks.len() as f64 }
    };
    let summary = serde_json::json!({
        "weeks": weeks.len(),
        "exploitation": {"precision": mean(&|w| w.exploitation.precision), "recall": mean(&|w| w.exploitation.recall)},
        "hybrid": {"precision": mean(&|w| w.hybrid.precision), "recall": mean(&|w| w.hybrid.recall)},
    });
    if a.json {
        println!("{}", serde_json::json!({"budget_pct": a.budget, "random_share_pct": a.random_share, "per_week": weeks, "mean": summary}));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "budget {}% per week, hybrid draws {}% of it at random; {} warm-up week(s), models retrained weekly",
        a.budget, a.random_share, a.warmup
    );
    println!(
        "{:>4}  {:<10}  {:>5}  {:>6}  {:>8}  {:>17}  {:>17}",
        "week", "from", "rows", "frauds", "inspect", "exploit prec/rec", "hybrid prec/rec"
    );
    for w in &weeks {
        println!(
            "{:>4}  {:<10}  {:>5}  {:>6}  {:>8}  {:>8.3} {:>8.3}  {:>8.3} {:>8.3}",
            w.week,
            w.start,
            w.rows,
            w.frauds,
            w.exploitation.inspected,
            w.exploitation.precision,
            w.exploitation.recall,
            w.hybrid.precision,
            w.hybrid.recall
        );
    }
    println!(
        "mean  exploitation precision {:.3} recall {:.3}   hybrid precision {:.3} recall {:.3}",
        summary["exploitation"]["precision"].as_f64().unwrap_or(0.0),
        summary["exploitation"]["recall"].as_f64().unwrap_or(0.0),
        summary["hybrid"]["precision"].as_f64().unwrap_or(0.0),
        summary["hybrid"]["recall"].as_f64().unwrap_or(0.0)
    );
    Ok(ExitCode::SUCCESS)
}

