//! Declaration features in the customs-fraud tradition (DATE, KDD 2020; the KCS dataset papers).
//!
//! From a typed table and a label the [`FeatureSpec`] derives:
//! - every numeric input column, as is;
//! - unit value per kg (log), per item (when a quantity column exists), and the unit value's log ratio to
//!   the mean of its HS-6 and of its HS-6 × origin in the training data;
//! - for low-cardinality categorical columns, a label code (levels in sorted order, as LightGBM users do);
//! - for every categorical column, HS-2 and HS-4 prefixes and the entity pairs (importer × HS-6,
//!   declarant × importer, HS-6 × origin, office × HS-6, seller × importer, importer × origin,
//!   declarant × HS-6): the smoothed historical fraud rate `(sum + m · prior) / (count + m)` and
//!   `ln(1 + count)`;
//! - novelty flags: new importer, new importer × HS-6.
//!
//! Rates and counts for rows being scored come only from the training data (which precedes the scored
//! period). For the training rows themselves they are computed out of fold (K folds by a seeded hash of
//! the row), so no row ever sees its own label; counts are rescaled by K / (K − 1) to match what a
//! scored row sees.
//!
//! That is the *legacy* plan ([`Statistics::legacy`]). The default plan ([`Statistics::ordered`], after
//! CatBoost, Prokhorenkova et al. 2018) differs in three ways:
//! - **ordered target statistics**: a training row's rate comes only from the rows before it in a seeded
//!   random permutation (the mean over a few permutations), with prior weight `a` (default 1), so it
//!   never reads its own label; a scored row's from every training row (and from the exam results added
//!   since, [`Encoders::add`]);
//! - **keys chosen greedily on the training data**: every categorical column, HS-2/HS-4, and numeric
//!   columns taken as exact values ("the same declared price") are candidate parts; a single part or a
//!   combination of two or three parts becomes a key when its ordered statistic lowers the training
//!   log-loss more than its parts do (the ordered statistic is honest, so no held-out data is needed);
//! - **counters**: the log count of a key is its frequency among the *other* training rows (label-free,
//!   so the full training data is used), and at scoring time among the training rows and the stored
//!   history.

use crate::data::{ColumnData, ColumnType, Dataset, MISSING};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The roles the declaration features need, by column name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Roles {
    pub importer: Option<String>,
    pub declarant: Option<String>,
    pub seller: Option<String>,
    pub hs: Option<String>,
    pub origin: Option<String>,
    pub departure: Option<String>,
    pub office: Option<String>,
    pub mass: Option<String>,
    pub value: Option<String>,
    pub quantity: Option<String>,
}

impl Roles {
    /// Find roles by column name.
    pub fn detect(ds: &Dataset, usable: &dyn Fn(&str) -> bool) -> Roles {
        let find = |kind: ColumnType, pred: &dyn Fn(&str) -> bool| -> Option<String> {
            ds.columns
                .iter()
                .filter(|c| usable(&c.name) && c.data.kind() == kind)
                .find(|c| pred(&c.name.to_ascii_lowercase()))
                .map(|c| c.name.clone())
        };
        use ColumnType::{Categorical as C, Numeric as N};
        Roles {
            importer: find(C, &|n| n.contains("importer")),
            declarant: find(C, &|n| n.contains("declarant")),
            seller: find(C, &|n| n.contains("seller")),
            hs: find(C, &|n| n.contains("hs") || n.contains("tariff")),
            origin: find(C, &|n| n.contains("origin") && !n.contains("indicator")),
            departure: find(C, &|n| n.contains("departure")),
            office: find(C, &|n| n.contains("office")),
            mass: find(N, &|n| n.contains("mass") || n.contains("weight") || n.contains("kg")),
            value: find(N, &|n| n.contains("price") || n.contains("value") || n.contains("fob") || n.contains("cif")),
            quantity: find(N, &|n| n.contains("quantity")),
        }
    }
}

/// One categorical key: a column, a prefix of a column, or a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    /// (column, prefix length or 0 for the whole value).
    pub parts: Vec<(String, usize)>,
}

/// How the rates of training rows are computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatsMode {
    /// K folds by a seeded hash of the row; the row's fold is left out (counts rescaled by K / (K − 1)).
    #[default]
    OutOfFold,
    /// The rows before it in seeded random permutations (CatBoost's ordered target statistics).
    Ordered,
}

/// Which keys get target statistics and how they are computed for training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statistics {
    pub mode: StatsMode,
    /// Ordered mode: permutations averaged.
    pub permutations: usize,
    /// Choose keys greedily (else: today's fixed entity pairs).
    pub learned_keys: bool,
    /// Numeric columns may be key parts, by exact value.
    pub value_keys: bool,
    /// At most this many combinations of two or three parts.
    pub combinations: usize,
    /// A key is kept when its ordered statistic lowers the training log-loss per row by more than this
    /// (a combination: more than the best of its parts, by this much).
    pub min_gain: f64,
}

impl Default for Statistics {
    /// The legacy plan, which is what model files without this field were trained with.
    fn default() -> Self {
        Statistics::legacy()
    }
}

impl Statistics {
    /// Out-of-fold smoothed rates of every categorical column, HS-2/HS-4 and seven fixed entity pairs.
    pub fn legacy() -> Self {
        Statistics {
            mode: StatsMode::OutOfFold,
            permutations: 0,
            learned_keys: false,
            value_keys: false,
            combinations: 0,
            min_gain: 0.0,
        }
    }

    /// Ordered statistics over greedily chosen keys and combinations (the default).
    pub fn ordered() -> Self {
        Statistics {
            mode: StatsMode::Ordered,
            permutations: 4,
            learned_keys: true,
            value_keys: true,
            combinations: 12,
            min_gain: 0.001,
        }
    }
}

/// What to compute, fitted on the training table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// The input columns the model reads, with their types.
    pub inputs: Vec<(String, ColumnType)>,
    pub roles: Roles,
    pub numeric: Vec<String>,
    /// Categorical columns given label codes.
    pub coded: Vec<String>,
    pub groups: Vec<Group>,
    pub smoothing: f64,
    pub folds: usize,
    pub seed: u64,
    /// Names of the output features, in order.
    pub names: Vec<String>,
    /// How the key statistics are chosen and computed (absent in files of the legacy plan).
    #[serde(default)]
    pub statistics: Statistics,
}

/// Statistics learned from the training table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Encoders {
    pub prior: f64,
    /// Per coded column: level -> code.
    pub codes: Vec<HashMap<String, f64>>,
    /// Per group: key -> (label sum, count).
    pub stats: Vec<HashMap<String, (f64, f64)>>,
    /// Mean log unit value per HS-6, and per HS-6 × origin: key -> (sum, count).
    pub uv_hs: HashMap<String, (f64, f64)>,
    pub uv_hs_origin: HashMap<String, (f64, f64)>,
    /// The statistics indexed by part ids for batch scoring, built on first use; not stored.
    #[serde(skip)]
    pub(crate) index: IndexCache,
}

impl Encoders {
    /// Forget the index (after the statistics changed).
    pub(crate) fn reindex(&mut self) {
        self.index = IndexCache::default();
    }
}

/// Lazily built [`StatsIndex`]. Never compared, never stored; a clone starts empty.
#[derive(Default)]
pub(crate) struct IndexCache(std::sync::OnceLock<StatsIndex>);

impl Clone for IndexCache {
    fn clone(&self) -> Self {
        IndexCache::default()
    }
}

impl PartialEq for IndexCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for IndexCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexCache")
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// The key statistics by integer ids, so that scoring a table looks up each distinct level text once per
/// column and then every row's keys by integers: per key part (column, prefix) the ids of the texts (or
/// exact values) seen in training; per group its parts and the statistics by packed part ids (a vector
/// for one-part keys).
pub(crate) struct StatsIndex {
    parts: Vec<(String, usize)>,
    texts: Vec<HashMap<String, u32>>,
    values: Vec<FastMap<u64, u32>>,
    groups: Vec<(Vec<usize>, GroupStats)>,
}

enum GroupStats {
    One(Vec<(f64, f64)>),
    Many(FastMap<u128, (f64, f64)>),
}

/// Part id of a value never seen in training (its key is new: history (0, 0)).
const UNSEEN: u32 = u32::MAX - 1;

impl StatsIndex {
    fn build(spec: &FeatureSpec, enc: &Encoders) -> StatsIndex {
        let mut ix = StatsIndex { parts: vec![], texts: vec![], values: vec![], groups: vec![] };
        for (gi, g) in spec.groups.iter().enumerate() {
            let pidx: Vec<usize> = g
                .parts
                .iter()
                .map(|p| match ix.parts.iter().position(|q| q == p) {
                    Some(i) => i,
                    None => {
                        ix.parts.push(p.clone());
                        ix.texts.push(HashMap::new());
                        ix.values.push(FastMap::default());
                        ix.parts.len() - 1
                    }
                })
                .collect();
            let mut one: Vec<(f64, f64)> = Vec::new();
            let mut many: FastMap<u128, (f64, f64)> = FastMap::default();
            for (key, &st) in enc.stats.get(gi).into_iter().flatten() {
                let texts: Vec<&str> = key.split(SEP).collect();
                if texts.len() != pidx.len() {
                    continue;
                }
                let mut packed = 0u128;
                let mut ok = true;
                for (&pi, t) in pidx.iter().zip(&texts) {
                    let id = if spec.is_numeric_input(&ix.parts[pi].0) {
                        match t.parse::<f64>().ok().and_then(value_bits) {
                            Some(b) => {
                                let next = ix.values[pi].len() as u32;
                                *ix.values[pi].entry(b).or_insert(next)
                            }
                            None => {
                                ok = false;
                                break;
                            }
                        }
                    } else {
                        let next = ix.texts[pi].len() as u32;
                        *ix.texts[pi].entry((*t).to_string()).or_insert(next)
                    };
                    packed = (packed << 32) | id as u128;
                }
                if !ok {
                    continue;
                }
                if pidx.len() == 1 {
                    let i = packed as usize;
                    if one.len() <= i {
                        one.resize(i + 1, (0.0, 0.0));
                    }
                    one[i] = st;
                } else {
                    many.insert(packed, st);
                }
            }
            ix.groups.push((pidx, if g.parts.len() == 1 { GroupStats::One(one) } else { GroupStats::Many(many) }));
        }
        ix
    }

    /// Per part, every row's training part id (`MISSING`, or `UNSEEN` when the training data never had it).
    fn row_parts(&self, spec: &FeatureSpec, ds: &Dataset) -> Result<Vec<Vec<u32>>, String> {
        self.parts
            .iter()
            .enumerate()
            .map(|(pi, (col, prefix))| match ds.column(col).map(|c| &c.data) {
                Some(ColumnData::Categorical { codes, levels }) if !spec.is_numeric_input(col) => {
                    let map: Vec<u32> = levels
                        .iter()
                        .map(|l| {
                            let t: std::borrow::Cow<'_, str> =
                                if *prefix > 0 { l.chars().take(*prefix).collect::<String>().into() } else { l.into() };
                            self.texts[pi].get(t.as_ref()).copied().unwrap_or(UNSEEN)
                        })
                        .collect();
                    Ok(codes.iter().map(|&c| if c == MISSING { MISSING } else { map[c as usize] }).collect())
                }
                Some(ColumnData::Numeric(v)) => Ok(v
                    .iter()
                    .map(|&x| match value_bits(x) {
                        None => MISSING,
                        Some(b) => self.values[pi].get(&b).copied().unwrap_or(UNSEEN),
                    })
                    .collect()),
                _ => Err(col.clone()),
            })
            .collect()
    }

    /// History of row `i`'s key of group `gi`, from the row's part ids.
    #[inline]
    fn history(&self, gi: usize, parts: &[Vec<u32>], i: usize) -> Option<Hist> {
        let (pidx, st) = &self.groups[gi];
        let mut packed = 0u128;
        let mut unseen = false;
        for &pi in pidx {
            match parts[pi][i] {
                MISSING => return None,
                UNSEEN => unseen = true,
                id => packed = (packed << 32) | id as u128,
            }
        }
        let (s, c) = if unseen {
            (0.0, 0.0)
        } else {
            match st {
                GroupStats::One(v) => v.get(packed as usize).copied().unwrap_or((0.0, 0.0)),
                GroupStats::Many(m) => m.get(&packed).copied().unwrap_or((0.0, 0.0)),
            }
        };
        Some((s, c, c))
    }
}

/// One input value.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Num(f64),
    Cat(Option<&'a str>),
}

const SEP: char = '\u{1f}';

/// A key's history as a row sees it: (label sum, count) behind its rate, and its frequency (counter).
type Hist = (f64, f64, f64);
const CODE_MAX_LEVELS: usize = 300;

impl FeatureSpec {
    /// Decide the features for a training table. `exclude` are columns never used as inputs (label,
    /// dropped columns, id, date, revenue).
    pub fn plan(ds: &Dataset, exclude: &[String], smoothing: f64, folds: usize, seed: u64) -> FeatureSpec {
        let usable = |n: &str| !exclude.iter().any(|e| e == n);
        let roles = Roles::detect(ds, &usable);
        let mut inputs = Vec::new();
        let mut numeric = Vec::new();
        let mut coded = Vec::new();
        let mut groups = Vec::new();
        for c in &ds.columns {
            if !usable(&c.name) {
                continue;
            }
            match &c.data {
                ColumnData::Numeric(_) => {
                    inputs.push((c.name.clone(), ColumnType::Numeric));
                    numeric.push(c.name.clone());
                }
                ColumnData::Categorical { levels, .. } => {
                    inputs.push((c.name.clone(), ColumnType::Categorical));
                    if levels.len() <= CODE_MAX_LEVELS {
                        coded.push(c.name.clone());
                    }
                    groups.push(Group { name: c.name.clone(), parts: vec![(c.name.clone(), 0)] });
                }
                ColumnData::Date(_) => {}
            }
        }
        if let Some(hs) = &roles.hs {
            for k in [2, 4] {
                groups.push(Group { name: format!("HS{k}"), parts: vec![(hs.clone(), k)] });
            }
        }
        let pairs: [(&Option<String>, &Option<String>); 7] = [
            (&roles.importer, &roles.hs),
            (&roles.declarant, &roles.importer),
            (&roles.hs, &roles.origin),
            (&roles.office, &roles.hs),
            (&roles.seller, &roles.importer),
            (&roles.importer, &roles.origin),
            (&roles.declarant, &roles.hs),
        ];
        for (a, b) in pairs {
            if let (Some(a), Some(b)) = (a, b) {
                groups.push(Group { name: format!("{a} × {b}"), parts: vec![(a.clone(), 0), (b.clone(), 0)] });
            }
        }
        let mut spec = FeatureSpec {
            inputs,
            roles,
            numeric,
            coded,
            groups,
            smoothing,
            folds: folds.max(2),
            seed,
            names: vec![],
            statistics: Statistics::legacy(),
        };
        spec.names = spec.feature_names();
        spec
    }

    /// Plan with `statistics`: the legacy plan, or keys chosen greedily by their ordered statistic on the
    /// training rows (`labels`).
    pub fn plan_with(
        ds: &Dataset,
        labels: &[f64],
        exclude: &[String],
        smoothing: f64,
        folds: usize,
        seed: u64,
        statistics: &Statistics,
    ) -> FeatureSpec {
        let mut spec = FeatureSpec::plan(ds, exclude, smoothing, folds, seed);
        spec.statistics = statistics.clone();
        if statistics.learned_keys {
            spec.groups = spec.choose_keys(ds, labels);
        }
        spec.names = spec.feature_names();
        spec
    }

    /// Greedy key selection (see the module doc). Every categorical column and the HS prefixes stay keys
    /// (an officer asks for "the importer's history" whether or not it helps); numeric exact values and
    /// combinations are kept only when they earn it.
    fn choose_keys(&self, ds: &Dataset, labels: &[f64]) -> Vec<Group> {
        let st = &self.statistics;
        let n = ds.rows.min(labels.len());
        let prior = if n > 0 { labels[..n].iter().sum::<f64>() / n as f64 } else { 0.0 };
        let mut perm: Vec<usize> = (0..n).collect();
        shuffle(&mut perm, self.seed ^ 0x5EED_0F_0DE5);
        let mut parts: Vec<(Group, Vec<u32>, f64)> = Vec::new();
        let mut keep: Vec<Group> = Vec::new();
        for g in &self.groups {
            if g.parts.len() != 1 {
                continue; // fixed pairs of the legacy plan: candidates like any other combination
            }
            let Ok(ids) = self.part_ids(ds, &g.parts[0].0, g.parts[0].1) else {
                continue;
            };
            let gain = ordered_gain(&dense(&[&ids]), labels, &perm, prior, self.smoothing);
            keep.push(g.clone());
            parts.push((g.clone(), ids, gain));
        }
        if st.value_keys {
            for c in &self.numeric {
                let Ok(ids) = self.part_ids(ds, c, 0) else {
                    continue;
                };
                let gain = ordered_gain(&dense(&[&ids]), labels, &perm, prior, self.smoothing);
                let g = Group { name: format!("{c} value"), parts: vec![(c.clone(), 0)] };
                if gain > st.min_gain {
                    keep.push(g.clone());
                }
                parts.push((g, ids, gain));
            }
        }
        if st.combinations == 0 {
            return keep;
        }
        let useful: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].2 > 0.0).collect();
        let combine = |ix: &[usize]| -> Group {
            Group {
                name: ix.iter().map(|&i| parts[i].0.name.as_str()).collect::<Vec<_>>().join(" × "),
                parts: ix.iter().map(|&i| parts[i].0.parts[0].clone()).collect(),
            }
        };
        let same_column = |ix: &[usize]| {
            ix.iter().enumerate().any(|(a, &i)| ix[..a].iter().any(|&j| parts[i].0.parts[0].0 == parts[j].0.parts[0].0))
        };
        let mut pairs: Vec<(Vec<usize>, f64)> = Vec::new();
        for (a, &i) in useful.iter().enumerate() {
            for &j in &useful[a + 1..] {
                if same_column(&[i, j]) {
                    continue;
                }
                let gain = ordered_gain(&dense(&[&parts[i].1, &parts[j].1]), labels, &perm, prior, self.smoothing);
                if gain > parts[i].2.max(parts[j].2) + st.min_gain {
                    pairs.push((vec![i, j], gain));
                }
            }
        }
        pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        pairs.truncate(st.combinations);
        let mut triples: Vec<(Vec<usize>, f64)> = Vec::new();
        for (ix, g2) in &pairs {
            for &k in &useful {
                let mut t = ix.clone();
                t.push(k);
                t.sort_unstable();
                if same_column(&t) || triples.iter().any(|(u, _)| *u == t) {
                    continue;
                }
                let gain = ordered_gain(
                    &dense(&[&parts[t[0]].1, &parts[t[1]].1, &parts[t[2]].1]),
                    labels,
                    &perm,
                    prior,
                    self.smoothing,
                );
                if gain > g2 + st.min_gain {
                    triples.push((t, gain));
                }
            }
        }
        triples.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        triples.truncate(st.combinations.div_ceil(3));
        let mut combos: Vec<(Vec<usize>, f64)> = pairs.into_iter().chain(triples).collect();
        combos.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        combos.truncate(st.combinations);
        keep.extend(combos.iter().map(|(ix, _)| combine(ix)));
        keep
    }

    fn feature_names(&self) -> Vec<String> {
        let mut n: Vec<String> = self.numeric.clone();
        if self.uv_available() {
            n.push("log unit value per kg".into());
            n.push("unit value per kg vs HS6 (log ratio)".into());
            if self.roles.origin.is_some() {
                n.push("unit value per kg vs HS6 × origin (log ratio)".into());
            }
        }
        if self.roles.quantity.is_some() && self.roles.value.is_some() {
            n.push("log unit value per item".into());
        }
        for c in &self.coded {
            n.push(format!("{c} (code)"));
        }
        for g in &self.groups {
            n.push(format!("{} fraud rate", g.name));
            n.push(format!("{} history (log count)", g.name));
        }
        if self.roles.importer.is_some() {
            n.push("new importer".into());
            if self.roles.hs.is_some() {
                n.push("new importer × HS6".into());
            }
        }
        n
    }

    fn uv_available(&self) -> bool {
        self.roles.mass.is_some() && self.roles.value.is_some() && self.roles.hs.is_some()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn input_index(&self, name: &str) -> Option<usize> {
        self.inputs.iter().position(|(n, _)| n == name)
    }

    /// Input positions of everything a row reads, looked up once per table instead of once per cell.
    fn plan_inputs(&self) -> Inputs {
        let ix = |r: &Option<String>| r.as_ref().and_then(|n| self.input_index(n));
        let is = |r: &Option<String>, c: &str| r.as_deref() == Some(c);
        Inputs {
            numeric: self.numeric.iter().map(|c| self.input_index(c)).collect(),
            coded: self.coded.iter().map(|c| self.input_index(c)).collect(),
            mass: ix(&self.roles.mass),
            value: ix(&self.roles.value),
            quantity: ix(&self.roles.quantity),
            hs: ix(&self.roles.hs),
            origin: ix(&self.roles.origin),
            importer_group: self
                .groups
                .iter()
                .position(|g| g.parts.len() == 1 && is(&self.roles.importer, &g.parts[0].0) && g.parts[0].1 == 0),
            importer_hs_group: self.groups.iter().position(|g| {
                g.parts.len() == 2 && is(&self.roles.importer, &g.parts[0].0) && is(&self.roles.hs, &g.parts[1].0)
            }),
        }
    }

    /// Group key of one row (None when any part is missing).
    fn key(&self, g: &Group, cells: &[Cell<'_>]) -> Option<String> {
        let mut k = String::new();
        self.key_into(g, cells, &mut k).then_some(k)
    }

    fn num(cells: &[Cell<'_>], i: Option<usize>) -> f64 {
        match i.map(|i| cells[i]) {
            Some(Cell::Num(v)) => v,
            _ => f64::NAN,
        }
    }

    fn cat<'a>(cells: &[Cell<'a>], i: Option<usize>) -> Option<&'a str> {
        match i.map(|i| cells[i]) {
            Some(Cell::Cat(v)) => v,
            _ => None,
        }
    }

    fn log_uv(cells: &[Cell<'_>], p: &Inputs) -> f64 {
        let (m, v) = (Self::num(cells, p.mass), Self::num(cells, p.value));
        if m > 0.0 && v > 0.0 { (v / m).ln() } else { f64::NAN }
    }

    /// Features of one row. `lookup(group, key)` gives the (label sum, count) history of a key.
    pub fn row(
        &self,
        enc: &Encoders,
        cells: &[Cell<'_>],
        lookup: &dyn Fn(usize, &str) -> Option<(f64, f64)>,
        out: &mut Vec<f64>,
    ) {
        let p = self.plan_inputs();
        let history = |gi: usize| {
            self.key(&self.groups[gi], cells).map(|k| {
                let (s, c) = lookup(gi, &k).unwrap_or((0.0, 0.0));
                (s, c, c)
            })
        };
        self.row_with(enc, &p, cells, None, &history, out);
    }

    /// Features of one row; `history(group)` is None when the row's key of that group is missing, else the
    /// (label sum, count) of the key ((0, 0) when never seen). `codes`, when given, are the label codes of
    /// the row's coded columns already looked up (else they are looked up by text).
    fn row_with(
        &self,
        enc: &Encoders,
        p: &Inputs,
        cells: &[Cell<'_>],
        codes: Option<&[f64]>,
        history: &dyn Fn(usize) -> Option<Hist>,
        out: &mut Vec<f64>,
    ) {
        out.clear();
        for &i in &p.numeric {
            out.push(match i.map(|i| cells[i]) {
                Some(Cell::Num(v)) if v.is_finite() => v,
                _ => f64::NAN,
            });
        }
        if self.uv_available() {
            let luv = Self::log_uv(cells, p);
            out.push(luv);
            let hs = Self::cat(cells, p.hs);
            let mean = |m: &HashMap<String, (f64, f64)>, k: Option<&str>| {
                k.and_then(|k| m.get(k).copied()).filter(|s| s.1 > 0.0).map(|(s, c)| s / c)
            };
            let d = mean(&enc.uv_hs, hs).map(|m| luv - m).unwrap_or(f64::NAN);
            out.push(d);
            if self.roles.origin.is_some() {
                let o = Self::cat(cells, p.origin);
                let key = hs.zip(o).map(|(h, o)| format!("{h}{SEP}{o}"));
                out.push(mean(&enc.uv_hs_origin, key.as_deref()).map(|m| luv - m).unwrap_or(f64::NAN));
            }
        }
        if self.roles.quantity.is_some() && self.roles.value.is_some() {
            let (q, v) = (Self::num(cells, p.quantity), Self::num(cells, p.value));
            out.push(if q > 0.0 && v > 0.0 { (v / q).ln() } else { f64::NAN });
        }
        match codes {
            Some(c) => out.extend_from_slice(c),
            None => {
                for (ci, &i) in p.coded.iter().enumerate() {
                    let v = match i.map(|i| cells[i]) {
                        Some(Cell::Cat(Some(v))) => {
                            enc.codes.get(ci).and_then(|m| m.get(v)).copied().unwrap_or(f64::NAN)
                        }
                        _ => f64::NAN,
                    };
                    out.push(v);
                }
            }
        }
        let mut importer_count = f64::NAN;
        let mut importer_hs_count = f64::NAN;
        for gi in 0..self.groups.len() {
            match history(gi) {
                None => {
                    out.push(f64::NAN);
                    out.push(f64::NAN);
                }
                Some((s, c, freq)) => {
                    let m = self.smoothing;
                    out.push((s + m * enc.prior) / (c + m));
                    out.push(freq.ln_1p());
                    if p.importer_group == Some(gi) {
                        importer_count = freq;
                    }
                    if p.importer_hs_group == Some(gi) {
                        importer_hs_count = freq;
                    }
                }
            }
        }
        if self.roles.importer.is_some() {
            let flag = |c: f64| {
                if c.is_nan() {
                    f64::NAN
                } else if c < 0.5 {
                    1.0
                } else {
                    0.0
                }
            };
            out.push(flag(importer_count));
            if self.roles.hs.is_some() {
                out.push(flag(importer_hs_count));
            }
        }
    }

    /// Column indices of the inputs in a table (error names the first missing column).
    pub fn resolve(&self, ds: &Dataset) -> Result<Vec<usize>, String> {
        self.inputs.iter().map(|(n, _)| ds.index(n).ok_or_else(|| n.clone())).collect()
    }

    /// Per row, the id of its value of one key part (`MISSING` when missing): the level code of a
    /// categorical column, the id of a level's prefix, or the id of a numeric column's exact value.
    fn part_ids(&self, ds: &Dataset, col: &str, prefix: usize) -> Result<Vec<u32>, String> {
        match ds.column(col).map(|c| &c.data) {
            Some(ColumnData::Categorical { codes, levels }) => {
                if prefix == 0 {
                    return Ok(codes.clone());
                }
                let mut ids: HashMap<String, u32> = HashMap::new();
                let map: Vec<u32> = levels
                    .iter()
                    .map(|l| {
                        let p: String = l.chars().take(prefix).collect();
                        let next = ids.len() as u32;
                        *ids.entry(p).or_insert(next)
                    })
                    .collect();
                Ok(codes
                    .iter()
                    .map(|&c| if c == MISSING { MISSING } else { map.get(c as usize).copied().unwrap_or(MISSING) })
                    .collect())
            }
            Some(ColumnData::Numeric(v)) if self.is_numeric_input(col) => {
                let mut ids: HashMap<u64, u32, std::hash::BuildHasherDefault<KeyHasher>> = HashMap::default();
                Ok(v.iter()
                    .map(|&x| match value_bits(x) {
                        None => MISSING,
                        Some(b) => {
                            let next = ids.len() as u32;
                            *ids.entry(b).or_insert(next)
                        }
                    })
                    .collect())
            }
            _ => Err(col.to_string()),
        }
    }

    fn is_numeric_input(&self, col: &str) -> bool {
        self.inputs.iter().any(|(n, t)| n == col && *t == ColumnType::Numeric)
    }

    /// Dense ids of every row's key of group `g` (`u32::MAX` when missing) and, per id, a row holding it.
    /// Keys are built from the parts' ids, so no string is built per row; the result is the same partition
    /// as [`FeatureSpec::key`]'s strings.
    fn group_ids(&self, ds: &Dataset, g: &Group) -> Result<(Vec<u32>, Vec<usize>), String> {
        let parts = g.parts.iter().map(|(c, p)| self.part_ids(ds, c, *p)).collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&[u32]> = parts.iter().map(|p| p.as_slice()).collect();
        Ok(dense_first(&refs))
    }

    /// Fit the encoders on a training table and compute its features out of fold. Returns the encoders
    /// and the row-major feature matrix.
    pub fn fit(&self, ds: &Dataset, labels: &[f64]) -> Result<(Encoders, Vec<f64>), String> {
        self.fit_threads(ds, labels, 1)
    }

    /// [`FeatureSpec::fit`] on up to `threads` threads (groups, then rows, split among them); the result
    /// does not depend on the thread count.
    pub fn fit_threads(&self, ds: &Dataset, labels: &[f64], threads: usize) -> Result<(Encoders, Vec<f64>), String> {
        let threads = threads.max(1);
        let cols = self.resolve(ds)?;
        let n = ds.rows;
        let k = self.folds;
        let prior = if n > 0 { labels.iter().sum::<f64>() / n as f64 } else { 0.0 };
        let mut enc = Encoders { prior, ..Default::default() };
        for c in &self.coded {
            let mut levels: Vec<&str> = match ds.column(c).map(|c| &c.data) {
                Some(ColumnData::Categorical { levels, .. }) => levels.iter().map(|s| s.as_str()).collect(),
                _ => vec![],
            };
            levels.sort_unstable();
            enc.codes.push(levels.into_iter().enumerate().map(|(i, l)| (l.to_string(), i as f64)).collect());
        }
        let fold_of = |i: usize| {
            let mut r = crate::gbdt::Rng::new(self.seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
            (r.next_u64() % k as u64) as usize
        };
        let folds: Vec<usize> = (0..n).map(fold_of).collect();
        let scale = k as f64 / (k - 1) as f64;
        let ordered = self.statistics.mode == StatsMode::Ordered;
        let perms: Vec<Vec<usize>> = if ordered {
            (0..self.statistics.permutations.max(1))
                .map(|p| {
                    let mut v: Vec<usize> = (0..n).collect();
                    shuffle(&mut v, self.seed ^ (p as u64 + 1).wrapping_mul(0xA076_1D64_78BD_642F));
                    v
                })
                .collect()
        } else {
            vec![]
        };
        // Per group: each training row's history (None when its key is missing) and the encoder's stats by
        // key text.
        type GroupFit = (Vec<Option<Hist>>, HashMap<String, (f64, f64)>);
        let fit_group = |g: &Group| -> Result<GroupFit, String> {
            let mut cells: Vec<Cell<'_>> = Vec::with_capacity(cols.len());
            let (ids, first) = self.group_ids(ds, g)?;
            // Per id, the (label sum, count) of each fold.
            let mut sums = vec![(0.0, 0.0); first.len() * k];
            for i in 0..n {
                if (ids[i] as usize) < first.len() {
                    let e = &mut sums[ids[i] as usize * k + folds[i]];
                    e.0 += labels[i];
                    e.1 += 1.0;
                }
            }
            let total = |id: usize| sums[id * k..(id + 1) * k].iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
            let mut stats = HashMap::with_capacity(first.len());
            for (id, &row) in first.iter().enumerate() {
                refill(ds, &cols, row, &mut cells);
                let key = self.key(g, &cells).unwrap_or_default();
                stats.insert(key, total(id));
            }
            let hist: Vec<Option<Hist>> = if ordered {
                let mut acc: Vec<Option<Hist>> =
                    ids.iter().map(|&id| (id != u32::MAX).then_some((0.0, 0.0, 0.0))).collect();
                for perm in &perms {
                    for (i, h) in ordered_history(&ids, labels, perm).into_iter().enumerate() {
                        if let (Some(a), Some(h)) = (&mut acc[i], h) {
                            a.0 += h.0;
                            a.1 += h.1;
                        }
                    }
                }
                let p = perms.len() as f64;
                acc.iter()
                    .zip(&ids)
                    .map(|(a, &id)| a.map(|(s, c, _)| (s / p, c / p, total(id as usize).1 - 1.0)))
                    .collect()
            } else {
                (0..n)
                    .map(|i| {
                        let id = ids[i];
                        if id == u32::MAX {
                            return None;
                        }
                        let f = folds[i];
                        let v = sums.get(id as usize * k..(id as usize + 1) * k).unwrap_or(&[]);
                        let (s, c) = v
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != f)
                            .fold((0.0, 0.0), |a, (_, b)| (a.0 + b.0, a.1 + b.1));
                        Some((s * scale, c * scale, c * scale))
                    })
                    .collect()
            };
            Ok((hist, stats))
        };
        let fitted: Vec<Result<GroupFit, String>> = if threads > 1 && self.groups.len() > 1 {
            let per = self.groups.len().div_ceil(threads);
            std::thread::scope(|s| {
                let fit_group = &fit_group;
                let hs: Vec<_> = self
                    .groups
                    .chunks(per)
                    .map(|gs| s.spawn(move || gs.iter().map(fit_group).collect::<Vec<_>>()))
                    .collect();
                hs.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            })
        } else {
            self.groups.iter().map(fit_group).collect()
        };
        let mut row_hist: Vec<Vec<Option<Hist>>> = Vec::with_capacity(self.groups.len());
        for r in fitted {
            let (hist, stats) = r?;
            enc.stats.push(stats);
            row_hist.push(hist);
        }
        if enc.stats.len() != self.groups.len() {
            return Err("a feature thread failed".into());
        }
        let mut cells: Vec<Cell<'_>> = Vec::with_capacity(cols.len());
        let p = self.plan_inputs();
        if self.uv_available() {
            let mut key = String::new();
            for i in 0..n {
                refill(ds, &cols, i, &mut cells);
                let cells = &cells;
                let luv = Self::log_uv(cells, &p);
                if !luv.is_finite() {
                    continue;
                }
                if let Some(h) = Self::cat(cells, p.hs) {
                    let e = match enc.uv_hs.get_mut(h) {
                        Some(e) => e,
                        None => enc.uv_hs.entry(h.to_string()).or_insert((0.0, 0.0)),
                    };
                    e.0 += luv;
                    e.1 += 1.0;
                    if let Some(o) = Self::cat(cells, p.origin) {
                        key.clear();
                        key.push_str(h);
                        key.push(SEP);
                        key.push_str(o);
                        let e = match enc.uv_hs_origin.get_mut(key.as_str()) {
                            Some(e) => e,
                            None => enc.uv_hs_origin.entry(key.clone()).or_insert((0.0, 0.0)),
                        };
                        e.0 += luv;
                        e.1 += 1.0;
                    }
                }
            }
        }
        let tables = self.code_tables(&enc, ds);
        // Rows a..b, in order.
        let rows_of = |a: usize, b: usize| -> Vec<f64> {
            let mut out = Vec::with_capacity((b - a) * self.len());
            let mut row = Vec::with_capacity(self.len());
            let mut codes = Vec::with_capacity(self.coded.len());
            let mut cells: Vec<Cell<'_>> = Vec::with_capacity(cols.len());
            for i in a..b {
                code_row(&tables, i, &mut codes);
                let history = |gi: usize| row_hist[gi][i];
                refill(ds, &cols, i, &mut cells);
                self.row_with(&enc, &p, &cells, Some(&codes), &history, &mut row);
                out.extend_from_slice(&row);
            }
            out
        };
        let out = if threads > 1 && n >= 2048 {
            let per = n.div_ceil(threads);
            std::thread::scope(|s| {
                let rows_of = &rows_of;
                let hs: Vec<_> = (0..n).step_by(per).map(|a| s.spawn(move || rows_of(a, (a + per).min(n)))).collect();
                let parts: Vec<Vec<f64>> = hs.into_iter().map(|h| h.join().unwrap_or_default()).collect();
                parts.concat()
            })
        } else {
            rows_of(0, n)
        };
        if out.len() != n * self.len() {
            return Err("a feature thread failed".into());
        }
        Ok((enc, out))
    }

    /// Features of a table scored with fitted encoders (history = the training data).
    pub fn transform(&self, enc: &Encoders, ds: &Dataset) -> Result<Vec<f64>, String> {
        let cols = self.resolve(ds)?;
        let p = self.plan_inputs();
        let mut out = Vec::with_capacity(ds.rows * self.len());
        let mut row = Vec::with_capacity(self.len());
        let tables = self.code_tables(enc, ds);
        let mut codes = Vec::with_capacity(self.coded.len());
        let mut cells = Vec::with_capacity(cols.len());
        let index = enc.index.0.get_or_init(|| StatsIndex::build(self, enc));
        let parts = index.row_parts(self, ds)?;
        for i in 0..ds.rows {
            refill(ds, &cols, i, &mut cells);
            code_row(&tables, i, &mut codes);
            let history = |gi: usize| index.history(gi, &parts, i);
            self.row_with(enc, &p, &cells, Some(&codes), &history, &mut row);
            out.extend_from_slice(&row);
        }
        Ok(out)
    }

    /// The text of a row's key of group `g` (as the encoders' statistics are keyed) into `k`; false when
    /// a part is missing.
    pub fn key_text(&self, g: &Group, cells: &[Cell<'_>], k: &mut String) -> bool {
        self.key_into(g, cells, k)
    }

    /// [`FeatureSpec::key`] into a reused buffer; false when a part is missing.
    fn key_into(&self, g: &Group, cells: &[Cell<'_>], k: &mut String) -> bool {
        k.clear();
        for (i, (col, prefix)) in g.parts.iter().enumerate() {
            let v = match self.input_index(col).map(|c| cells[c]) {
                Some(Cell::Cat(Some(v))) => v,
                Some(Cell::Num(x)) => match value_bits(x) {
                    Some(b) => {
                        if i > 0 {
                            k.push(SEP);
                        }
                        use std::fmt::Write as _;
                        let _ = write!(k, "{}", f64::from_bits(b));
                        continue;
                    }
                    None => return false,
                },
                _ => return false,
            };
            if i > 0 {
                k.push(SEP);
            }
            if *prefix > 0 {
                k.extend(v.chars().take(*prefix));
            } else {
                k.push_str(v);
            }
        }
        true
    }

    /// Per coded column, the label code of each level of the table's column (None when the column is
    /// not categorical in the table: looked up as missing).
    fn code_tables<'a>(&self, enc: &Encoders, ds: &'a Dataset) -> Vec<Option<(&'a [u32], Vec<f64>)>> {
        self.coded
            .iter()
            .enumerate()
            .map(|(ci, c)| match ds.column(c).map(|c| &c.data) {
                Some(ColumnData::Categorical { codes, levels }) => Some((
                    codes.as_slice(),
                    levels
                        .iter()
                        .map(|l| enc.codes.get(ci).and_then(|m| m.get(l)).copied().unwrap_or(f64::NAN))
                        .collect(),
                )),
                _ => None,
            })
            .collect()
    }
}

/// The coded columns' label codes of row `i`.
fn code_row(tables: &[Option<(&[u32], Vec<f64>)>], i: usize, out: &mut Vec<f64>) {
    out.clear();
    out.extend(tables.iter().map(|t| match t {
        Some((codes, values)) => values.get(codes[i] as usize).copied().unwrap_or(f64::NAN),
        None => f64::NAN,
    }));
}

/// Input positions a row reads (see [`FeatureSpec::plan_inputs`]).
struct Inputs {
    numeric: Vec<Option<usize>>,
    coded: Vec<Option<usize>>,
    mass: Option<usize>,
    value: Option<usize>,
    quantity: Option<usize>,
    hs: Option<usize>,
    origin: Option<usize>,
    importer_group: Option<usize>,
    importer_hs_group: Option<usize>,
}

/// Replace `out` with the cells of row `i`.
fn refill<'a>(ds: &'a Dataset, cols: &[usize], i: usize, out: &mut Vec<Cell<'a>>) {
    out.clear();
    cells_into(ds, cols, i, out);
}

/// Append the cells of row `i` for resolved input columns.
fn cells_into<'a>(ds: &'a Dataset, cols: &[usize], i: usize, out: &mut Vec<Cell<'a>>) {
    out.extend(cols.iter().map(|&c| match &ds.columns[c].data {
        ColumnData::Numeric(v) => Cell::Num(v[i]),
        ColumnData::Date(v) => Cell::Num(v[i] as f64),
        ColumnData::Categorical { codes, levels } => {
            Cell::Cat(if codes[i] == MISSING { None } else { levels.get(codes[i] as usize).map(|s| s.as_str()) })
        }
    }));
}

/// The cells of row `i` for resolved input columns.
pub fn cells_of<'a>(ds: &'a Dataset, cols: &[usize], i: usize) -> Vec<Cell<'a>> {
    cols.iter()
        .map(|&c| match &ds.columns[c].data {
            ColumnData::Numeric(v) => Cell::Num(v[i]),
            ColumnData::Date(v) => Cell::Num(v[i] as f64),
            ColumnData::Categorical { codes, levels } => {
                Cell::Cat(if codes[i] == MISSING { None } else { levels.get(codes[i] as usize).map(|s| s.as_str()) })
            }
        })
        .collect()
}

/// The identity of a numeric key part: its bits, with −0 taken as 0 (None when missing or infinite).
fn value_bits(x: f64) -> Option<u64> {
    x.is_finite().then(|| (x + 0.0).to_bits())
}

/// Dense ids (first appearance order; `u32::MAX` when a part is missing) of the keys made of `parts`
/// (per-row part ids, up to four), and per id the first row holding it.
fn dense_first(parts: &[&[u32]]) -> (Vec<u32>, Vec<usize>) {
    let n = parts.first().map_or(0, |p| p.len());
    let mut ids = Vec::with_capacity(n);
    let mut first = Vec::new();
    if let [p] = parts {
        // Part ids are already dense (level codes, first-appearance value ids): index, do not hash.
        let mut map: Vec<u32> = Vec::new();
        for (i, &c) in p.iter().enumerate() {
            if c == MISSING {
                ids.push(u32::MAX);
                continue;
            }
            if map.len() <= c as usize {
                map.resize(c as usize + 1, u32::MAX);
            }
            if map[c as usize] == u32::MAX {
                map[c as usize] = first.len() as u32;
                first.push(i);
            }
            ids.push(map[c as usize]);
        }
        return (ids, first);
    }
    let mut map: HashMap<u128, u32, std::hash::BuildHasherDefault<KeyHasher>> = HashMap::default();
    for i in 0..n {
        let mut k = 0u128;
        let mut missing = false;
        for p in parts {
            let c = p[i];
            if c == MISSING {
                missing = true;
                break;
            }
            k = (k << 32) | c as u128;
        }
        if missing || parts.len() > 4 {
            ids.push(u32::MAX);
            continue;
        }
        let next = map.len() as u32;
        let id = *map.entry(k).or_insert(next);
        if id == next {
            first.push(i);
        }
        ids.push(id);
    }
    (ids, first)
}

/// A multiply–xor hasher for the packed part ids of a key (not for untrusted text: the ids are dense
/// indices this crate assigned, so there is nothing to flood).
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        let z = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z ^ (z >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    }
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
}

fn dense(parts: &[&[u32]]) -> Vec<u32> {
    dense_first(parts).0
}

/// Fisher–Yates with the crate's seeded generator.
fn shuffle(v: &mut [usize], seed: u64) {
    let mut r = crate::gbdt::Rng::new(seed);
    for i in (1..v.len()).rev() {
        let j = (r.next_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// Per row, the (label sum, count) of its key among the rows before it in `perm` (None when missing).
fn ordered_history(ids: &[u32], labels: &[f64], perm: &[usize]) -> Vec<Option<(f64, f64)>> {
    let keys = ids.iter().filter(|&&i| i != u32::MAX).max().map_or(0, |&m| m as usize + 1);
    let mut acc = vec![(0.0, 0.0); keys];
    let mut out = vec![None; ids.len()];
    for &i in perm {
        let id = ids[i];
        if id == u32::MAX {
            continue;
        }
        let e = &mut acc[id as usize];
        out[i] = Some(*e);
        e.0 += labels[i];
        e.1 += 1.0;
    }
    out
}

/// How much the ordered statistic of a key lowers the training log-loss per row, against the prior.
fn ordered_gain(ids: &[u32], labels: &[f64], perm: &[usize], prior: f64, a: f64) -> f64 {
    let ll = |p: f64, y: f64| {
        let p = p.clamp(1e-6, 1.0 - 1e-6);
        -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
    };
    let h = ordered_history(ids, labels, perm);
    let mut gain = 0.0;
    for (i, h) in h.iter().enumerate() {
        if let Some((s, c)) = h {
            gain += ll(prior, labels[i]) - ll((s + a * prior) / (c + a), labels[i]);
        }
    }
    gain / ids.len().max(1) as f64
}
