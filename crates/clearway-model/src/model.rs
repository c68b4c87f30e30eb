//! The model file: a versioned JSON document holding everything needed to score and explain a row —
//! the input schema, the feature plan and fitted encoders, the trees, the calibration, the training
//! parameters, hashes of the training and validation data, and the validation metrics.

use crate::calibrate::Platt;
use crate::data::{ColumnData, ColumnType, DataError, Dataset};
use crate::features::{Cell, Encoders, FeatureSpec, Statistics, cells_of};
use crate::gbdt::{self, Booster, Matrix, Params, TrainError};
use crate::metrics::{self, Report};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "clearway-model";
/// Version 2 adds the statistics plan (ordered statistics, exact-value keys, combinations) and the
/// record of statistics updates; version 1 files are read as the legacy plan they were trained with.
pub const VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("label column {column:?} is not in the data (columns: {available})")]
    MissingLabel { column: String, available: String },
    #[error("label column {column:?}: {message}")]
    BadLabel { column: String, message: String },
    #[error("column {column:?} (needed by the model) is not in the data")]
    MissingColumn { column: String },
    #[error("column {column:?} is {found:?} in the data but the model was trained on it as {expected:?}")]
    WrongType { column: String, expected: ColumnType, found: ColumnType },
    #[error("--drop {column:?}: no such column")]
    UnknownDrop { column: String },
    #[error("not a Clearway model file: {0}")]
    NotAModel(String),
    #[error("model file version {found} is not supported (this build reads versions 1 to {VERSION})")]
    Version { found: u64 },
    #[error("corrupted model file: {0}")]
    Corrupt(String),
    #[error("no features to learn from (every column is the label, dropped, an id or a date)")]
    NoFeatures,
    #[error("row {0} is out of range")]
    NoSuchRow(String),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Data(#[from] DataError),
}

/// How to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub label: String,
    pub drop: Vec<String>,
    /// Row identifier column (detected when absent: a unique column whose name ends in "id").
    pub id_column: Option<String>,
    pub params: Params,
    /// Pseudo-count `m` of the smoothed rates (the prior's weight).
    pub smoothing: f64,
    /// Folds for the out-of-fold rates of training rows.
    pub folds: usize,
    /// Which keys get statistics and how training rows' statistics are computed.
    pub statistics: Statistics,
}

impl TrainOptions {
    pub fn new(label: &str) -> Self {
        TrainOptions {
            label: label.to_string(),
            drop: vec![],
            id_column: None,
            params: default_params(),
            smoothing: 1.0,
            folds: 5,
            statistics: Statistics::ordered(),
        }
    }

    /// The options of before ordered statistics: out-of-fold rates with `m` = 20 over every categorical
    /// column, HS-2/HS-4 and seven fixed entity pairs. Gives the same model, bit for bit.
    pub fn legacy(label: &str) -> Self {
        TrainOptions { smoothing: 20.0, statistics: Statistics::legacy(), ..TrainOptions::new(label) }
    }
}

/// Clearway's default boosting parameters (chosen for quality at the speed targets; see docs/model.md).
pub fn default_params() -> Params {
    Params {
        num_trees: 150,
        learning_rate: 0.2,
        num_leaves: 12,
        max_depth: 4,
        min_data_in_leaf: 20,
        lambda_l2: 1.0,
        bagging_fraction: 0.8,
        feature_fraction: 0.8,
        early_stopping_rounds: 30,
        ..Params::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub rows: usize,
    pub positives: usize,
    /// BLAKE3 of the training data bytes, when the caller gave them.
    pub data_hash: Option<String>,
    pub valid_rows: usize,
    pub valid_hash: Option<String>,
    pub trees: usize,
}

/// A trained model, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: String,
    pub version: u32,
    /// The library that wrote it.
    pub writer: String,
    pub label: String,
    pub id_column: Option<String>,
    pub date_column: Option<String>,
    pub revenue_column: Option<String>,
    pub spec: FeatureSpec,
    pub encoders: Encoders,
    pub booster: Booster,
    pub calibration: Platt,
    /// Expected raw score (the base of the contributions).
    pub expected_value: f64,
    pub params: Params,
    pub options: TrainOptionsRecord,
    pub training: TrainingInfo,
    /// Metrics on the validation set (None when trained without one).
    pub validation: Option<Report>,
    /// Labelled rows added to the key statistics since training ([`Model::update_statistics`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updates: Option<StatsUpdates>,
}

/// The record of statistics updates: how many labelled rows were added after training, and a BLAKE3
/// chain over them (each row's inputs and label), so a decision's configuration hash (the model's digest)
/// names the statistics it was scored with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsUpdates {
    pub rows: usize,
    pub positives: usize,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptionsRecord {
    pub drop: Vec<String>,
    pub smoothing: f64,
    pub folds: usize,
}

/// One row's explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub row: usize,
    pub id: Option<String>,
    pub raw_score: f64,
    pub probability: f64,
    pub expected_value: f64,
    /// (feature, its value, contribution to the log-odds), largest magnitude first.
    pub contributions: Vec<Contribution>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub feature: String,
    pub value: Option<f64>,
    pub contribution: f64,
}

/// BLAKE3 of bytes, hex.
pub fn hash_bytes(b: &[u8]) -> String {
    blake3::hash(b).to_hex().to_string()
}

pub(crate) fn labels_of_impl(ds: &Dataset, label: &str) -> Result<Vec<f64>, ModelError> {
    let col = ds.column(label).ok_or_else(|| ModelError::MissingLabel {
        column: label.to_string(),
        available: ds.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "),
    })?;
    let mut out = Vec::with_capacity(ds.rows);
    for i in 0..ds.rows {
        let v = match &col.data {
            ColumnData::Numeric(v) => v[i],
            ColumnData::Categorical { .. } => match col.data.category(i) {
                Some("1") | Some("true") | Some("yes") | Some("Y") => 1.0,
                Some("0") | Some("false") | Some("no") | Some("N") => 0.0,
                _ => f64::NAN,
            },
            ColumnData::Date(_) => f64::NAN,
        };
        if v != 0.0 && v != 1.0 {
            return Err(ModelError::BadLabel {
                column: label.to_string(),
                message: format!("data row {} has {:?}; labels must be 0 or 1", i + 1, col.data.text(i)),
            });
        }
        out.push(v);
    }
    Ok(out)
}

impl Model {
    /// 0/1 labels of a column (error names the column and row).
    pub fn labels_of(ds: &Dataset, label: &str) -> Result<Vec<f64>, ModelError> {
        labels_of_impl(ds, label)
    }

    /// Train on `train`, early-stopping and calibrating on `valid` when given.
    pub fn train(
        train: &Dataset,
        train_hash: Option<String>,
        valid: Option<(&Dataset, Option<String>)>,
        opts: &TrainOptions,
    ) -> Result<Model, ModelError> {
        let y = labels_of_impl(train, &opts.label)?;
        for d in &opts.drop {
            if train.index(d).is_none() {
                return Err(ModelError::UnknownDrop { column: d.clone() });
            }
        }
        let id_column = match &opts.id_column {
            Some(c) => Some(c.clone()),
            None => detect_id(train),
        };
        let date_column = train.columns.iter().find(|c| c.data.kind() == ColumnType::Date).map(|c| c.name.clone());
        let revenue_column = train
            .columns
            .iter()
            .find(|c| c.data.kind() == ColumnType::Numeric && c.name.to_ascii_lowercase().contains("revenue"))
            .map(|c| c.name.clone());
        let mut exclude = vec![opts.label.clone()];
        exclude.extend(opts.drop.iter().cloned());
        exclude.extend(id_column.iter().cloned());
        exclude.extend(date_column.iter().cloned());
        exclude.extend(revenue_column.iter().cloned());
        let spec =
            FeatureSpec::plan_with(train, &y, &exclude, opts.smoothing, opts.folds, opts.params.seed, &opts.statistics);
        if spec.is_empty() {
            return Err(ModelError::NoFeatures);
        }
        let threads = match opts.params.threads {
            0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            t => t,
        };
        let (encoders, x) =
            spec.fit_threads(train, &y, threads).map_err(|column| ModelError::MissingColumn { column })?;
        let nf = spec.len();
        let tm = Matrix::new(&x, train.rows, nf)?;
        let valid_prepared = match &valid {
            Some((v, _)) => {
                let v: &Dataset = v;
                check_schema(&spec, v)?;
                let vy = labels_of_impl(v, &opts.label)?;
                let vx = spec.transform(&encoders, v).map_err(|column| ModelError::MissingColumn { column })?;
                Some((vx, vy))
            }
            None => None,
        };
        let vm = match &valid_prepared {
            Some((vx, vy)) => Some((Matrix::new(vx, vy.len(), nf)?, vy.as_slice())),
            None => None,
        };
        let booster = gbdt::train(&opts.params, tm, &y, vm)?;
        let (calibration, validation) = match vm {
            Some((m, vy)) => {
                let mut raw = Vec::new();
                booster.predict_raw_batch(m, &mut raw);
                let cal = Platt::fit(&raw, vy);
                let rev = revenue_column.as_ref().and_then(|c| valid.as_ref().and_then(|(v, _)| revenue_of(v, c)));
                (cal, Some(metrics::evaluate(&raw, vy, rev.as_deref())))
            }
            None => (Platt::default(), None),
        };
        let expected_value = crate::shap::expected_value(&booster);
        let training = TrainingInfo {
            rows: train.rows,
            positives: y.iter().filter(|&&v| v > 0.5).count(),
            data_hash: train_hash,
            valid_rows: valid.as_ref().map(|(v, _)| v.rows).unwrap_or(0),
            valid_hash: valid.and_then(|(_, h)| h),
            trees: booster.trees.len(),
        };
        Ok(Model {
            format: FORMAT.into(),
            version: VERSION,
            writer: concat!("clearway-model ", env!("CARGO_PKG_VERSION")).into(),
            label: opts.label.clone(),
            id_column,
            date_column,
            revenue_column,
            spec,
            encoders,
            booster,
            calibration,
            expected_value,
            params: opts.params.clone(),
            options: TrainOptionsRecord { drop: opts.drop.clone(), smoothing: opts.smoothing, folds: opts.folds },
            training,
            validation,
            updates: None,
        })
    }

    /// Add labelled rows — exam results recorded after the model was trained, as cells aligned with
    /// `spec.inputs` and a 0/1 label — to the key statistics used at scoring time. The trees stay; the
    /// next score of a row sharing a key (an importer just found fraudulent, an HS × origin, a declared
    /// value) reads the new rate and count. Rows already in the training data must not be added again.
    /// Returns the number of rows added (rows whose label is not 0 or 1 are skipped).
    pub fn update_statistics<'a, R>(&mut self, rows: impl IntoIterator<Item = (R, f64)>) -> usize
    where
        R: AsRef<[Cell<'a>]>,
    {
        let mut h = blake3::Hasher::new();
        let mut up = self.updates.take().unwrap_or_default();
        h.update(up.digest.as_bytes());
        let mut added = 0;
        let mut key = String::new();
        for (cells, y) in rows {
            let cells = cells.as_ref();
            if (y != 0.0 && y != 1.0) || cells.len() != self.spec.inputs.len() {
                continue;
            }
            for (gi, g) in self.spec.groups.iter().enumerate() {
                if !self.spec.key_text(g, cells, &mut key) {
                    continue;
                }
                let Some(m) = self.encoders.stats.get_mut(gi) else { continue };
                let e = match m.get_mut(key.as_str()) {
                    Some(e) => e,
                    None => m.entry(key.clone()).or_insert((0.0, 0.0)),
                };
                e.0 += y;
                e.1 += 1.0;
            }
            for c in cells {
                match c {
                    Cell::Num(x) => h.update(&x.to_bits().to_le_bytes()),
                    Cell::Cat(Some(v)) => h.update(v.as_bytes()).update(&[0x1f]),
                    Cell::Cat(None) => h.update(&[0x1e]),
                };
            }
            h.update(&[y as u8]);
            added += 1;
            up.positives += (y == 1.0) as usize;
        }
        up.rows += added;
        up.digest = h.finalize().to_hex().to_string();
        self.encoders.reindex();
        self.updates = if up.rows > 0 { Some(up) } else { None };
        added
    }

    /// [`Model::update_statistics`] by value: the model scoring with the statistics of the training data
    /// plus `rows`.
    pub fn with_stats_update<'a, R>(mut self, rows: impl IntoIterator<Item = (R, f64)>) -> Model
    where
        R: AsRef<[Cell<'a>]>,
    {
        self.update_statistics(rows);
        self
    }

    /// Add exam results of stored filings (`found` = the examination found something) to the key
    /// statistics; each filing is mapped onto the model's columns as for scoring ([`crate::filing`]).
    pub fn update_from_exams<'f>(
        &mut self,
        exams: impl IntoIterator<Item = (&'f clearway_core::Filing, bool)>,
    ) -> usize {
        let rows: Vec<(Vec<crate::filing::Value>, f64)> = exams
            .into_iter()
            .map(|(f, found)| (crate::filing::values(self, f).0, if found { 1.0 } else { 0.0 }))
            .collect();
        let cells: Vec<(Vec<Cell<'_>>, f64)> = rows.iter().map(|(v, y)| (crate::filing::cells(v), *y)).collect();
        self.update_statistics(cells)
    }

    /// The JSON text of the model file.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Read a model file, checking its format, version and internal consistency.
    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ModelError::NotAModel(format!("not JSON ({e})")))?;
        match v.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(ModelError::NotAModel(format!("format is {other:?}, expected {FORMAT:?}")));
            }
            None => return Err(ModelError::NotAModel("no \"format\" field".into())),
        }
        match v.get("version").and_then(|f| f.as_u64()) {
            Some(x) if x == 1 || x == VERSION as u64 => {}
            Some(x) => return Err(ModelError::Version { found: x }),
            None => {
                return Err(ModelError::Corrupt("field \"version\" is missing or not a number".into()));
            }
        }
        let m: Model = serde_json::from_value(v).map_err(|e| ModelError::Corrupt(e.to_string()))?;
        m.booster.check().map_err(|e| ModelError::Corrupt(format!("booster: {e}")))?;
        if m.booster.features != m.spec.len() {
            return Err(ModelError::Corrupt(format!(
                "the trees read {} features but the feature plan has {}",
                m.booster.features,
                m.spec.len()
            )));
        }
        if m.encoders.stats.len() != m.spec.groups.len() || m.encoders.codes.len() != m.spec.coded.len() {
            return Err(ModelError::Corrupt("encoders do not match the feature plan".into()));
        }
        if !m.expected_value.is_finite() || !m.calibration.a.is_finite() || !m.calibration.b.is_finite() {
            return Err(ModelError::Corrupt("a stored number is not finite".into()));
        }
        Ok(m)
    }

    /// The column types a data file must have to be scored (to read it with).
    pub fn input_types(&self) -> Vec<(String, ColumnType)> {
        let mut v = self.spec.inputs.clone();
        if let Some(d) = &self.date_column {
            v.push((d.clone(), ColumnType::Date));
        }
        if let Some(i) = &self.id_column {
            v.push((i.clone(), ColumnType::Categorical));
        }
        v
    }

    /// The feature matrix of a table.
    pub fn features(&self, ds: &Dataset) -> Result<Vec<f64>, ModelError> {
        check_schema(&self.spec, ds)?;
        self.spec.transform(&self.encoders, ds).map_err(|column| ModelError::MissingColumn { column })
    }

    /// Raw scores (log-odds) of every row.
    pub fn score(&self, ds: &Dataset) -> Result<Vec<f64>, ModelError> {
        let x = self.features(ds)?;
        let m = Matrix::new(&x, ds.rows, self.spec.len())?;
        let mut out = Vec::new();
        self.booster.predict_raw_batch(m, &mut out);
        Ok(out)
    }

    /// Calibrated probability of a raw score.
    pub fn probability(&self, raw: f64) -> f64 {
        self.calibration.apply(raw)
    }

    /// Labels of a table (for evaluation).
    pub fn labels(&self, ds: &Dataset) -> Result<Vec<f64>, ModelError> {
        labels_of_impl(ds, &self.label)
    }

    /// Revenue of a table, when the model knows a revenue column and the table has it.
    pub fn revenue(&self, ds: &Dataset) -> Option<Vec<f64>> {
        self.revenue_column.as_ref().and_then(|c| revenue_of(ds, c))
    }

    /// The row whose id (or, failing that, 1-based row number) is `id`.
    pub fn find_row(&self, ds: &Dataset, id: &str) -> Result<usize, ModelError> {
        if let Some(col) = self.id_column.as_ref().and_then(|c| ds.column(c)) {
            if let Some(i) = (0..ds.rows).find(|&i| col.data.text(i) == id) {
                return Ok(i);
            }
        }
        match id.trim_start_matches('#').parse::<usize>() {
            Ok(n) if n >= 1 && n <= ds.rows && (self.id_column.is_none() || id.starts_with('#')) => Ok(n - 1),
            _ => Err(ModelError::NoSuchRow(id.to_string())),
        }
    }

    /// Explain one feature vector.
    pub fn explain_features(&self, x: &[f64]) -> (f64, Vec<Contribution>) {
        let raw = self.booster.predict_raw(x);
        let mut phi = Vec::new();
        crate::shap::contributions(&self.booster, x, &mut phi);
        let mut c: Vec<Contribution> = phi
            .iter()
            .enumerate()
            .filter(|(_, p)| **p != 0.0)
            .map(|(i, &p)| Contribution {
                feature: self.spec.names[i].clone(),
                value: x.get(i).copied().filter(|v| v.is_finite()),
                contribution: p,
            })
            .collect();
        c.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()).then(a.feature.cmp(&b.feature)));
        (raw, c)
    }

    /// Explain row `row` of a table.
    pub fn explain(&self, ds: &Dataset, row: usize) -> Result<Explanation, ModelError> {
        if row >= ds.rows {
            return Err(ModelError::NoSuchRow(format!("{}", row + 1)));
        }
        check_schema(&self.spec, ds)?;
        let cols = self.spec.resolve(ds).map_err(|column| ModelError::MissingColumn { column })?;
        let cells = cells_of(ds, &cols, row);
        let x = self.row_features(&cells);
        let (raw, contributions) = self.explain_features(&x);
        let id = self.id_column.as_ref().and_then(|c| ds.column(c)).map(|c| c.data.text(row));
        Ok(Explanation {
            row,
            id,
            raw_score: raw,
            probability: self.probability(raw),
            expected_value: self.expected_value,
            contributions,
        })
    }

    /// Features of one row given as cells aligned with `spec.inputs`.
    pub fn row_features(&self, cells: &[Cell<'_>]) -> Vec<f64> {
        let mut x = Vec::with_capacity(self.spec.len());
        let lookup = |gi: usize, key: &str| self.encoders.stats.get(gi).and_then(|m| m.get(key)).copied();
        self.spec.row(&self.encoders, cells, &lookup, &mut x);
        x
    }
}

fn revenue_of(ds: &Dataset, col: &str) -> Option<Vec<f64>> {
    match &ds.column(col)?.data {
        ColumnData::Numeric(v) => Some(v.clone()),
        _ => None,
    }
}

fn detect_id(ds: &Dataset) -> Option<String> {
    ds.columns
        .iter()
        .find(|c| {
            let n = c.name.to_ascii_lowercase();
            (n == "id" || n.ends_with(" id") || n.ends_with("_id") || n.ends_with(".id"))
                && match &c.data {
                    ColumnData::Categorical { levels, .. } => levels.len() == ds.rows,
                    _ => false,
                }
        })
        .map(|c| c.name.clone())
}

/// Check that a table has the model's inputs with the same types.
pub fn check_schema(spec: &FeatureSpec, ds: &Dataset) -> Result<(), ModelError> {
    for (name, t) in &spec.inputs {
        let c = ds.column(name).ok_or_else(|| ModelError::MissingColumn { column: name.clone() })?;
        if c.data.kind() != *t {
            return Err(ModelError::WrongType { column: name.clone(), expected: *t, found: c.data.kind() });
        }
    }
    Ok(())
}
