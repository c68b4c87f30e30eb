//! Evaluation over labelled name pairs (`name1,name2,is_match,schema[,quality]`).

use clearway_lists::Schema;
use serde::Serialize;

use crate::score::score;

/// One labelled pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name1: String,
    pub name2: String,
    pub is_match: bool,
    pub schema: Schema,
    /// STRONG / MEDIUM / WEAK: how sure the label is (a STRONG-tier failure is a bug).
    pub quality: Option<String>,
}

/// A case the scorer got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub name1: String,
    pub name2: String,
    pub is_match: bool,
    pub score: f64,
    pub quality: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub n: usize,
    pub threshold: f64,
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub strong_failures: usize,
    pub failures: Vec<Failure>,
}

/// Score every case at `threshold` (a pair matches when its score ≥ threshold).
pub fn evaluate(cases: &[Case], threshold: f64) -> Metrics {
    let (mut tp, mut fp, mut tn, mut fn_, mut strong) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for c in cases {
        let s = score(&c.name1, &c.name2, c.schema).score;
        let predicted = s >= threshold;
        match (predicted, c.is_match) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, false) => tn += 1,
            (false, true) => fn_ += 1,
        }
        if predicted != c.is_match {
            if c.quality.as_deref().is_some_and(|q| q.eq_ignore_ascii_case("strong")) {
                strong += 1;
            }
            failures.push(Failure { name1: c.name1.clone(), name2: c.name2.clone(), is_match: c.is_match, score: s, quality: c.quality.clone() });
        }
    }
    let p = if tp + fp > 0 { tp as f64 / (tp + fp) as f64 } else { 0.0 };
    let r = if tp + fn_ > 0 { tp as f64 / (tp + fn_) as f64 } else { 0.0 };
    let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    Metrics { n: cases.len(), threshold, tp, fp, tn, fn_, precision: p, recall: r, f1, strong_failures: strong, failures }
}

/// The default match threshold of `names eval` and the default review band: the middle of the plateau
/// 0.70–0.80 over which F1 on the public half of the name bench stays within 0.01 of its best.
pub const DEFAULT_THRESHOLD: f64 = 0.75;
