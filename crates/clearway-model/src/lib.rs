//! Clearway's learned risk model. Pure: no files, no network, no printing.
//!
//! Principal types:
//! - [`Dataset`] — a typed table read from CSV bytes ([`read_csv`]), columns numeric, categorical or date;
//! - [`gbdt::Booster`] — histogram gradient-boosted trees (leaf-wise growth, binary log-loss or squared
//!   error), trained by [`gbdt::train`], scored by [`gbdt::Booster::predict_raw`];
//! - [`features::FeatureSpec`] — declaration features in the customs-fraud tradition (unit values,
//!   HS 2/4/6, fraud rates and counters of keys — entities, exact declared values and combinations chosen
//!   on the training data — as ordered target statistics, novelty flags);
//! - [`Model`] — the versioned model file: schema, encoders, trees, calibration, metrics; [`Model::score`]
//!   and [`Model::explain`] (exact TreeSHAP); [`Model::update_statistics`] takes new exam results into
//!   the key statistics without retraining;
//! - [`metrics`] — precision / recall / revenue at inspection budgets, AUC;
//! - [`simulate`] — the weekly budgeted-inspection protocol (exploitation vs hybrid);
//! - [`filing`] — mapping a Clearway `Filing` to the columns of a declaration model.

pub mod calibrate;
pub mod data;
pub mod features;
pub mod filing;
pub mod forest;
pub mod gbdt;
pub mod layer;
pub mod metrics;
pub mod model;
pub mod shap;
pub mod simulate;

pub use data::{ColumnData, ColumnType, Dataset, ReadOptions, read_csv};
pub use layer::ModelLayer;
pub use model::{Explanation, Model, ModelError, TrainOptions};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Data(#[from] data::DataError),
    #[error("{0}")]
    Model(#[from] model::ModelError),
}
