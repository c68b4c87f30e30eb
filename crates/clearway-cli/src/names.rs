//! `clearway lists ...`, `names ...`, and the party-screening layer of `screen` (issue 6).
//!
//! Screening is automatic: when the store holds list versions, `clearway screen` adds the
//! `party-screening` layer over the latest version of every list (`--no-lists` turns it off).

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clearway_lists::Schema;
use clearway_names::eval::{Case, DEFAULT_THRESHOLD, evaluate};
use clearway_names::{Facts, Hit, Index, Query, country_code, ofac_parity};
use clearway_service::lists::{self, Affected};
use clearway_store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use crate::{DbArgs, EXIT_REJECTED};

#[derive(clap::Subcommand)]
pub enum ListsCommand {
    /// Import list files (format detected from content: OFAC SDN / consolidated CSV sets, UN XML, US CSL
    /// CSV, BIS DPL TSV, Canada SEMA XML, EU FSF XML, UK XML, OpenSanctions FtM JSON). Each list becomes a
    /// new version when its content changed; a file that cannot be read leaves the previous version in
    /// force. Stored parties affected by a new version are re-screened and reported.
    Import(ImportArgs),
    /// Show the stored list versions.
    Show(ShowArgs),
    /// Compare two versions of a list (version numbers, or two files): added, removed and changed entities,
    /// and the stored parties the change affects.
    Diff(DiffArgs),
    /// Record an officer's decision on a party × listed entity (remembered for this listing, audited).
    Dispose(DisposeArgs),
    /// The audit trail of dispositions.
    Dispositions(ShowArgs),
}

#[derive(clap::Subcommand)]
pub enum NamesCommand {
    /// Score two names: score, OFAC-parity score and the token alignment.
    Score(ScoreArgs),
    /// Evaluate over labelled pairs (CSV `name1,name2,is_match,schema[,quality]`), or OFAC parity over
    /// `query_name,result_name,ofac_score`.
    Eval(EvalArgs),
    /// Search the stored lists for a name.
    Search(SearchArgs),
    /// Queries per second, one thread, against every name and alias of the stored lists.
    Bench(BenchArgs),
    /// Candidate recall (positives found in the top K) and false alerts (negatives at or above the alert
    /// band) against the stored lists; CSV with `full_name` and optional `date_of_birth`, `gender`, `nationality`.
    Recall(RecallArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    #[arg(long)]
    json: bool,
    /// List files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    db: DbArgs,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The list (needed for version numbers when the store holds more than one list).
    #[arg(long)]
    list: Option<String>,
    #[arg(long)]
    json: bool,
    /// Older version number, or a list file.
    old: String,
    /// Newer version number, or a list file.
    new: String,
}

#[derive(clap::Args)]
pub struct DisposeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The party's name as filed.
    #[arg(long)]
    party: String,
    /// The party's country (ISO 3166-1 alpha-2), as filed.
    #[arg(long)]
    country: Option<String>,
    /// List id (`ofac-sdn`, `un-sc`, ...).
    #[arg(long)]
    list: String,
    /// Entity id within the list.
    #[arg(long)]
    entity: String,
    /// `not-a-match` (suppresses the alert while the listing is unchanged) or `match`.
    #[arg(long, default_value = "not-a-match", value_parser = ["not-a-match", "match"])]
    decision: String,
    /// Who decided.
    #[arg(long)]
    who: String,
    /// Why.
    #[arg(long)]
    why: String,
}

#[derive(clap::Args)]
pub struct ScoreArgs {
    name1: String,
    name2: String,
    /// Person, Organization, Vessel (or Unknown).
    #[arg(long, default_value = "Unknown")]
    schema: String,
    /// Also show each name's Latin keys (names in Arabic, Hebrew, Han, Hangul, kana, Thai, Devanagari ...).
    #[arg(long)]
    explain: bool,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// CSV of labelled pairs.
    #[arg(long)]
    cases: PathBuf,
    /// Match threshold.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f64,
    /// Print every failure.
    #[arg(long)]
    failures: bool,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct SearchArgs {
    #[command(flatten)]
    db: DbArgs,
    name: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long, default_value = "Unknown")]
    schema: String,
    /// Date of birth (YYYY, YYYY-MM-DD).
    #[arg(long)]
    dob: Option<String>,
    /// Country (name or ISO code).
    #[arg(long)]
    country: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Query names, one per line or a CSV whose first column is the name (default: every stored alias
    /// with one deterministic typo).
    #[arg(long)]
    queries: Option<PathBuf>,
    /// At most this many queries.
    #[arg(long, default_value_t = 20_000)]
    max: usize,
    /// Write the indexed names and the queries (one per line) to this folder, for the rapidfuzz baseline.
    #[arg(long)]
    export: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct RecallArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Positives (should be found).
    #[arg(long)]
    positives: Vec<PathBuf>,
    /// Negatives (should not alert).
    #[arg(long)]
    negatives: Vec<PathBuf>,
    /// Top K for recall.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Bands file (JSON) for the alert threshold; default bands otherwise.
    #[arg(long)]
    bands: Option<PathBuf>,
    /// A positive counts as found only through an entity of this list (e.g. `un-sc`).
    #[arg(long)]
    list: Option<String>,
    #[arg(long)]
    json: bool,
}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
#[group(skip)]
pub struct ScreenOpts {
    /// Do not screen parties against the stored sanctions lists (screening runs whenever lists are stored).
    #[arg(long)]
    pub no_lists: bool,
    /// Score bands per list (JSON: {"default": {"alert":0.92,"review":0.75,"due_diligence":0.7}, "lists": {...}}).
    #[arg(long)]
    pub list_bands: Option<PathBuf>,
}

pub fn lists(c: ListsCommand) -> Result<ExitCode> {
    match c {
        ListsCommand::Import(a) => import(a),
        ListsCommand::Show(a) => show(a),
        ListsCommand::Diff(a) => diff(a),
        ListsCommand::Dispose(a) => dispose(a),
        ListsCommand::Dispositions(a) => dispositions(a),
    }
}

pub fn names(c: NamesCommand) -> Result<ExitCode> {
    match c {
        NamesCommand::Score(a) => score(a),
        NamesCommand::Eval(a) => eval(a),
        NamesCommand::Search(a) => search(a),
        NamesCommand::Bench(a) => bench(a),
        NamesCommand::Recall(a) => recall(a),
    }
}




fn open_lists(db: &str) -> Result<Box<dyn Store>> {
    let mut store = clearway_service::open_store(db)?;
    store.lists().map_err(|e| anyhow!("{db}: {e}"))?;
    Ok(store)
}








fn print_affected(out: &mut dyn Write, affected: &[Affected]) -> Result<()> {
    if affected.is_empty() {
        writeln!(out, "no stored party is affected")?;
        return Ok(());
    }
    writeln!(out, "{} stored part{} affected (re-screened):", affected.len(), if affected.len() == 1 { "y" } else { "ies" })?;
    writeln!(out, "{:<20} {:>3} {:<18} {:<30} {:<10} {:<14} {:>6} {}", "filing", "ver", "role", "party", "list", "entity", "score", "band")?;
    for a in affected {
        writeln!(out, "{:<20} {:>3} {:<18} {:<30} {:<10} {:<14} {:>6.3} {}", a.filing_id, a.version, a.role, a.party, a.list, a.entity_id, a.score, a.band)?;
    }
    Ok(())
}


fn read_files(paths: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>> {
    paths.iter().map(|p| Ok((p.display().to_string(), std::fs::read(p).with_context(|| format!("reading {}", p.display()))?))).collect()
}

fn import(a: ImportArgs) -> Result<ExitCode> {
    let files = read_files(&a.paths)?;
    let mut store = open_lists(&a.db.db)?;
    let r = lists::import(store.as_mut(), &files)?;
    for l in r.lists.iter().filter(|l| l.imported) {
        let detail = serde_json::json!({"version": l.version, "files": files.iter().map(|f| &f.0).collect::<Vec<_>>()});
        clearway_service::audit::record(store.as_mut(), &clearway_service::audit::cli_event("list.import", Some(l.list.clone()), detail, Utc::now()))?;
    }
    for l in &r.lists {
        for d in &l.diagnostics {
            if l.imported {
                eprintln!("{d}");
            } else {
                eprintln!("error: {d}");
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
    } else {
        writeln!(out, "{:<14} {:>8} {:>9} {:>8} {:>9}  files", "list", "version", "entities", "names", "warnings")?;
        for l in &r.lists {
            let version = match (l.imported, l.version) {
                (false, _) => "REJECTED".to_string(),
                (true, None) => "same".to_string(),
                (true, Some(v)) => v.to_string(),
            };
            writeln!(out, "{:<14} {:>8} {:>9} {:>8} {:>9}  {}", l.list, version, l.entities, l.names, l.warnings, l.files.join(", "))?;
        }
        if !r.affected.is_empty() {
            print_affected(&mut out, &r.affected)?;
        }
    }
    Ok(if r.rejected() { ExitCode::from(EXIT_REJECTED) } else { ExitCode::SUCCESS })
}

fn show(a: ShowArgs) -> Result<ExitCode> {
    let mut store = open_lists(&a.db.db)?;
    let versions = lists::show(store.as_mut())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&versions)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if versions.is_empty() {
        writeln!(out, "no lists stored (clearway lists import PATH...)")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{:<14} {:>7} {:>9} {:>8}  {:<20}  source", "list", "version", "entities", "names", "imported")?;
    for v in versions {
        writeln!(
            out,
            "{:<14} {:>7} {:>9} {:>8}  {:<20}  {}",
            v.list,
            v.version,
            v.entities,
            v.names,
            v.imported_at.format("%Y-%m-%d %H:%M:%S"),
            v.source
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(a: DiffArgs) -> Result<ExitCode> {
    let mut store = open_lists(&a.db.db)?;
    let of = if Path::new(&a.old).is_file() && Path::new(&a.new).is_file() {
        let mut files = read_files(&[PathBuf::from(&a.old), PathBuf::from(&a.new)])?.into_iter();
        let (Some(old), Some(new)) = (files.next(), files.next()) else { bail!("nothing loaded") };
        lists::DiffOf::Files { old, new }
    } else {
        lists::DiffOf::Versions {
            list: a.list.clone(),
            old: a.old.parse().with_context(|| format!("{}: neither a file nor a version number", a.old))?,
            new: a.new.parse().with_context(|| format!("{}: neither a file nor a version number", a.new))?,
        }
    };
    let r = lists::diff(store.as_mut(), of)?;
    let (list, changes, affected) = (&r.list, &r.changes, &r.affected);
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{list}: {} added, {} removed, {} changed", changes.added.len(), changes.removed.len(), changes.changed.len())?;
    for (label, ids) in [("added", &changes.added), ("removed", &changes.removed), ("changed", &changes.changed)] {
        if !ids.is_empty() {
            let shown: Vec<&str> = ids.iter().take(20).map(String::as_str).collect();
            writeln!(out, "  {label}: {}{}", shown.join(", "), if ids.len() > 20 { format!(" ... (+{})", ids.len() - 20) } else { String::new() })?;
        }
    }
    print_affected(&mut out, affected)?;
    Ok(ExitCode::SUCCESS)
}

fn dispose(a: DisposeArgs) -> Result<ExitCode> {
    let mut store = open_lists(&a.db.db)?;
    let r = lists::DisposeRequest { party: a.party, country: a.country, list: a.list, entity: a.entity, decision: a.decision, who: a.who, why: a.why };
    let done = lists::dispose(store.as_mut(), r, Utc::now())?;
    let d = &done.disposition;
    let detail = serde_json::json!({"party": d.party_name, "entity": d.entity_id, "decision": d.decision, "who": d.who, "why": d.why});
    clearway_service::audit::record(store.as_mut(), &clearway_service::audit::cli_event("list.dispose", Some(d.list.clone()), detail, Utc::now()))?;
    println!("recorded: {} {:?} × {} {} ({}) by {}: {}", d.decision, d.party_name, d.list, d.entity_id, done.caption, d.who, d.why);
    Ok(ExitCode::SUCCESS)
}

fn dispositions(a: ShowArgs) -> Result<ExitCode> {
    let mut store = open_lists(&a.db.db)?;
    let ds = lists::dispositions(store.as_mut())?;
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&ds)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{:<20} {:<12} {:<28} {:<10} {:<12} {:>4} {:<12} why", "at", "decision", "party", "list", "entity", "ver", "who")?;
    for d in ds {
        writeln!(
            out,
            "{:<20} {:<12} {:<28} {:<10} {:<12} {:>4} {:<12} {}",
            d.at.format("%Y-%m-%d %H:%M:%S"),
            d.decision,
            d.party_name,
            d.list,
            d.entity_id,
            d.list_version,
            d.who,
            d.why
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_schema(s: &str) -> Result<Schema> {
    let sc = Schema::parse(s);
    if sc == Schema::Unknown && !s.eq_ignore_ascii_case("unknown") {
        bail!("unknown schema {s:?} (Person, Organization, Vessel, Unknown)");
    }
    Ok(sc)
}

fn score(a: ScoreArgs) -> Result<ExitCode> {
    let schema = parse_schema(&a.schema)?;
    let e = clearway_names::score(&a.name1, &a.name2, schema);
    let ofac = ofac_parity(&a.name1, &a.name2);
    let mut out = std::io::stdout().lock();
    let keys = |n: &str| -> Vec<serde_json::Value> {
        clearway_names::normalize(n, schema).keys.iter().map(|k| serde_json::json!({"scheme": k.scheme, "key": k.text})).collect()
    };
    if a.json {
        let mut v = serde_json::json!({"score": e.score, "ofac_parity": ofac, "alignment": e.alignment, "unmatched_1": e.unmatched_query, "unmatched_2": e.unmatched_result, "key": e.key});
        if a.explain {
            v["keys_1"] = keys(&a.name1).into();
            v["keys_2"] = keys(&a.name2).into();
        }
        writeln!(out, "{v}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "score        {:.3}", e.score)?;
    writeln!(out, "ofac-parity  {ofac:.0}")?;
    if let Some(k) = &e.key {
        writeln!(out, "matched by   {k}")?;
    }
    if a.explain {
        for (i, n) in [&a.name1, &a.name2].into_iter().enumerate() {
            for k in keys(n) {
                writeln!(out, "  key {}      {} {}", i + 1, k["scheme"].as_str().unwrap_or(""), k["key"].as_str().unwrap_or(""))?;
            }
        }
    }
    for al in &e.alignment {
        writeln!(out, "  {:<20} ~ {:<20} {:.3}", al.query, al.result, al.similarity)?;
    }
    if !e.unmatched_query.is_empty() {
        writeln!(out, "  only in 1: {}", e.unmatched_query.join(" "))?;
    }
    if !e.unmatched_result.is_empty() {
        writeln!(out, "  only in 2: {}", e.unmatched_result.join(" "))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(a: EvalArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&a.threshold) {
        bail!("--threshold must be between 0 and 1");
    }
    let text = std::fs::read_to_string(&a.cases).with_context(|| format!("reading {}", a.cases.display()))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = rdr.headers().context("reading the CSV header")?.clone();
    let col = |n: &str| headers.iter().position(|h| h.trim() == n);
    let mut out = std::io::stdout().lock();
    if let (Some(q), Some(r), Some(s)) = (col("query_name"), col("result_name"), col("ofac_score")) {
        // OFAC parity: mean absolute error against OFAC's own scores (unscored rows, -1, skipped).
        let (mut sum, mut n, mut skipped) = (0.0, 0usize, 0usize);
        for rec in rdr.records() {
            let rec = rec?;
            let want: f64 = rec.get(s).unwrap_or("").trim().parse().unwrap_or(-1.0);
            if want < 0.0 {
                skipped += 1;
                continue;
            }
            sum += (ofac_parity(rec.get(q).unwrap_or(""), rec.get(r).unwrap_or("")) - want).abs();
            n += 1;
        }
        let mae = if n > 0 { sum / n as f64 } else { 0.0 };
        if a.json {
            writeln!(out, "{}", serde_json::json!({"mode": "ofac-parity", "mae": mae, "n": n, "skipped": skipped}))?;
        } else {
            writeln!(out, "ofac-parity MAE {mae:.2} points over {n} scored pairs ({skipped} unscored skipped)")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(c1), Some(c2), Some(cm)) = (col("name1"), col("name2"), col("is_match")) else {
        bail!("{}: want columns name1,name2,is_match[,schema,quality] or query_name,result_name,ofac_score", a.cases.display());
    };
    let (cs, cq, cscript) = (col("schema"), col("quality"), col("script"));
    let mut scripts: Vec<String> = Vec::new();
    let mut cases = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("line {}", i + 2))?;
        let g = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim().to_string();
        let m = g(Some(cm)).to_ascii_lowercase();
        let is_match = match m.as_str() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => bail!("line {}: is_match {m:?} is not true/false", i + 2),
        };
        let quality = Some(g(cq)).filter(|q| !q.is_empty());
        cases.push(Case { name1: g(Some(c1)), name2: g(Some(c2)), is_match, schema: Schema::parse(&g(cs)), quality });
        scripts.push(g(cscript));
    }
    let m = evaluate(&cases, a.threshold);
    // Recall of the positives by script (a cross-script file with a `script` column).
    let mut by_script: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    if cscript.is_some() {
        for (c, s) in cases.iter().zip(&scripts).filter(|(c, _)| c.is_match) {
            let e = by_script.entry(s.as_str()).or_default();
            e.1 += 1;
            e.0 += usize::from(!m.failures.iter().any(|f| f.name1 == c.name1 && f.name2 == c.name2));
        }
    }
    if a.json {
        let mut v = serde_json::to_value(&m)?;
        if !a.failures {
            v.as_object_mut().map(|o| o.remove("failures"));
        }
        if !by_script.is_empty() {
            v["recall_by_script"] = by_script.iter().map(|(s, (ok, n))| (s.to_string(), serde_json::json!(*ok as f64 / *n as f64))).collect::<serde_json::Map<_, _>>().into();
        }
        writeln!(out, "{v}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "n                {}", m.n)?;
    writeln!(out, "threshold        {:.2}", m.threshold)?;
    writeln!(out, "precision        {:.3}", m.precision)?;
    writeln!(out, "recall           {:.3}", m.recall)?;
    writeln!(out, "f1               {:.3}", m.f1)?;
    writeln!(out, "strong_failures  {}", m.strong_failures)?;
    writeln!(out, "tp/fp/tn/fn      {}/{}/{}/{}", m.tp, m.fp, m.tn, m.fn_)?;
    for (s, (ok, n)) in &by_script {
        writeln!(out, "recall {s:<10} {:.3} ({ok} of {n})", *ok as f64 / *n as f64)?;
    }
    if a.failures {
        for f in &m.failures {
            writeln!(out, "  {:<5} {:.3} {:<6} {} | {}", f.is_match, f.score, f.quality.as_deref().unwrap_or(""), f.name1, f.name2)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn stored_index(db: &str) -> Result<(Index, usize)> {
    let mut store = open_lists(db)?;
    let stored = store.lists()?.latest_entities()?;
    if stored.is_empty() {
        bail!("{db}: no lists stored (clearway lists import PATH...)");
    }
    let entities = lists::decode_entities(&stored)?;
    let idx = Index::build(&entities);
    let names = idx.alias_count();
    Ok((idx, names))
}

fn print_hits(out: &mut dyn Write, hits: &[Hit]) -> Result<()> {
    if hits.is_empty() {
        writeln!(out, "no candidates")?;
        return Ok(());
    }
    writeln!(out, "{:>6}  {:<10} {:<14} {:<34} {}", "score", "list", "entity", "name", "matched alias")?;
    for h in hits {
        writeln!(out, "{:>6.3}  {:<10} {:<14} {:<34} {} ({:?})", h.score, h.list, h.entity_id, h.caption, h.alias, h.alias_kind)?;
        let al: Vec<String> = h.explanation.alignment.iter().map(|a| format!("{}~{} {:.2}", a.query, a.result, a.similarity)).collect();
        let mut line = format!("        aligned: {}", al.join(", "));
        if !h.explanation.unmatched_query.is_empty() {
            line.push_str(&format!("; only in query: {}", h.explanation.unmatched_query.join(" ")));
        }
        if !h.explanation.unmatched_result.is_empty() {
            line.push_str(&format!("; only in list: {}", h.explanation.unmatched_result.join(" ")));
        }
        if !h.explanation.qualifiers.is_empty() {
            line.push_str(&format!("; {}", h.explanation.qualifiers.join(", ")));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn search(a: SearchArgs) -> Result<ExitCode> {
    let schema = parse_schema(&a.schema)?;
    let (idx, _) = stored_index(&a.db.db)?;
    let mut facts = Facts::default();
    if let Some(d) = &a.dob {
        facts.dobs.push(clearway_lists::parse_date(d).ok_or_else(|| anyhow!("--dob {d:?} is not a date"))?);
    }
    if let Some(c) = &a.country {
        facts.countries.push(country_code(c).ok_or_else(|| anyhow!("--country {c:?} is not a known country"))?.to_string());
    }
    let hits = idx.search(&Query { name: a.name.clone(), schema, facts }, a.limit.max(1));
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&hits)?)?;
    } else {
        print_hits(&mut out, &hits)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A deterministic typo: swap two inner letters of the longest word.
fn perturb(name: &str, i: usize) -> String {
    let mut words: Vec<Vec<char>> = name.split_whitespace().map(|w| w.chars().collect()).collect();
    if let Some(w) = words.iter_mut().max_by_key(|w| w.len()) {
        if w.len() >= 4 {
            let p = 1 + i % (w.len() - 2);
            w.swap(p, p + 1);
        }
    }
    words.iter().map(|w| w.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

fn read_query_names(path: &Path, max: usize) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    if path.extension().is_some_and(|e| e == "csv") {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        for rec in rdr.records().flatten() {
            if let Some(n) = rec.get(0).filter(|n| !n.trim().is_empty()) {
                out.push(n.to_string());
            }
            if out.len() >= max {
                break;
            }
        }
    } else {
        out.extend(text.lines().filter(|l| !l.trim().is_empty()).take(max).map(str::to_string));
    }
    Ok(out)
}

fn bench(a: BenchArgs) -> Result<ExitCode> {
    let t0 = Instant::now();
    let (idx, names) = stored_index(&a.db.db)?;
    let build = t0.elapsed().as_secs_f64();
    let queries: Vec<String> = match &a.queries {
        Some(p) => read_query_names(p, a.max)?,
        None => {
            let all: Vec<&str> = idx.entities().iter().flat_map(|e| e.names.iter().map(|n| n.0.as_str())).collect();
            let step = (all.len() / a.max.max(1)).max(1);
            all.iter().step_by(step).take(a.max).enumerate().map(|(i, n)| perturb(n, i)).collect()
        }
    };
    if queries.is_empty() {
        bail!("no queries");
    }
    if let Some(dir) = &a.export {
        std::fs::create_dir_all(dir)?;
        let all: Vec<&str> = idx.entities().iter().flat_map(|e| e.names.iter().map(|n| n.0.as_str())).collect();
        std::fs::write(dir.join("choices.txt"), all.join("\n"))?;
        std::fs::write(dir.join("queries.txt"), queries.join("\n"))?;
    }
    // Warm up, then measure on one thread.
    for q in queries.iter().take(200) {
        std::hint::black_box(idx.search(&Query { name: q.clone(), ..Query::default() }, 10));
    }
    let c0 = cpu_seconds();
    let t = Instant::now();
    let mut found = 0usize;
    for q in &queries {
        let hits = idx.search(&Query { name: q.clone(), ..Query::default() }, 10);
        found += usize::from(!hits.is_empty());
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = c0.map(|c0| cpu_seconds().map_or(0.0, |c1| c1 - c0));
    let qps = queries.len() as f64 / secs.max(1e-9);
    // On a shared machine the wall clock counts time the thread waited for a core; the process's CPU
    // time counts only the time it ran (10 ms resolution: meaningful for runs of a few seconds).
    let cpu_qps = cpu.filter(|c| *c >= 0.5).map(|c| queries.len() as f64 / c);
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::json!({"entities": idx.entity_count(), "names": names, "queries": queries.len(), "seconds": secs, "queries_per_second": qps, "microseconds_per_query": 1e6 / qps, "cpu_seconds": cpu, "queries_per_cpu_second": cpu_qps, "with_candidates": found, "index_build_seconds": build}))?;
    } else {
        writeln!(out, "entities            {}", idx.entity_count())?;
        writeln!(out, "names and aliases   {names}")?;
        writeln!(out, "index build         {build:.2} s")?;
        writeln!(out, "queries             {}", queries.len())?;
        writeln!(out, "queries per second  {qps:.0} (one thread, top 10)")?;
        writeln!(out, "per query           {:.1} µs", 1e6 / qps)?;
        if let Some(c) = cpu_qps {
            writeln!(out, "per CPU second      {c:.0} queries ({:.1} µs of CPU per query)", 1e6 / c)?;
        }
        writeln!(out, "with candidates     {found}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// CPU time of this process so far (user + system, from /proc/self/stat in clock ticks of 10 ms), where
/// the system has it.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let f: Vec<&str> = s.rsplit(')').next()?.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

struct Person {
    name: String,
    facts: Facts,
}

fn read_people(path: &Path) -> Result<Vec<Person>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = rdr.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h.trim() == n);
    let (cn, cd, cg, cc) = (col("full_name").unwrap_or(0), col("date_of_birth"), col("gender"), col("nationality"));
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        let g = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim();
        let mut facts = Facts::default();
        if let Some(d) = clearway_lists::parse_date(g(cd)) {
            facts.dobs.push(d);
        }
        facts.gender = clearway_lists::Gender::parse(g(cg));
        if let Some(c) = country_code(g(cc)) {
            facts.countries.push(c.to_string());
        }
        out.push(Person { name: g(Some(cn)).to_string(), facts });
    }
    Ok(out)
}

fn recall(a: RecallArgs) -> Result<ExitCode> {
    let (idx, _) = stored_index(&a.db.db)?;
    let bands = clearway_service::pipeline::read_bands(a.bands.as_deref())?;
    let mut report = BTreeMap::new();
    for p in &a.positives {
        let people = read_people(p)?;
        let mut found = 0usize;
        let mut missed = Vec::new();
        for person in &people {
            let hits = idx.search(&Query { name: person.name.clone(), schema: Schema::Person, facts: person.facts.clone() }, a.top);
            // Found: a hit in the top K whose name score (before qualifiers) is at least 0.9.
            let ok = hits.iter().any(|h| h.explanation.name_score >= 0.9 && a.list.as_ref().is_none_or(|l| *l == h.list));
            if ok {
                found += 1;
            } else if missed.len() < 20 {
                missed.push(person.name.clone());
            }
        }
        let recall = found as f64 / people.len().max(1) as f64;
        report.insert(p.display().to_string(), serde_json::json!({"kind": "positives", "n": people.len(), "found_in_top": found, "recall": recall, "missed_sample": missed}));
    }
    for p in &a.negatives {
        let people = read_people(p)?;
        let mut alerts = 0usize;
        let mut reviews = 0usize;
        let mut sample = Vec::new();
        for person in &people {
            let hits = idx.search(&Query { name: person.name.clone(), schema: Schema::Person, facts: person.facts.clone() }, 1);
            if let Some(h) = hits.first() {
                let b = bands.for_list(&h.list);
                if h.score >= b.alert {
                    alerts += 1;
                    if sample.len() < 20 {
                        sample.push(format!("{} -> {} {} ({:.3})", person.name, h.list, h.alias, h.score));
                    }
                } else if h.score >= b.review {
                    reviews += 1;
                }
            }
        }
        let per_1000 = alerts as f64 * 1000.0 / people.len().max(1) as f64;
        report.insert(
            p.display().to_string(),
            serde_json::json!({"kind": "negatives", "n": people.len(), "alerts": alerts, "alerts_per_1000": per_1000, "reviews": reviews, "alert_sample": sample}),
        );
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
    } else {
        for (file, r) in &report {
            if r["kind"] == "positives" {
                writeln!(out, "{file}: recall@{} {:.4} ({} of {})", a.top, r["recall"].as_f64().unwrap_or(0.0), r["found_in_top"], r["n"])?;
            } else {
                writeln!(out, "{file}: {} alerts in {} ({:.2} per 1,000), {} reviews", r["alerts"], r["n"], r["alerts_per_1000"].as_f64().unwrap_or(0.0), r["reviews"])?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
