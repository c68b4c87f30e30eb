//! The comparison of assessment bundles (agencies' targeting) over the same filings: one pass over the
//! input — parsed once, assessed by every bundle's pipeline — into a typed, serialisable
//! [`CompareReport`]: per bundle lane mix, examination rate, do-not-load, mean score and decisions per
//! second; agreement on "selected for examination" (pairwise Jaccard and Cohen's kappa, the overlap
//! regions); disagreements explained by the layers and profiles that made them; with labels, precision,
//! recall and revenue at equal budgets and each bundle's own hit rate with bootstrap intervals; the
//! harmonised profiles side by side. [`merge`] joins metric files of several agencies; [`html::render`]
//! draws the report.
//!
//! Selected for examination: the decision's lane is yellow (document check) or red (physical exam).
//! Equal budgets: each bundle examines the top n % of the labelled filings by its own score, ties broken
//! by one seeded draw per filing shared by all bundles. Never prints; a metrics-only report carries no
//! filing id and no party (only counts, rates, codes and per-filing selection bits in input order).

pub mod html;
pub mod stats;

use crate::bundle;
use crate::pipeline::{PipelineOptions, Screener};
use crate::{Result, ServiceError};
use chrono::{DateTime, Utc};
use clearway_core::{Action, Decision, Filing, FilingStatus, Lane};
use clearway_engine::{EntityHistory, Prior};
use clearway_store::Store;
use serde::{Deserialize, Serialize};
use stats::{Estimate, Table2};
use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Format tag of a comparison report (and of a metrics file).
pub const FORMAT: &str = "clearway-compare/1";

/// Where the filings come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// A filings file (JSON Lines, JSON array, CSV, EDI, XML — what `screen` reads).
    Filings(PathBuf),
    /// KCS declarations CSV: filings with their fraud labels (clearway-profiles' KCS mapping).
    Kcs(PathBuf),
    /// The filings stored in the store, in stored order.
    Db,
}

impl Data {
    /// `db`, or a file: a CSV whose header names `Declaration ID` and `Fraud` is KCS.
    pub fn detect(arg: &str) -> Result<Data> {
        if arg == "db" {
            return Ok(Data::Db);
        }
        let p = PathBuf::from(arg);
        let mut head = String::new();
        {
            use std::io::BufRead;
            let f = std::fs::File::open(&p).map_err(|e| ServiceError::file(p.display(), e))?;
            let _ = BufReader::new(f).read_line(&mut head);
        }
        Ok(
            if head.contains("Declaration ID") && head.contains("Fraud") {
                Data::Kcs(p)
            } else {
                Data::Filings(p)
            },
        )
    }
}

/// Where exam labels come from (KCS data carries its own).
#[derive(Debug, Clone, PartialEq)]
pub enum Labels {
    /// An exam results CSV (`filing_id,version,result,severity,revenue,note`, as `exam import` reads).
    Exams(PathBuf),
    /// The store's exam results (latest per filing version).
    Db,
}

/// How a comparison runs.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    pub bundles: Vec<PathBuf>,
    pub data: Data,
    pub labels: Option<Labels>,
    /// Examination budgets, percent of the labelled filings.
    pub budgets: Vec<f64>,
    /// Reference data, traders, list bands, portal results: the operational inputs outside bundles.
    pub base: PipelineOptions,
    /// Aggregates only: no filing ids (examples), no parties.
    pub metrics_only: bool,
    /// Example filing ids kept per disagreement reason.
    pub examples: usize,
    /// Bootstrap replicates.
    pub replicates: usize,
    /// Seed of the bootstrap and of the budget tie-break draw.
    pub seed: u64,
    /// Filings per chunk handed to the bundles.
    pub chunk: usize,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            bundles: Vec::new(),
            data: Data::Db,
            labels: None,
            budgets: vec![1.0, 2.0, 5.0, 10.0],
            base: PipelineOptions::default(),
            metrics_only: false,
            examples: 3,
            replicates: 200,
            seed: 2026,
            chunk: 1024,
        }
    }
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareReport {
    /// Always [`FORMAT`].
    pub format: String,
    pub metrics_only: bool,
    pub data: DataSummary,
    pub bundles: Vec<BundleFigures>,
    pub agreement: Agreement,
    /// For each ordered pair (selected by one, not by the other): what made the difference.
    pub disagreements: Vec<Disagreement>,
    pub labelled: Option<LabelledFigures>,
    pub harmonised: Harmonised,
    /// Wall time of the whole pass and of parsing (the reader thread's time less its waits for the
    /// assessors), seconds.
    pub timing: Timing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// What was read (`KCS declarations`, `filings file`, `stored filings`); no path in metrics-only.
    pub source: String,
    pub filings: u64,
    pub rejected: u64,
    /// BLAKE3 over the filing ids and versions in input order (16 hex): metric files of the same
    /// benchmark set carry the same value, and only then are their selections compared.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleFigures {
    pub name: String,
    pub version: String,
    pub agency: String,
    /// The bundle hash (= the configuration hash of its decisions).
    pub hash: String,
    /// Decisions per lane (green, blue, yellow, red).
    pub lanes: BTreeMap<String, u64>,
    /// Selected for examination (yellow or red).
    pub selected: u64,
    pub exam_rate: f64,
    pub do_not_load: u64,
    pub mean_score: f64,
    /// Selected by the random draw (engine or lane random selection).
    pub random_selected: u64,
    /// Assessment time of this bundle (its own thread), and decisions per second of it.
    pub assess_seconds: f64,
    pub decisions_per_second: f64,
    /// Selection bits in input order (bit i of byte i / 8), hex: lets [`merge`] compare selections
    /// of the same benchmark set without ids.
    pub selection: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub pairs: Vec<PairFigures>,
    /// Filings by which bundles selected them (`members` = bundle indices), every combination.
    pub regions: Vec<Region>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairFigures {
    pub a: usize,
    pub b: usize,
    pub table: Table2,
    pub jaccard: Option<f64>,
    pub kappa: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub members: Vec<usize>,
    pub filings: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    /// Bundle index that selected.
    pub selected_by: usize,
    /// Bundle index that did not.
    pub not_by: usize,
    pub filings: u64,
    /// Reasons, most filings first.
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// `profile`, `model`, `random`, `thresholds` (same findings, other weights or lane thresholds), …
    pub layer: String,
    pub code: String,
    pub filings: u64,
    /// Example filing ids (empty in metrics-only).
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledFigures {
    /// `KCS fraud label`, `exam results`.
    pub source: String,
    pub filings: u64,
    pub positives: u64,
    pub has_revenue: bool,
    pub budgets: Vec<f64>,
    pub replicates: usize,
    pub seed: u64,
    /// Per bundle (same order as `bundles`).
    pub bundles: Vec<BundleLabelled>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleLabelled {
    pub at_budget: Vec<AtBudget>,
    /// The bundle's own selection (yellow or red) among labelled filings, and its hit rate.
    pub own_selected: u64,
    pub own_hit_rate: Option<Estimate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtBudget {
    pub budget: f64,
    pub inspected: u64,
    pub precision: Estimate,
    pub recall: Option<Estimate>,
    pub revenue: Option<Estimate>,
}

/// The harmonised profiles (in every bundle) beside each agency's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Harmonised {
    pub profiles: Vec<HarmonisedRow>,
    /// Per bundle: filings hit by at least one of the agency's own (not harmonised) profiles.
    pub own: Vec<ProfileCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarmonisedRow {
    pub profile: String,
    /// Per bundle; `None` where the bundle does not carry it.
    pub cells: Vec<Option<ProfileCell>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileCell {
    pub hits: u64,
    /// Hits the bundle selected for examination.
    pub selected: u64,
    pub labelled_hits: u64,
    pub positives: u64,
    /// Hit rate among labelled hits (Wilson 95 %).
    pub precision: Option<Estimate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub wall_seconds: f64,
    pub parse_seconds: f64,
    /// Filings through all bundles per wall second.
    pub filings_per_second: f64,
}

/// Whether a decision selects the filing for examination.
pub fn selected(d: &Decision) -> bool {
    matches!(d.lane, Lane::Yellow | Lane::Red)
}

/// What the comparison keeps of one decision.
struct Slim {
    lane: Lane,
    score: f32,
    dnl: bool,
    random: bool,
    /// Findings that push toward examination: (layer, code).
    push: Vec<(String, String)>,
    /// Indices of harmonised profiles hit.
    harmonised: Vec<u16>,
    own_profile: bool,
}

fn slim(d: &Decision, harmonised: &HashMap<String, u16>) -> Slim {
    let mut s = Slim {
        lane: d.lane,
        score: d.score as f32,
        dnl: d.actions.contains(&Action::DoNotLoad),
        random: d.random.as_ref().is_some_and(|r| r.selected),
        push: Vec::new(),
        harmonised: Vec::new(),
        own_profile: false,
    };
    for f in &d.findings {
        if f.weight > 0.0
            || f.action
                .is_some_and(|a| !matches!(a, Action::Release | Action::FastRelease))
        {
            s.push.push((f.layer.to_string(), f.code.to_string()));
        }
        if f.layer == "profile" {
            match harmonised.get(f.code.as_ref()) {
                Some(&i) => s.harmonised.push(i),
                None => s.own_profile = true,
            }
        }
    }
    s
}

/// One parsed filing and its label.
struct Item {
    filing: Filing,
    label: Option<(bool, Option<f64>)>,
}

enum Msg {
    Chunk(Vec<Item>),
    Rejected(u64),
    Done(f64),
    Failed(ServiceError),
}

type LabelMap = (
    HashMap<(String, u32), (bool, Option<f64>)>,
    HashMap<String, (bool, Option<f64>)>,
);

fn load_labels(store: &mut dyn Store, labels: &Labels) -> Result<LabelMap> {
    let (mut by_version, mut by_id) = (HashMap::new(), HashMap::new());
    match labels {
        Labels::Db => {
            for ((id, v), e) in crate::exams::LatestExams::load(store)?.iter() {
                by_version.insert((id.clone(), *v), (e.result.found(), e.revenue));
            }
        }
        Labels::Exams(p) => {
            let text = crate::read_text(p)?;
            for e in crate::exams::parse_csv(
                &p.display().to_string(),
                &text,
                DateTime::<Utc>::UNIX_EPOCH,
            )? {
                let l = (e.result.found(), e.revenue);
                match e.version {
                    Some(v) => by_version.insert((e.filing_id, v), l),
                    None => by_id.insert(e.filing_id, l),
                };
            }
        }
    }
    Ok((by_version, by_id))
}

/// Per-run accumulators.
struct Acc {
    k: usize,
    lanes: Vec<[u64; 4]>,
    selected: Vec<u64>,
    dnl: Vec<u64>,
    random: Vec<u64>,
    score_sum: Vec<f64>,
    secs: Vec<f64>,
    bits: Vec<Vec<u8>>,
    n: u64,
    pairs: Vec<(usize, usize, Table2)>,
    masks: Vec<u64>,
    /// (selected_by, not_by) → (filings, reasons → (count, examples)).
    disagree: BTreeMap<(usize, usize), (u64, BTreeMap<(String, String), (u64, Vec<String>)>)>,
    harm: Vec<Vec<ProfileCell>>,
    own: Vec<ProfileCell>,
    // Labelled rows, columnar.
    l_scores: Vec<Vec<f32>>,
    l_sel: Vec<Vec<bool>>,
    l_tie: Vec<f64>,
    l_y: Vec<bool>,
    l_rev: Vec<f64>,
    l_has_rev: bool,
    ids: blake3::Hasher,
}

/// Run the comparison (see the module doc). `store` gives the registry, stored lists, stored filings
/// (`Data::Db`) and exam labels (`Labels::Db`); nothing is written to it. `keep`, when given, receives
/// every decision (bundle index, decision) in input order per bundle — the test that one bundle through
/// `compare` decides exactly as `screen --bundle` uses it.
pub fn run(
    store: &mut dyn Store,
    o: &CompareOptions,
    mut keep: Option<&mut dyn FnMut(usize, &Decision)>,
) -> Result<CompareReport> {
    if o.bundles.is_empty() || o.bundles.len() > 3 {
        return Err(ServiceError::Invalid(format!(
            "compare takes one to three bundles, got {}",
            o.bundles.len()
        )));
    }
    if o.budgets.iter().any(|b| !(*b > 0.0 && *b <= 100.0)) {
        return Err(ServiceError::Invalid("budgets must be in (0, 100]".into()));
    }
    let t0 = Instant::now();
    let mut loaded = Vec::new();
    for p in &o.bundles {
        let mut opts = o.base.clone();
        opts.bundle = Some(p.clone());
        let mut l = bundle::load(store, &opts, p)?;
        if o.data == Data::Db && l.bundle.payload.runs("profile") {
            // The stored filings are the ones assessed: each is added to the history as it is assessed,
            // as a fresh `screen` of them would.
            l.screener = l.screener.with_history(EntityHistory::new());
        }
        loaded.push(l);
    }
    let k = loaded.len();
    // The harmonised profiles: the union of every bundle's, in first-seen order.
    let mut harm_ids: Vec<String> = Vec::new();
    for l in &loaded {
        for h in &l.harmonised {
            if !harm_ids.contains(h) {
                harm_ids.push(h.clone());
            }
        }
    }
    let harm_index: HashMap<String, u16> = harm_ids
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i as u16))
        .collect();
    let labels = match &o.labels {
        Some(l) => Some(load_labels(store, l)?),
        None => None,
    };
    let (label_source, source) = match (&o.data, &o.labels) {
        (Data::Kcs(_), _) => (Some("KCS fraud label"), "KCS declarations"),
        (Data::Filings(_), Some(_)) => (Some("exam results"), "filings file"),
        (Data::Db, Some(_)) => (Some("exam results"), "stored filings"),
        (Data::Filings(_), None) => (None, "filings file"),
        (Data::Db, None) => (None, "stored filings"),
    };
    let source = match (&o.data, o.metrics_only) {
        (Data::Filings(p) | Data::Kcs(p), false) => format!("{source} {}", p.display()),
        _ => source.to_string(),
    };

    let mut acc = Acc {
        k,
        lanes: vec![[0; 4]; k],
        selected: vec![0; k],
        dnl: vec![0; k],
        random: vec![0; k],
        score_sum: vec![0.0; k],
        secs: vec![0.0; k],
        bits: vec![Vec::new(); k],
        n: 0,
        pairs: (0..k)
            .flat_map(|a| (a + 1..k).map(move |b| (a, b, Table2::default())))
            .collect(),
        masks: vec![0; 1 << k],
        disagree: BTreeMap::new(),
        harm: vec![vec![ProfileCell::default(); harm_ids.len()]; k],
        own: vec![ProfileCell::default(); k],
        l_scores: vec![Vec::new(); k],
        l_sel: vec![Vec::new(); k],
        l_tie: Vec::new(),
        l_y: Vec::new(),
        l_rev: Vec::new(),
        l_has_rev: false,
        ids: blake3::Hasher::new(),
    };
    let mut rejected = 0u64;
    let mut parse_seconds = 0.0;
    let mut priors: HashMap<String, (Option<DateTime<Utc>>, usize)> = HashMap::new();
    let chunk = o.chunk.max(1);
    let data = o.data.clone();
    let screeners: Vec<&Screener> = loaded.iter().map(|l| &l.screener).collect();
    let (tx, rx) = crossbeam_channel::bounded::<Msg>(8);
    std::thread::scope(|s| -> Result<()> {
        let rx = rx;
        let store_ref: &mut dyn Store = &mut *store;
        let labels = &labels;
        s.spawn(move || produce(data, store_ref, labels, chunk, &tx));
        for msg in rx.iter() {
            let items = match msg {
                Msg::Chunk(items) => items,
                Msg::Rejected(n) => {
                    rejected += n;
                    continue;
                }
                Msg::Done(secs) => {
                    parse_seconds = secs;
                    break;
                }
                Msg::Failed(e) => return Err(e),
            };
            let prior: Vec<Option<Prior>> = items
                .iter()
                .map(|it| prior_of(&mut priors, &it.filing))
                .collect();
            let keeping = keep.is_some();
            let (items_r, prior_r, harm_r, scr) = (&items, &prior, &harm_index, &screeners);
            let assess_one = move |b: usize| -> (Vec<Slim>, Vec<Decision>, f64) {
                let t = Instant::now();
                let mut out = Vec::with_capacity(items_r.len());
                let mut kept = Vec::new();
                for (it, p) in items_r.iter().zip(prior_r) {
                    let d = scr[b].assess(&it.filing, p.as_ref());
                    out.push(slim(&d, harm_r));
                    if keeping {
                        kept.push(d);
                    }
                }
                (out, kept, t.elapsed().as_secs_f64())
            };
            let results: Vec<(Vec<Slim>, Vec<Decision>, f64)> = if k == 1 {
                vec![assess_one(0)]
            } else {
                std::thread::scope(|s2| {
                    let hs: Vec<_> = (1..k).map(|b| s2.spawn(move || assess_one(b))).collect();
                    let mut r = vec![assess_one(0)];
                    r.extend(
                        hs.into_iter()
                            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
                    );
                    r
                })
            };
            if let Some(cb) = keep.as_deref_mut() {
                for (b, (_, ds, _)) in results.iter().enumerate() {
                    for d in ds {
                        cb(b, d);
                    }
                }
            }
            let slims: Vec<&Vec<Slim>> = results.iter().map(|r| &r.0).collect();
            for (b, r) in results.iter().enumerate() {
                acc.secs[b] += r.2;
            }
            acc.add_chunk(&items, &slims, o);
        }
        Ok(())
    })?;

    let wall = t0.elapsed().as_secs_f64();
    Ok(acc.finish(
        &loaded,
        harm_ids,
        label_source,
        source,
        rejected,
        o,
        Timing {
            wall_seconds: wall,
            parse_seconds,
            filings_per_second: 0.0,
        },
    ))
}

fn prior_of(
    priors: &mut HashMap<String, (Option<DateTime<Utc>>, usize)>,
    f: &Filing,
) -> Option<Prior> {
    let seen = priors.get(&f.id).copied();
    let e = priors.entry(f.id.clone()).or_insert((f.times.filed_at, 0));
    e.0 = match (e.0, f.times.filed_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    e.1 += 1;
    if f.version <= 1 && f.status == FilingStatus::Original {
        return None;
    }
    let (first, versions) = seen.unwrap_or((None, 0));
    Some(Prior {
        first_filed_at: first,
        versions,
    })
}

/// The reader: parse once, hand chunks to the assessor; parse time measured here.
fn produce(
    data: Data,
    store: &mut dyn Store,
    labels: &Option<LabelMap>,
    chunk: usize,
    tx: &crossbeam_channel::Sender<Msg>,
) {
    let t = Instant::now();
    let label_of = |f: &Filing| -> Option<(bool, Option<f64>)> {
        let (by_v, by_id) = labels.as_ref()?;
        by_v.get(&(f.id.clone(), f.version))
            .or_else(|| by_id.get(&f.id))
            .copied()
    };
    let mut buf: Vec<Item> = Vec::with_capacity(chunk);
    // Time blocked on a full channel is the assessors' time, not parsing: it is taken out.
    let blocked = std::cell::Cell::new(0.0f64);
    let send = |buf: &mut Vec<Item>, force: bool| -> bool {
        if buf.len() >= chunk || (force && !buf.is_empty()) {
            let full = std::mem::replace(buf, Vec::with_capacity(chunk));
            let t = Instant::now();
            let ok = tx.send(Msg::Chunk(full)).is_ok();
            blocked.set(blocked.get() + t.elapsed().as_secs_f64());
            return ok;
        }
        true
    };
    let result: Result<()> = (|| {
        match &data {
            Data::Kcs(p) => {
                let text = crate::read_text(p)?;
                let (rows, diags) = clearway_profiles::kcs::parse(&p.display().to_string(), &text)
                    .map_err(|d| ServiceError::file(p.display(), d))?;
                if !diags.is_empty() {
                    let _ = tx.send(Msg::Rejected(diags.len() as u64));
                }
                for l in rows {
                    buf.push(Item {
                        label: Some((l.fraud, l.revenue)),
                        filing: l.filing,
                    });
                    if !send(&mut buf, false) {
                        return Ok(());
                    }
                }
            }
            Data::Filings(p) => {
                let f = std::fs::File::open(p).map_err(|e| ServiceError::file(p.display(), e))?;
                let mut rejected = 0u64;
                for rec in clearway_formats::records(BufReader::with_capacity(1 << 20, f)) {
                    match rec.outcome {
                        Ok(parsed) => {
                            let label = label_of(&parsed.filing);
                            buf.push(Item {
                                filing: parsed.filing,
                                label,
                            });
                            if !send(&mut buf, false) {
                                return Ok(());
                            }
                        }
                        Err(_) => rejected += 1,
                    }
                }
                if rejected > 0 {
                    let _ = tx.send(Msg::Rejected(rejected));
                }
            }
            Data::Db => {
                let mut stop = false;
                store.scan_filings(&mut |f| {
                    if stop {
                        return;
                    }
                    let label = label_of(f);
                    buf.push(Item {
                        filing: f.clone(),
                        label,
                    });
                    stop = !send(&mut buf, false);
                })?;
            }
        }
        send(&mut buf, true);
        Ok(())
    })();
    let _ = match result {
        Ok(()) => tx.send(Msg::Done(t.elapsed().as_secs_f64() - blocked.get())),
        Err(e) => tx.send(Msg::Failed(e)),
    };
}

fn lane_ix(l: Lane) -> usize {
    match l {
        Lane::Green => 0,
        Lane::Blue => 1,
        Lane::Yellow => 2,
        Lane::Red => 3,
    }
}

impl Acc {
    fn add_chunk(&mut self, items: &[Item], slims: &[&Vec<Slim>], o: &CompareOptions) {
        let k = self.k;
        for (i, it) in items.iter().enumerate() {
            let f = &it.filing;
            self.ids.update(f.id.as_bytes());
            self.ids.update(format!("\0{}\n", f.version).as_bytes());
            let bit = self.n as usize;
            let mut mask = 0u8;
            for b in 0..k {
                let s = &slims[b][i];
                let sel = matches!(s.lane, Lane::Yellow | Lane::Red);
                self.lanes[b][lane_ix(s.lane)] += 1;
                self.selected[b] += u64::from(sel);
                self.dnl[b] += u64::from(s.dnl);
                self.random[b] += u64::from(s.random && sel);
                self.score_sum[b] += f64::from(s.score);
                if bit % 8 == 0 {
                    self.bits[b].push(0);
                }
                if sel {
                    mask |= 1 << b;
                    *self.bits[b].last_mut().expect("pushed above") |= 1 << (bit % 8);
                }
                let y = it.label.map(|l| l.0);
                for &h in &s.harmonised {
                    cell_add(&mut self.harm[b][h as usize], sel, y);
                }
                if s.own_profile {
                    cell_add(&mut self.own[b], sel, y);
                }
            }
            self.masks[mask as usize] += 1;
            for (a, b, t) in &mut self.pairs {
                t.add(mask & (1 << *a) != 0, mask & (1 << *b) != 0);
            }
            if mask != 0 && mask != (1u8 << k) - 1 {
                for a in 0..k {
                    for b in 0..k {
                        if mask & (1 << a) == 0 || mask & (1 << b) != 0 {
                            continue;
                        }
                        let (sa, sb) = (&slims[a][i], &slims[b][i]);
                        let e = self.disagree.entry((a, b)).or_default();
                        e.0 += 1;
                        let mut reasons: Vec<(String, String)> = sa
                            .push
                            .iter()
                            .filter(|r| !sb.push.contains(r))
                            .cloned()
                            .collect();
                        if sa.random && !sb.random {
                            reasons.push(("random".into(), "random draw".into()));
                        }
                        if reasons.is_empty() {
                            reasons
                                .push(("thresholds".into(), "weights or lane thresholds".into()));
                        }
                        reasons.sort();
                        reasons.dedup();
                        for r in reasons {
                            let c = e.1.entry(r).or_default();
                            c.0 += 1;
                            if !o.metrics_only && c.1.len() < o.examples {
                                c.1.push(f.id.clone());
                            }
                        }
                    }
                }
            }
            if let Some((y, rev)) = it.label {
                for b in 0..k {
                    self.l_scores[b].push(slims[b][i].score);
                    self.l_sel[b].push(mask & (1 << b) != 0);
                }
                self.l_tie.push(clearway_engine::combine::random_draw(
                    o.seed, &f.id, f.version,
                ));
                self.l_y.push(y);
                self.l_rev.push(rev.unwrap_or(0.0));
                self.l_has_rev |= rev.is_some();
            }
            self.n += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        self,
        loaded: &[bundle::Loaded],
        harm_ids: Vec<String>,
        label_source: Option<&str>,
        source: String,
        rejected: u64,
        o: &CompareOptions,
        mut timing: Timing,
    ) -> CompareReport {
        let n = self.n;
        let rate = |x: u64| if n > 0 { x as f64 / n as f64 } else { 0.0 };
        timing.filings_per_second = if timing.wall_seconds > 0.0 {
            n as f64 / timing.wall_seconds
        } else {
            0.0
        };
        let bundles = loaded
            .iter()
            .enumerate()
            .map(|(b, l)| {
                let m = &l.bundle.payload.manifest;
                BundleFigures {
                    name: m.name.clone(),
                    version: m.version.clone(),
                    agency: m.agency.clone(),
                    hash: l.bundle.hash.clone(),
                    lanes: Lane::ALL
                        .iter()
                        .map(|l| (l.as_str().to_owned(), self.lanes[b][lane_ix(*l)]))
                        .collect(),
                    selected: self.selected[b],
                    exam_rate: rate(self.selected[b]),
                    do_not_load: self.dnl[b],
                    mean_score: if n > 0 {
                        self.score_sum[b] / n as f64
                    } else {
                        0.0
                    },
                    random_selected: self.random[b],
                    assess_seconds: self.secs[b],
                    decisions_per_second: if self.secs[b] > 0.0 {
                        n as f64 / self.secs[b]
                    } else {
                        0.0
                    },
                    selection: hex(&self.bits[b]),
                }
            })
            .collect();
        let agreement = agreement_of(self.k, &self.pairs, &self.masks);
        let disagreements = self
            .disagree
            .into_iter()
            .map(|((a, b), (filings, reasons))| {
                let mut reasons: Vec<Reason> = reasons
                    .into_iter()
                    .map(|((layer, code), (filings, examples))| Reason {
                        layer,
                        code,
                        filings,
                        examples,
                    })
                    .collect();
                reasons.sort_by(|x, y| {
                    y.filings
                        .cmp(&x.filings)
                        .then_with(|| (&x.layer, &x.code).cmp(&(&y.layer, &y.code)))
                });
                reasons.truncate(15);
                Disagreement {
                    selected_by: a,
                    not_by: b,
                    filings,
                    reasons,
                }
            })
            .collect();
        let labelled = label_source.map(|src| {
            labelled_figures(
                src,
                &self.l_scores,
                &self.l_sel,
                &self.l_tie,
                &self.l_y,
                &self.l_rev,
                self.l_has_rev,
                o,
            )
        });
        let fin = |mut c: ProfileCell| {
            c.precision = stats::wilson(c.positives, c.labelled_hits);
            c
        };
        let harmonised = Harmonised {
            profiles: harm_ids
                .iter()
                .enumerate()
                .map(|(h, id)| HarmonisedRow {
                    profile: id.clone(),
                    cells: (0..self.k)
                        .map(|b| {
                            loaded[b]
                                .harmonised
                                .contains(id)
                                .then(|| fin(self.harm[b][h].clone()))
                        })
                        .collect(),
                })
                .collect(),
            own: self.own.into_iter().map(fin).collect(),
        };
        CompareReport {
            format: FORMAT.into(),
            metrics_only: o.metrics_only,
            data: DataSummary {
                source,
                filings: n,
                rejected,
                fingerprint: self.ids.finalize().to_hex()[..16].to_string(),
            },
            bundles,
            agreement,
            disagreements,
            labelled,
            harmonised,
            timing,
        }
    }
}

fn cell_add(c: &mut ProfileCell, sel: bool, y: Option<bool>) {
    c.hits += 1;
    c.selected += u64::from(sel);
    if let Some(y) = y {
        c.labelled_hits += 1;
        c.positives += u64::from(y);
    }
}

fn agreement_of(k: usize, pairs: &[(usize, usize, Table2)], masks: &[u64]) -> Agreement {
    Agreement {
        pairs: pairs
            .iter()
            .map(|&(a, b, t)| PairFigures {
                a,
                b,
                table: t,
                jaccard: t.jaccard(),
                kappa: t.kappa(),
            })
            .collect(),
        regions: (1..(1usize << k))
            .map(|m| Region {
                members: (0..k).filter(|b| m & (1 << b) != 0).collect(),
                filings: masks[m],
            })
            .collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn labelled_figures(
    source: &str,
    scores: &[Vec<f32>],
    own: &[Vec<bool>],
    tie: &[f64],
    y: &[bool],
    rev: &[f64],
    has_rev: bool,
    o: &CompareOptions,
) -> LabelledFigures {
    let n = y.len();
    let k = scores.len();
    let nb = o.budgets.len();
    // Inspected at each budget, per bundle: a fixed set (the bundle's ranking on the data), resampled.
    let mut inspected: Vec<Vec<Vec<bool>>> = Vec::with_capacity(k);
    for s in scores {
        let order = stats::ranking(s, tie);
        inspected.push(
            o.budgets
                .iter()
                .map(|&b| {
                    let mut sel = vec![false; n];
                    for &i in &order[..stats::inspected(b, n)] {
                        sel[i as usize] = true;
                    }
                    sel
                })
                .collect(),
        );
    }
    // Statistics per bundle: per budget (precision, recall, revenue), then own hit rate.
    let per = 3 * nb + 1;
    let rows = |i: usize, w: f64, acc: &mut [(f64, f64)]| {
        let yi = if y[i] { 1.0 } else { 0.0 };
        for b in 0..k {
            let base = b * per;
            for j in 0..nb {
                let s = if inspected[b][j][i] { 1.0 } else { 0.0 };
                let a = &mut acc[base + 3 * j..base + 3 * j + 3];
                a[0].0 += w * s * yi;
                a[0].1 += w * s;
                a[1].0 += w * s * yi;
                a[1].1 += w * yi;
                a[2].0 += w * s * rev[i];
                a[2].1 += w * rev[i];
            }
            if own[b][i] {
                acc[base + 3 * nb].0 += w * yi;
                acc[base + 3 * nb].1 += w;
            }
        }
    };
    let est = stats::bootstrap_ratios(n, k * per, o.replicates, o.seed, &rows);
    let ok = |e: Estimate| e.value.is_finite().then_some(e);
    let bundles = (0..k)
        .map(|b| {
            let base = b * per;
            BundleLabelled {
                at_budget: o
                    .budgets
                    .iter()
                    .enumerate()
                    .map(|(j, &budget)| AtBudget {
                        budget,
                        inspected: stats::inspected(budget, n) as u64,
                        precision: est[base + 3 * j],
                        recall: ok(est[base + 3 * j + 1]),
                        revenue: if has_rev {
                            ok(est[base + 3 * j + 2])
                        } else {
                            None
                        },
                    })
                    .collect(),
                own_selected: own[b].iter().filter(|x| **x).count() as u64,
                own_hit_rate: ok(est[base + 3 * nb]),
            }
        })
        .collect();
    LabelledFigures {
        source: source.into(),
        filings: n as u64,
        positives: y.iter().filter(|x| **x).count() as u64,
        has_revenue: has_rev,
        budgets: o.budgets.clone(),
        replicates: o.replicates,
        seed: o.seed,
        bundles,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// Drop what a metrics file must not carry (example filing ids, the data path).
pub fn metrics_only(mut r: CompareReport) -> CompareReport {
    r.metrics_only = true;
    for d in &mut r.disagreements {
        for x in &mut d.reasons {
            x.examples.clear();
        }
    }
    if let Some(i) = r.data.source.find(' ') {
        if r.data.source.starts_with("filings file")
            || r.data.source.starts_with("KCS declarations")
        {
            let keep = if r.data.source.starts_with("KCS") {
                "KCS declarations".len()
            } else {
                i + " file".len()
            };
            r.data.source.truncate(keep);
        }
    }
    r
}

/// Join the metric files of several agencies (each one or more bundles over the same benchmark set)
/// into one report. Selections are compared (pairs, regions) only when every file has the same data
/// fingerprint; disagreement reasons stay per file (the pairs across files are not explained: that
/// needs the decisions, which metric files do not carry).
pub fn merge(reports: Vec<CompareReport>) -> Result<CompareReport> {
    let Some(first) = reports.first().cloned() else {
        return Err(ServiceError::Invalid("nothing to merge".into()));
    };
    for r in &reports {
        if r.format != FORMAT {
            return Err(ServiceError::Invalid(format!(
                "not a comparison file (format {:?})",
                r.format
            )));
        }
        if r.data.fingerprint != first.data.fingerprint || r.data.filings != first.data.filings {
            return Err(ServiceError::Invalid(format!(
                "not the same benchmark set: {} filings / {} vs {} filings / {}",
                r.data.filings, r.data.fingerprint, first.data.filings, first.data.fingerprint
            )));
        }
        if let (Some(a), Some(b)) = (&r.labelled, &first.labelled) {
            if a.budgets != b.budgets {
                return Err(ServiceError::Invalid(
                    "the files were made with different budgets".into(),
                ));
            }
        }
    }
    let mut out = first.clone();
    out.metrics_only = reports.iter().all(|r| r.metrics_only);
    out.bundles.clear();
    out.disagreements.clear();
    out.harmonised = Harmonised {
        profiles: Vec::new(),
        own: Vec::new(),
    };
    let mut labelled: Option<LabelledFigures> = first.labelled.clone().map(|mut l| {
        l.bundles.clear();
        l
    });
    let mut all_labelled = true;
    for r in &reports {
        let off = out.bundles.len();
        out.bundles.extend(r.bundles.iter().cloned());
        out.disagreements
            .extend(r.disagreements.iter().cloned().map(|mut d| {
                d.selected_by += off;
                d.not_by += off;
                d
            }));
        match (&mut labelled, &r.labelled) {
            (Some(l), Some(rl)) => l.bundles.extend(rl.bundles.iter().cloned()),
            _ => all_labelled = false,
        }
        // Harmonised rows: by profile id, cells placed at this file's bundle offset.
        for row in &r.harmonised.profiles {
            let pos = match out
                .harmonised
                .profiles
                .iter()
                .position(|x| x.profile == row.profile)
            {
                Some(p) => p,
                None => {
                    out.harmonised.profiles.push(HarmonisedRow {
                        profile: row.profile.clone(),
                        cells: Vec::new(),
                    });
                    out.harmonised.profiles.len() - 1
                }
            };
            let cells = &mut out.harmonised.profiles[pos].cells;
            cells.resize(off, None);
            cells.extend(row.cells.iter().cloned());
        }
        out.harmonised.own.extend(r.harmonised.own.iter().cloned());
    }
    let k = out.bundles.len();
    if k > 8 {
        return Err(ServiceError::Invalid(format!("{k} bundles: merge up to 8")));
    }
    for row in &mut out.harmonised.profiles {
        row.cells.resize(k, None);
    }
    out.labelled = if all_labelled { labelled } else { None };
    // Agreement from the selection bits.
    let bits: Vec<Vec<u8>> = out
        .bundles
        .iter()
        .map(|b| {
            unhex(&b.selection).ok_or_else(|| {
                ServiceError::Invalid(format!("bundle {}: bad selection bits", b.name))
            })
        })
        .collect::<Result<_>>()?;
    let n = out.data.filings as usize;
    let sel = |b: usize, i: usize| bits[b].get(i / 8).is_some_and(|x| x & (1 << (i % 8)) != 0);
    let mut pairs: Vec<(usize, usize, Table2)> = (0..k)
        .flat_map(|a| (a + 1..k).map(move |b| (a, b, Table2::default())))
        .collect();
    let mut masks = vec![0u64; 1 << k];
    for i in 0..n {
        let mut m = 0usize;
        for b in 0..k {
            if sel(b, i) {
                m |= 1 << b;
            }
        }
        masks[m] += 1;
        for (a, b, t) in &mut pairs {
            t.add(m & (1 << *a) != 0, m & (1 << *b) != 0);
        }
    }
    out.agreement = agreement_of(k, &pairs, &masks);
    out.timing = Timing::default();
    Ok(out)
}

/// Read a comparison (metrics) file.
pub fn read_report(path: &Path) -> Result<CompareReport> {
    let text = crate::read_text(path)?;
    serde_json::from_str(&text)
        .map_err(|e| ServiceError::file(path.display(), format!("not a comparison file: {e}")))
}
