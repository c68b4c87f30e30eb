//! The weekly budgeted-inspection protocol of the customs-fraud-detection research line.
//!
//! Rows are cut into weeks by date. The first `warmup_weeks` are the initial, fully labelled history.
//! Each following week, each strategy scores the week's declarations with a model trained on the labels
//! it has seen, inspects `budget` % of them, and only the inspected rows' labels join its history; the
//! model is retrained every week. *Exploitation* inspects the top-scored rows; *hybrid* inspects the
//! top-scored `(1 − random_share)` of the budget and a seeded random draw from the rest for the remainder.
//!
//! Two more strategies never retrain: both keep the model trained on the warm-up weeks and inspect by the
//! hybrid rule. *Frozen* scores with the warm-up statistics; *updated* adds each week's inspected rows'
//! exam results to the model's key statistics ([`Model::update_statistics`]) before the next week, which
//! is what updating the statistics from the store without retraining is worth.

use crate::data::{ColumnData, Dataset, NO_DATE};
use crate::gbdt::{Params, Rng};
use crate::metrics::budget_rows;
use crate::model::{Model, ModelError, TrainOptions};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub train: TrainOptions,
    /// Inspection budget, percent of each week's rows.
    pub budget_pct: f64,
    /// Share of the budget drawn at random (hybrid), percent.
    pub random_share_pct: f64,
    pub warmup_weeks: usize,
    /// Simulated weeks after the warm-up (None = all).
    pub weeks: Option<usize>,
    pub seed: u64,
}

impl SimOptions {
    pub fn new(label: &str) -> Self {
        let mut train = TrainOptions::new(label);
        train.params = Params {
            num_trees: 60,
            learning_rate: 0.2,
            num_leaves: 12,
            max_depth: 5,
            early_stopping_rounds: 0,
            ..crate::model::default_params()
        };
        SimOptions { train, budget_pct: 5.0, random_share_pct: 10.0, warmup_weeks: 4, weeks: None, seed: 2026 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyWeek {
    pub inspected: usize,
    pub found: usize,
    pub precision: f64,
    pub recall: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    pub week: usize,
    pub start: String,
    pub rows: usize,
    pub frauds: usize,
    pub exploitation: StrategyWeek,
    pub hybrid: StrategyWeek,
    /// The warm-up model, never retrained, statistics never updated (hybrid rule).
    pub frozen: StrategyWeek,
    /// The warm-up model, never retrained, statistics updated with every inspected row (hybrid rule).
    pub updated: StrategyWeek,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the data has no date column (a column whose name contains \"date\" with YYYY-MM-DD values)")]
    NoDate,
    #[error("only {weeks} week(s) of data: need more than the {warmup} warm-up week(s)")]
    TooShort { weeks: usize, warmup: usize },
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Run the protocol.
pub fn simulate(ds: &Dataset, o: &SimOptions) -> Result<Vec<Week>, SimError> {
    let dates = ds
        .columns
        .iter()
        .find_map(|c| match &c.data {
            ColumnData::Date(d) => Some(d),
            _ => None,
        })
        .ok_or(SimError::NoDate)?;
    let labels = Model::labels_of(ds, &o.train.label)?;
    let min = dates.iter().copied().filter(|&d| d != NO_DATE).min().ok_or(SimError::NoDate)?;
    let week_of = |i: usize| if dates[i] == NO_DATE { None } else { Some(((dates[i] - min) / 7) as usize) };
    let nweeks = (0..ds.rows).filter_map(week_of).max().unwrap_or(0) + 1;
    if nweeks <= o.warmup_weeks {
        return Err(SimError::TooShort { weeks: nweeks, warmup: o.warmup_weeks });
    }
    let mut by_week: Vec<Vec<usize>> = vec![Vec::new(); nweeks];
    for i in 0..ds.rows {
        if let Some(w) = week_of(i) {
            by_week[w].push(i);
        }
    }
    let warm: Vec<usize> = by_week[..o.warmup_weeks].iter().flatten().copied().collect();
    let frozen = Model::train(&ds.select(&warm), None, None, &o.train)?;
    let mut updated = frozen.clone();
    let cols = frozen.spec.resolve(ds).map_err(|column| ModelError::MissingColumn { column })?;
    let mut pools = [warm.clone(), warm];
    let mut rng = Rng::new(o.seed);
    let last = match o.weeks {
        Some(n) => (o.warmup_weeks + n).min(nweeks),
        None => nweeks,
    };
    let mut out = Vec::new();
    for (w, rows) in by_week.iter().enumerate().take(last).skip(o.warmup_weeks) {
        if rows.is_empty() {
            continue;
        }
        let batch = ds.select(rows);
        let frauds = rows.iter().filter(|&&i| labels[i] > 0.5).count();
        let k = budget_rows(rows.len(), o.budget_pct);
        let mut results = Vec::new();
        let mut inspect = |scores: &[f64], hybrid: bool| -> Vec<usize> {
            let order = crate::metrics::ranking(scores);
            if !hybrid {
                return order[..k].to_vec();
            }
            let k_rand = ((k as f64) * o.random_share_pct / 100.0).round() as usize;
            let k_exp = k - k_rand.min(k);
            let mut c: Vec<usize> = order[..k_exp].to_vec();
            let mut rest: Vec<usize> = order[k_exp..].to_vec();
            for _ in 0..k_rand.min(rest.len()) {
                let j = rng.below(rest.len());
                c.push(rest.swap_remove(j));
            }
            c
        };
        let outcome = |chosen: &[usize]| {
            let found = chosen.iter().filter(|&&j| labels[rows[j]] > 0.5).count();
            StrategyWeek {
                inspected: chosen.len(),
                found,
                precision: if chosen.is_empty() { 0.0 } else { found as f64 / chosen.len() as f64 },
                recall: if frauds == 0 { 0.0 } else { found as f64 / frauds as f64 },
            }
        };
        for (s, pool) in pools.iter_mut().enumerate() {
            let train = ds.select(pool);
            let model = Model::train(&train, None, None, &o.train)?;
            let chosen = inspect(&model.score(&batch)?, s == 1);
            pool.extend(chosen.iter().map(|&j| rows[j]));
            results.push(outcome(&chosen));
        }
        let chosen = inspect(&frozen.score(&batch)?, true);
        let frozen_week = outcome(&chosen);
        let chosen = inspect(&updated.score(&batch)?, true);
        let updated_week = outcome(&chosen);
        let found: Vec<(Vec<crate::features::Cell<'_>>, f64)> =
            chosen.iter().map(|&j| (crate::features::cells_of(ds, &cols, rows[j]), labels[rows[j]])).collect();
        updated.update_statistics(found);
        let hybrid = results.pop().unwrap_or(StrategyWeek { inspected: 0, found: 0, precision: 0.0, recall: 0.0 });
        let exploitation =
            results.pop().unwrap_or(StrategyWeek { inspected: 0, found: 0, precision: 0.0, recall: 0.0 });
        out.push(Week {
            week: w + 1,
            start: crate::data::format_date(min + 7 * w as i32),
            rows: rows.len(),
            frauds,
            exploitation,
            hybrid,
            frozen: frozen_week,
            updated: updated_week,
        });
    }
    Ok(out)
}
