//! Histogram gradient-boosted decision trees.
//!
//! Features are bucketed into at most 255 value bins per feature (quantiles of the training values) plus
//! one bin for missing values. Each tree grows leaf-wise: the leaf whose best split gains most is split
//! next, until `num_leaves` leaves, `max_depth` or no split gains `min_gain`. A split sends missing
//! values to whichever side gains more. Per-leaf histograms of gradient and hessian sums are built for the
//! smaller child only; the larger child's is the parent's minus the smaller's. Histogram building is
//! spread over threads by feature when a leaf is large enough. Row bagging and feature subsampling use
//! a seeded generator, and every reduction happens in a fixed order, so training is deterministic for a
//! seed whatever the thread count.

use serde::{Deserialize, Serialize};

/// The loss being minimised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Binary log-loss; scores are log-odds.
    Binary,
    /// Squared error; scores are the predicted value.
    Regression,
}

/// Training parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub objective: Objective,
    pub num_trees: usize,
    pub learning_rate: f64,
    pub num_leaves: usize,
    /// 0 = unlimited.
    pub max_depth: usize,
    pub min_data_in_leaf: usize,
    pub min_sum_hessian: f64,
    pub lambda_l2: f64,
    pub min_gain: f64,
    /// Share of rows drawn for each tree.
    pub bagging_fraction: f64,
    /// Share of features offered to each tree.
    pub feature_fraction: f64,
    /// At most 255.
    pub max_bins: usize,
    /// Stop when the validation loss has not improved for this many trees (0 = never).
    pub early_stopping_rounds: usize,
    pub seed: u64,
    /// Threads for histogram building (0 = available parallelism).
    pub threads: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            objective: Objective::Binary,
            num_trees: 300,
            learning_rate: 0.05,
            num_leaves: 31,
            max_depth: 0,
            min_data_in_leaf: 20,
            min_sum_hessian: 1e-3,
            lambda_l2: 1.0,
            min_gain: 0.0,
            bagging_fraction: 0.8,
            feature_fraction: 0.8,
            max_bins: 255,
            early_stopping_rounds: 50,
            seed: 2026,
            threads: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    #[error("no training rows")]
    NoRows,
    #[error("no features")]
    NoFeatures,
    #[error("row {row}: label {value} is not 0 or 1 (binary objective)")]
    BadLabel { row: usize, value: f64 },
    #[error("row {row}: label is missing or not finite")]
    MissingLabel { row: usize },
    #[error("parameter {name}: {message}")]
    BadParam { name: &'static str, message: String },
    #[error("feature matrix has {got} values, expected {rows} rows x {features} features")]
    Shape { got: usize, rows: usize, features: usize },
}

/// A dense row-major feature matrix (NaN is missing).
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    pub values: &'a [f64],
    pub rows: usize,
    pub features: usize,
}

impl<'a> Matrix<'a> {
    pub fn new(values: &'a [f64], rows: usize, features: usize) -> Result<Self, TrainError> {
        if values.len() != rows * features {
            return Err(TrainError::Shape { got: values.len(), rows, features });
        }
        Ok(Matrix { values, rows, features })
    }
    #[inline]
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.values[i * self.features..(i + 1) * self.features]
    }
}

/// One split node. Children `>= 0` are node indices (always greater than the parent's), `< 0` are
/// `!leaf_index`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub feature: u32,
    /// Go left when `value <= threshold`.
    pub threshold: f64,
    /// Where missing values go.
    pub default_left: bool,
    pub left: i32,
    pub right: i32,
    pub gain: f64,
    /// Training rows that reached this node (TreeSHAP's cover).
    pub count: f64,
}

/// One regression tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub leaf_values: Vec<f64>,
    pub leaf_counts: Vec<f64>,
}

impl Tree {
    /// Number of splits on the longest root-to-leaf path (0 for a single leaf).
    pub fn depth(&self) -> usize {
        fn go(t: &Tree, c: i32) -> usize {
            if c < 0 {
                0
            } else {
                let n = &t.nodes[c as usize];
                1 + go(t, n.left).max(go(t, n.right))
            }
        }
        if self.nodes.is_empty() { 0 } else { go(self, 0) }
    }

    /// The leaf a row falls in.
    #[inline]
    pub fn leaf(&self, x: &[f64]) -> usize {
        if self.nodes.is_empty() {
            return 0;
        }
        let mut i = 0i32;
        loop {
            let n = &self.nodes[i as usize];
            let v = x[n.feature as usize];
            let left = if n.default_left { !(v > n.threshold) } else { v <= n.threshold };
            i = if left { n.left } else { n.right };
            if i < 0 {
                return !i as usize;
            }
        }
    }

    #[inline]
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.leaf_values[self.leaf(x)]
    }

    /// Structural checks (indices in range, children after parents) so a loaded tree cannot loop or panic.
    pub fn check(&self, features: usize) -> Result<(), String> {
        let nl = self.leaf_values.len();
        if nl == 0 || self.leaf_counts.len() != nl || nl != self.nodes.len() + 1 {
            return Err(format!("{} leaves for {} nodes", nl, self.nodes.len()));
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.feature as usize >= features {
                return Err(format!("node {i}: feature {} of {features}", n.feature));
            }
            for c in [n.left, n.right] {
                let ok = if c >= 0 { (c as usize) > i && (c as usize) < self.nodes.len() } else { (!c as usize) < nl };
                if !ok {
                    return Err(format!("node {i}: child {c} out of range"));
                }
            }
            if n.threshold.is_nan() {
                return Err(format!("node {i}: threshold is not a number"));
            }
        }
        if self.leaf_values.iter().any(|v| !v.is_finite()) {
            return Err("a leaf value is not finite".into());
        }
        Ok(())
    }
}

/// A trained ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booster {
    pub objective: Objective,
    pub features: usize,
    pub init_score: f64,
    pub trees: Vec<Tree>,
    /// Validation loss after each tree (when a validation set was given).
    #[serde(default)]
    pub valid_loss: Vec<f64>,
    #[serde(default)]
    pub best_iteration: usize,
    /// Compiled forms (batch scorer, explainer), built on first use; not stored.
    #[serde(skip)]
    pub(crate) cache: Cache,
}

/// Lazily compiled forms of a booster. Never compared, never stored; a clone starts empty.
#[derive(Default)]
pub(crate) struct Cache {
    forest: std::sync::OnceLock<crate::forest::Forest>,
    explainer: std::sync::OnceLock<crate::shap::Explainer>,
}

impl Clone for Cache {
    fn clone(&self) -> Self {
        Cache::default()
    }
}

impl PartialEq for Cache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cache")
    }
}

impl Booster {
    /// Raw score (log-odds for binary).
    #[inline]
    pub fn predict_raw(&self, x: &[f64]) -> f64 {
        let mut s = self.init_score;
        for t in &self.trees {
            s += t.predict(x);
        }
        s
    }

    /// Fingerprint of the trees, to tell a stale compiled form (trees changed after compiling).
    pub(crate) fn key(&self) -> (usize, u64) {
        (self.trees.len(), self.init_score.to_bits())
    }

    /// The booster compiled for batch scoring (built once, on first use).
    pub fn forest(&self) -> std::borrow::Cow<'_, crate::forest::Forest> {
        let f = self.cache.forest.get_or_init(|| crate::forest::Forest::new(self));
        if f.key == self.key() {
            std::borrow::Cow::Borrowed(f)
        } else {
            std::borrow::Cow::Owned(crate::forest::Forest::new(self))
        }
    }

    /// The booster compiled for explanations (built once, on first use).
    pub fn explainer(&self) -> std::borrow::Cow<'_, crate::shap::Explainer> {
        let e = self.cache.explainer.get_or_init(|| crate::shap::Explainer::new(self));
        if e.key == self.key() {
            std::borrow::Cow::Borrowed(e)
        } else {
            std::borrow::Cow::Owned(crate::shap::Explainer::new(self))
        }
    }

    /// Raw scores of many rows through the compiled forest ([`crate::forest`]); equal, bit for bit, to
    /// [`Booster::predict_raw`] of each row.
    pub fn predict_raw_batch(&self, m: Matrix<'_>, out: &mut Vec<f64>) {
        self.forest().predict_raw_batch(self, m, out);
    }

    /// Probability (binary) or value (regression).
    pub fn predict(&self, x: &[f64]) -> f64 {
        let r = self.predict_raw(x);
        match self.objective {
            Objective::Binary => sigmoid(r),
            Objective::Regression => r,
        }
    }

    pub fn check(&self) -> Result<(), String> {
        if !self.init_score.is_finite() {
            return Err("init_score is not finite".into());
        }
        for (i, t) in self.trees.iter().enumerate() {
            t.check(self.features).map_err(|e| format!("tree {i}: {e}"))?;
        }
        Ok(())
    }
}

#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
}

/// Bin boundaries of one feature: bin `b` holds values `<= upper[b]` (and above `upper[b-1]`); the last
/// value bin holds values above every bound; bin `upper.len() + 1` holds missing values.
#[derive(Debug, Clone)]
struct BinMapper {
    upper: Vec<f64>,
}

impl BinMapper {
    fn fit(values: &mut Vec<f64>, max_bins: usize) -> BinMapper {
        values.retain(|v| !v.is_nan());
        values.sort_by(|a, b| a.total_cmp(b));
        let mut distinct: Vec<(f64, usize)> = Vec::new();
        for &v in values.iter() {
            match distinct.last_mut() {
                Some((d, c)) if *d == v => *c += 1,
                _ => distinct.push((v, 1)),
            }
        }
        let mut upper = Vec::new();
        if distinct.len() <= max_bins {
            for w in distinct.windows(2) {
                upper.push(midpoint(w[0].0, w[1].0));
            }
        } else {
            // Equal-count cuts over the sorted values, at boundaries between distinct values.
            let n = values.len();
            let per = n as f64 / max_bins as f64;
            let mut acc = 0usize;
            let mut next_cut = per;
            for w in distinct.windows(2) {
                acc += w[0].1;
                if acc as f64 >= next_cut && upper.len() + 1 < max_bins {
                    upper.push(midpoint(w[0].0, w[1].0));
                    while next_cut <= acc as f64 {
                        next_cut += per;
                    }
                }
            }
        }
        BinMapper { upper }
    }

    #[inline]
    fn bin(&self, v: f64) -> u8 {
        if v.is_nan() { (self.upper.len() + 1) as u8 } else { self.upper.partition_point(|&b| b < v) as u8 }
    }

    /// Value bins + the missing bin.
    fn bins(&self) -> usize {
        self.upper.len() + 2
    }
}

fn midpoint(a: f64, b: f64) -> f64 {
    let m = a + (b - a) / 2.0;
    if m >= b { a } else { m }
}

#[derive(Debug, Clone, Copy, Default)]
struct Bin {
    g: f64,
    h: f64,
    c: u32,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    feature: usize,
    bin: usize,
    default_left: bool,
    gain: f64,
    left_g: f64,
    left_h: f64,
    left_c: u32,
}

struct LeafState {
    start: usize,
    end: usize,
    hist: Vec<Bin>,
    g: f64,
    h: f64,
    depth: usize,
    best: Option<Split>,
    /// Node whose child pointer refers to this leaf, and which side.
    parent: Option<(usize, bool)>,
}

/// Binned training data, feature-major.
struct Binned {
    /// Feature-major (column `f` is `bins[f * rows..]`): for partitioning a leaf by one feature.
    bins: Vec<u8>,
    /// Row-major (row `r` is `row_bins[r * features..]`): for histograms, every feature of a row at once.
    row_bins: Vec<u8>,
    rows: usize,
    mappers: Vec<BinMapper>,
    offsets: Vec<usize>,
    total_bins: usize,
}

impl Binned {
    fn new(m: Matrix<'_>, max_bins: usize, threads: usize) -> Binned {
        let nf = m.features;
        let n = m.rows;
        let mut bins = vec![0u8; nf * n];
        // Features f0.. whose feature-major bins are `out`: columns are gathered 8 at a time (one pass
        // over the row-major matrix per 8 features), then each is sorted for its bounds and binned.
        let fit_range = |f0: usize, out: &mut [u8]| -> Vec<BinMapper> {
            let f1 = f0 + out.len() / n.max(1);
            let mut mappers = Vec::with_capacity(f1 - f0);
            let mut buf = vec![0.0f64; 8 * n];
            let mut sorted: Vec<f64> = Vec::with_capacity(n);
            for c0 in (f0..f1).step_by(8) {
                let c1 = (c0 + 8).min(f1);
                for i in 0..n {
                    for (j, &v) in m.values[i * nf + c0..i * nf + c1].iter().enumerate() {
                        buf[j * n + i] = v;
                    }
                }
                for j in 0..c1 - c0 {
                    let col = &buf[j * n..(j + 1) * n];
                    sorted.clear();
                    sorted.extend_from_slice(col);
                    let mapper = BinMapper::fit(&mut sorted, max_bins);
                    let f = c0 + j - f0;
                    for (d, &v) in out[f * n..(f + 1) * n].iter_mut().zip(col) {
                        *d = mapper.bin(v);
                    }
                    mappers.push(mapper);
                }
            }
            mappers
        };
        let mappers: Vec<BinMapper> = if threads > 1 && nf > 1 && n > 0 {
            let chunk = nf.div_ceil(threads);
            std::thread::scope(|s| {
                let fit_range = &fit_range;
                let hs: Vec<_> = bins
                    .chunks_mut(chunk * n)
                    .enumerate()
                    .map(|(k, out)| s.spawn(move || fit_range(k * chunk, out)))
                    .collect();
                hs.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            })
        } else {
            fit_range(0, &mut bins)
        };
        let mut offsets = Vec::with_capacity(nf + 1);
        let mut total = 0;
        for mp in &mappers {
            offsets.push(total);
            total += mp.bins();
        }
        offsets.push(total);
        let mut row_bins = vec![0u8; bins.len()];
        for f in 0..nf {
            for (r, &b) in bins[f * m.rows..(f + 1) * m.rows].iter().enumerate() {
                row_bins[r * nf + f] = b;
            }
        }
        Binned { bins, row_bins, rows: m.rows, mappers, offsets, total_bins: total }
    }

    #[inline]
    fn get(&self, f: usize, r: usize) -> u8 {
        self.bins[f * self.rows + r]
    }
}

/// Train an ensemble on `train` (labels `y`), stopping early on `valid` when given.
pub fn train(
    params: &Params,
    train: Matrix<'_>,
    y: &[f64],
    valid: Option<(Matrix<'_>, &[f64])>,
) -> Result<Booster, TrainError> {
    check_params(params)?;
    let n = train.rows;
    if n == 0 || y.len() != n {
        return Err(TrainError::NoRows);
    }
    if train.features == 0 {
        return Err(TrainError::NoFeatures);
    }
    for (row, &v) in y.iter().enumerate() {
        if !v.is_finite() {
            return Err(TrainError::MissingLabel { row });
        }
        if params.objective == Objective::Binary && v != 0.0 && v != 1.0 {
            return Err(TrainError::BadLabel { row, value: v });
        }
    }
    let threads = if params.threads == 0 {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    } else {
        params.threads
    };
    let data = Binned::new(train, params.max_bins.min(255), threads);
    let nf = train.features;
    let mean = y.iter().sum::<f64>() / n as f64;
    let init_score = match params.objective {
        Objective::Binary => {
            let p = mean.clamp(1e-6, 1.0 - 1e-6);
            (p / (1.0 - p)).ln()
        }
        Objective::Regression => mean,
    };
    let mut booster =
        Booster {
            objective: params.objective,
            features: nf,
            init_score,
            trees: Vec::new(),
            valid_loss: vec![],
            best_iteration: 0,
            cache: Cache::default(),
        };
    let mut score = vec![init_score; n];
    let mut grad = vec![0.0; n];
    let mut hess = vec![0.0; n];
    let mut rng = Rng::new(params.seed);
    let mut vscore: Vec<f64> = valid.map(|(m, _)| vec![init_score; m.rows]).unwrap_or_default();
    let mut best_loss = f64::INFINITY;
    let mut best_iter = 0usize;
    let mut indices: Vec<u32> = Vec::with_capacity(n);
    let mut scratch: Vec<u32> = Vec::with_capacity(n);
    let mut pool: Vec<Vec<Bin>> = Vec::new();
    let mut gh: Vec<(f64, f64)> = Vec::with_capacity(n);
    let mut in_bag: Vec<bool> = Vec::with_capacity(n);
    if let Some((vm, vy)) = valid
        && (vm.features != nf || vy.len() != vm.rows)
    {
        return Err(TrainError::Shape { got: vm.values.len(), rows: vy.len(), features: nf });
    }
    let vbins: Vec<u8> = match valid {
        Some((vm, _)) => {
            let mut b = vec![0u8; vm.rows * nf];
            for f in 0..nf {
                for r in 0..vm.rows {
                    b[f * vm.rows + r] = data.mappers[f].bin(vm.values[r * nf + f]);
                }
            }
            b
        }
        None => Vec::new(),
    };
    for iter in 0..params.num_trees {
        for i in 0..n {
            let (g, h) = grad_hess(params.objective, score[i], y[i]);
            grad[i] = g;
            hess[i] = h;
        }
        indices.clear();
        if params.bagging_fraction < 1.0 {
            for i in 0..n {
                if rng.unit() < params.bagging_fraction {
                    indices.push(i as u32);
                }
            }
            if indices.is_empty() {
                indices.extend(0..n as u32);
            }
        } else {
            indices.extend(0..n as u32);
        }
        let mut feats: Vec<usize> = (0..nf).filter(|_| rng.unit() < params.feature_fraction).collect();
        if feats.is_empty() {
            feats.push(rng.below(nf));
        }
        let tree =
            grow_tree(params, &data, &grad, &hess, &mut indices, &mut scratch, &feats, threads, &mut pool, &mut gh);
        // Update training scores: rows in the bag through the leaf the partition put them in, the others
        // through the binned tree.
        in_bag.clear();
        in_bag.resize(n, false);
        for (li, &(a, b)) in tree.leaf_ranges.iter().enumerate() {
            let v = tree.leaf_values[li];
            for &r in &indices[a..b] {
                score[r as usize] += v;
                in_bag[r as usize] = true;
            }
        }
        for (r, s) in score.iter_mut().enumerate() {
            if !in_bag[r] {
                *s += tree.predict_binned(&data, r);
            }
        }
        if let Some((vm, vy)) = valid {
            // The validation rows binned with the training bounds: `v <= upper[b]` exactly when
            // `bin(v) <= b`, so this is the stored tree's value, from a feature-major byte matrix that
            // stays in cache.
            for (r, s) in vscore.iter_mut().enumerate() {
                *s += tree.predict_bins(&data.mappers, &vbins, vm.rows, r);
            }
            let mut loss = 0.0;
            for (i, s) in vscore.iter().enumerate() {
                loss += point_loss(params.objective, *s, vy[i]);
            }
            loss /= vm.rows.max(1) as f64;
            let tree = tree.into_tree(&data);
            booster.valid_loss.push(loss);
            booster.trees.push(tree);
            if loss < best_loss - 1e-12 {
                best_loss = loss;
                best_iter = iter + 1;
            } else if params.early_stopping_rounds > 0 && iter + 1 - best_iter >= params.early_stopping_rounds {
                break;
            }
        } else {
            booster.trees.push(tree.into_tree(&data));
            best_iter = iter + 1;
        }
    }
    booster.trees.truncate(best_iter.max(1).min(booster.trees.len()));
    booster.best_iteration = booster.trees.len();
    Ok(booster)
}

fn check_params(p: &Params) -> Result<(), TrainError> {
    let bad = |name, message: &str| Err(TrainError::BadParam { name, message: message.to_string() });
    if !(p.learning_rate > 0.0 && p.learning_rate.is_finite()) {
        return bad("learning_rate", "must be > 0");
    }
    if p.num_leaves < 2 {
        return bad("num_leaves", "must be >= 2");
    }
    if !(p.bagging_fraction > 0.0 && p.bagging_fraction <= 1.0) {
        return bad("bagging_fraction", "must be in (0, 1]");
    }
    if !(p.feature_fraction > 0.0 && p.feature_fraction <= 1.0) {
        return bad("feature_fraction", "must be in (0, 1]");
    }
    if p.max_bins < 2 {
        return bad("max_bins", "must be >= 2");
    }
    if !(p.lambda_l2 >= 0.0) {
        return bad("lambda_l2", "must be >= 0");
    }
    Ok(())
}

#[inline]
fn grad_hess(obj: Objective, s: f64, y: f64) -> (f64, f64) {
    match obj {
        Objective::Binary => {
            let p = sigmoid(s);
            (p - y, (p * (1.0 - p)).max(1e-16))
        }
        Objective::Regression => (s - y, 1.0),
    }
}

/// Mean loss of scores against labels.
pub fn point_loss(obj: Objective, s: f64, y: f64) -> f64 {
    match obj {
        Objective::Binary => {
            // log(1 + e^s) - y s, stable
            let l = if s > 0.0 { s + (-s).exp().ln_1p() } else { s.exp().ln_1p() };
            l - y * s
        }
        Objective::Regression => (s - y) * (s - y),
    }
}

/// A tree under construction, with bin thresholds.
struct BinTree {
    nodes: Vec<(usize, usize, bool, i32, i32, f64, f64)>, // feature, bin, default_left, left, right, gain, count
    leaf_values: Vec<f64>,
    leaf_counts: Vec<f64>,
    /// Each leaf's rows: `indices[start..end]` after growing.
    leaf_ranges: Vec<(usize, usize)>,
}

impl BinTree {
    fn predict_binned(&self, d: &Binned, r: usize) -> f64 {
        self.predict_bins(&d.mappers, &d.bins, d.rows, r)
    }

    /// Value of row `r` of feature-major bins `bins` (`rows` rows) binned with `mappers`.
    fn predict_bins(&self, mappers: &[BinMapper], bins: &[u8], rows: usize, r: usize) -> f64 {
        if self.nodes.is_empty() {
            return self.leaf_values[0];
        }
        let mut i = 0i32;
        loop {
            let (f, b, dl, l, rr, _, _) = self.nodes[i as usize];
            let bin = bins[f * rows + r] as usize;
            let missing = bin == mappers[f].bins() - 1;
            let left = if missing { dl } else { bin <= b };
            i = if left { l } else { rr };
            if i < 0 {
                return self.leaf_values[!i as usize];
            }
        }
    }

    fn into_tree(self, d: &Binned) -> Tree {
        Tree {
            nodes: self
                .nodes
                .into_iter()
                .map(|(f, b, dl, l, r, gain, count)| {
                    let up = &d.mappers[f].upper;
                    // bin b holds values <= upper[b]; b == up.len() would send everything left (never chosen).
                    let threshold = up.get(b).copied().unwrap_or(f64::MAX);
                    Node { feature: f as u32, threshold, default_left: dl, left: l, right: r, gain, count }
                })
                .collect(),
            leaf_values: self.leaf_values,
            leaf_counts: self.leaf_counts,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn grow_tree(
    p: &Params,
    d: &Binned,
    grad: &[f64],
    hess: &[f64],
    indices: &mut [u32],
    scratch: &mut Vec<u32>,
    feats: &[usize],
    threads: usize,
    pool: &mut Vec<Vec<Bin>>,
    gh: &mut Vec<(f64, f64)>,
) -> BinTree {
    let mut root = LeafState {
        start: 0,
        end: indices.len(),
        hist: take_hist(pool, d.total_bins),
        g: 0.0,
        h: 0.0,
        depth: 0,
        best: None,
        parent: None,
    };
    build_hist(d, grad, hess, indices, feats, &mut root.hist, threads, gh);
    for &r in indices.iter() {
        root.g += grad[r as usize];
        root.h += hess[r as usize];
    }
    root.best = best_split(p, d, &root, feats);
    let mut leaves = vec![root];
    let mut tree = BinTree { nodes: Vec::new(), leaf_values: Vec::new(), leaf_counts: Vec::new(), leaf_ranges: Vec::new() };
    while leaves.len() < p.num_leaves {
        // The leaf with the largest gain (first on ties, so deterministic).
        let mut pick: Option<(usize, f64)> = None;
        for (i, l) in leaves.iter().enumerate() {
            if let Some(s) = l.best
                && s.gain > p.min_gain
                && pick.is_none_or(|(_, g)| s.gain > g)
            {
                pick = Some((i, s.gain));
            }
        }
        let Some((li, _)) = pick else { break };
        let split = leaves[li].best.take().unwrap_or(Split {
            feature: 0,
            bin: 0,
            default_left: false,
            gain: 0.0,
            left_g: 0.0,
            left_h: 0.0,
            left_c: 0,
        });
        let (start, end) = (leaves[li].start, leaves[li].end);
        // Stable partition of the leaf's rows.
        let missing_bin = d.mappers[split.feature].bins() - 1;
        // Each row is written to both sides and only the matching cursor moves (no unpredictable branch).
        scratch.clear();
        scratch.resize(end - start, 0);
        let mut w = start;
        let mut k2 = 0;
        for k in start..end {
            let r = indices[k];
            let b = d.get(split.feature, r as usize) as usize;
            let left = if b == missing_bin { split.default_left } else { b <= split.bin };
            indices[w] = r;
            scratch[k2] = r;
            w += left as usize;
            k2 += (!left) as usize;
        }
        indices[w..end].copy_from_slice(&scratch[..k2]);
        let mid = w;
        let node_idx = tree.nodes.len();
        let count = (end - start) as f64;
        tree.nodes.push((split.feature, split.bin, split.default_left, !(li as i32), !(leaves.len() as i32), split.gain, count));
        if let Some((pn, is_left)) = leaves[li].parent {
            if is_left {
                tree.nodes[pn].3 = node_idx as i32;
            } else {
                tree.nodes[pn].4 = node_idx as i32;
            }
        }
        let depth = leaves[li].depth + 1;
        let parent_g = leaves[li].g;
        let parent_h = leaves[li].h;
        let mut left = LeafState {
            start,
            end: mid,
            hist: Vec::new(),
            g: split.left_g,
            h: split.left_h,
            depth,
            best: None,
            parent: Some((node_idx, true)),
        };
        let mut right = LeafState {
            start: mid,
            end,
            hist: Vec::new(),
            g: parent_g - split.left_g,
            h: parent_h - split.left_h,
            depth,
            best: None,
            parent: Some((node_idx, false)),
        };
        let parent_hist = std::mem::take(&mut leaves[li].hist);
        let can_split_more = p.max_depth == 0 || depth < p.max_depth;
        let min_rows = 2 * p.min_data_in_leaf.max(1);
        if can_split_more && (left.end - left.start >= min_rows || right.end - right.start >= min_rows) {
            let (small, large) =
                if left.end - left.start <= right.end - right.start { (&mut left, &mut right) } else { (&mut right, &mut left) };
            let mut sh = take_hist(pool, d.total_bins);
            build_hist(d, grad, hess, &indices[small.start..small.end], feats, &mut sh, threads, gh);
            let mut lh = parent_hist;
            for &f in feats {
                for b in d.offsets[f]..d.offsets[f + 1] {
                    lh[b].g -= sh[b].g;
                    lh[b].h -= sh[b].h;
                    lh[b].c -= sh[b].c;
                }
            }
            small.hist = sh;
            large.hist = lh;
            left.best = best_split(p, d, &left, feats);
            right.best = best_split(p, d, &right, feats);
        } else if !parent_hist.is_empty() {
            pool.push(parent_hist);
        }
        leaves[li] = left;
        leaves.push(right);
    }
    for l in &mut leaves {
        let h = std::mem::take(&mut l.hist);
        if !h.is_empty() {
            pool.push(h);
        }
    }
    for l in &leaves {
        let v = -l.g / (l.h + p.lambda_l2) * p.learning_rate;
        tree.leaf_values.push(if v.is_finite() { v } else { 0.0 });
        tree.leaf_counts.push((l.end - l.start) as f64);
        tree.leaf_ranges.push((l.start, l.end));
    }
    tree
}

/// A zeroed histogram, from the pool when one is free.
fn take_hist(pool: &mut Vec<Vec<Bin>>, len: usize) -> Vec<Bin> {
    match pool.pop() {
        Some(mut h) => {
            h.clear();
            h.resize(len, Bin::default());
            h
        }
        None => vec![Bin::default(); len],
    }
}

/// Histograms of `rows` for the features `feats`, row by row over the row-major bins (every feature of a
/// row from one place; consecutive updates hit different features, so they do not wait on each other).
/// The rows' gradients are first gathered in order (`gh`). With threads, each thread takes a contiguous
/// range of the features and a disjoint slice of the histogram; every bin still sums its rows in row
/// order, so the result does not depend on the thread count.
#[allow(clippy::too_many_arguments)]
fn build_hist(
    d: &Binned,
    grad: &[f64],
    hess: &[f64],
    rows: &[u32],
    feats: &[usize],
    hist: &mut [Bin],
    threads: usize,
    gh: &mut Vec<(f64, f64)>,
) {
    let nf = d.mappers.len();
    gh.clear();
    gh.extend(rows.iter().map(|&r| (grad[r as usize], hess[r as usize])));
    let gh: &[(f64, f64)] = gh;
    // (feature, histogram offset relative to `base`) for a run of features.
    let one = |fs: &[(usize, usize)], h: &mut [Bin]| {
        for (&r, &(g, hs)) in rows.iter().zip(gh) {
            let row = &d.row_bins[r as usize * nf..(r as usize + 1) * nf];
            for &(f, off) in fs {
                let b = &mut h[off + row[f] as usize];
                b.g += g;
                b.h += hs;
                b.c += 1;
            }
        }
    };
    let work = rows.len() * feats.len();
    if threads <= 1 || work < 1_000_000 || feats.len() < 2 {
        let fs: Vec<(usize, usize)> = feats.iter().map(|&f| (f, d.offsets[f])).collect();
        one(&fs, hist);
        return;
    }
    // The selected features (ascending) in `threads` contiguous runs of equal length, each over its own
    // slice of the histogram; the last run on this thread.
    let per = feats.len().div_ceil(threads);
    std::thread::scope(|s| {
        let mut rest = hist;
        let mut consumed = 0;
        let runs: Vec<&[usize]> = feats.chunks(per).collect();
        for (k, run) in runs.iter().enumerate() {
            let (f0, f1) = (run[0], run[run.len() - 1] + 1);
            let (_, tail) = rest.split_at_mut(d.offsets[f0] - consumed);
            let (mine, tail) = tail.split_at_mut(d.offsets[f1] - d.offsets[f0]);
            rest = tail;
            consumed = d.offsets[f1];
            let base = d.offsets[f0];
            let fs: Vec<(usize, usize)> = run.iter().map(|&f| (f, d.offsets[f] - base)).collect();
            if k + 1 == runs.len() {
                one(&fs, mine);
            } else {
                let one = &one;
                s.spawn(move || one(&fs, mine));
            }
        }
    });
}

fn best_split(p: &Params, d: &Binned, leaf: &LeafState, feats: &[usize]) -> Option<Split> {
    let total_c = (leaf.end - leaf.start) as u32;
    if (total_c as usize) < 2 * p.min_data_in_leaf.max(1) || leaf.hist.is_empty() {
        return None;
    }
    let lambda = p.lambda_l2;
    let score = |g: f64, h: f64| g * g / (h + lambda);
    let parent = score(leaf.g, leaf.h);
    let mut best: Option<Split> = None;
    let min_c = p.min_data_in_leaf as u32;
    for &f in feats {
        let h = &leaf.hist[d.offsets[f]..d.offsets[f + 1]];
        let nb = h.len() - 1; // value bins
        let m = h[nb];
        if nb < 2 {
            continue;
        }
        let (mut ag, mut ah, mut ac) = (0.0, 0.0, 0u32);
        for b in 0..nb - 1 {
            ag += h[b].g;
            ah += h[b].h;
            ac += h[b].c;
            if h[b].c == 0 && b > 0 {
                continue;
            }
            for missing_left in [false, true] {
                if missing_left && m.c == 0 {
                    continue;
                }
                let (lg, lh, lc) = if missing_left { (ag + m.g, ah + m.h, ac + m.c) } else { (ag, ah, ac) };
                let (rg, rh, rc) = (leaf.g - lg, leaf.h - lh, total_c.saturating_sub(lc));
                if lc < min_c || rc < min_c || lh < p.min_sum_hessian || rh < p.min_sum_hessian {
                    continue;
                }
                let gain = score(lg, lh) + score(rg, rh) - parent;
                if gain.is_finite() && best.is_none_or(|s| gain > s.gain) {
                    best = Some(Split {
                        feature: f,
                        bin: b,
                        default_left: missing_left,
                        gain,
                        left_g: lg,
                        left_h: lh,
                        left_c: lc,
                    });
                }
            }
        }
    }
    let _ = best.map(|s| s.left_c);
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params { threads: 1, bagging_fraction: 1.0, feature_fraction: 1.0, min_data_in_leaf: 1, ..Params::default() }
    }

    #[test]
    fn one_split_exact() {
        // y = 1 when x > 2: a single stump separates it; leaf values follow -G/(H+lambda).
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [0.0, 0.0, 0.0, 5.0, 5.0, 5.0];
        let p = Params {
            objective: Objective::Regression,
            num_trees: 1,
            learning_rate: 1.0,
            num_leaves: 2,
            lambda_l2: 0.0,
            early_stopping_rounds: 0,
            ..params()
        };
        let b = train(&p, Matrix::new(&x, 6, 1).unwrap(), &y, None).unwrap();
        assert_eq!(b.trees.len(), 1);
        let t = &b.trees[0];
        assert_eq!(t.nodes.len(), 1);
        assert_eq!(t.nodes[0].threshold, 2.5);
        for (xi, yi) in x.iter().zip(y) {
            assert!((b.predict_raw(&[*xi]) - yi).abs() < 1e-12);
        }
    }

    #[test]
    fn learns_xor_with_missing() {
        // Label is x0 xor x1; missing x0 counts as 1.
        let mut rng = Rng::new(7);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..2000 {
            let a = rng.below(2) as f64;
            let b = rng.below(2) as f64;
            let a_in = if a == 1.0 && rng.unit() < 0.5 { f64::NAN } else { a };
            x.extend([a_in, b, rng.unit()]);
            y.push(if (a == 1.0) ^ (b == 1.0) { 1.0 } else { 0.0 });
        }
        let p = Params { num_trees: 50, learning_rate: 0.3, num_leaves: 4, early_stopping_rounds: 0, ..params() };
        let m = Matrix::new(&x, 2000, 3).unwrap();
        let b = train(&p, m, &y, None).unwrap();
        let correct = (0..2000).filter(|&i| (b.predict(m.row(i)) > 0.5) == (y[i] == 1.0)).count();
        assert_eq!(correct, 2000);
    }

    #[test]
    fn deterministic_for_a_seed_and_thread_count() {
        let mut rng = Rng::new(1);
        let x: Vec<f64> = (0..3000 * 8).map(|_| rng.unit()).collect();
        let y: Vec<f64> = (0..3000).map(|i| if x[i * 8] + x[i * 8 + 1] > 1.0 { 1.0 } else { 0.0 }).collect();
        let m = Matrix::new(&x, 3000, 8).unwrap();
        let base = Params { num_trees: 20, early_stopping_rounds: 0, ..Params::default() };
        let a = train(&Params { threads: 1, ..base.clone() }, m, &y, None).unwrap();
        let b = train(&Params { threads: 4, ..base.clone() }, m, &y, None).unwrap();
        assert_eq!(a, b);
        let c = train(&Params { seed: 99, threads: 1, ..base }, m, &y, None).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn early_stopping_truncates() {
        let mut rng = Rng::new(3);
        let x: Vec<f64> = (0..400).map(|_| rng.unit()).collect();
        let y: Vec<f64> = (0..400).map(|_| if rng.unit() < 0.5 { 1.0 } else { 0.0 }).collect(); // pure noise
        let m = Matrix::new(&x[..200], 200, 1).unwrap();
        let v = Matrix::new(&x[200..], 200, 1).unwrap();
        let p = Params { num_trees: 200, early_stopping_rounds: 10, ..params() };
        let b = train(&p, m, &y[..200], Some((v, &y[200..]))).unwrap();
        assert!(b.trees.len() < 50, "{}", b.trees.len());
    }

    #[test]
    fn rejects_bad_labels() {
        let m = Matrix::new(&[1.0, 2.0], 2, 1).unwrap();
        assert_eq!(train(&params(), m, &[0.0, 2.0], None).unwrap_err(), TrainError::BadLabel { row: 1, value: 2.0 });
    }
}
