//! Evaluation in the field's language: precision, recall and revenue at inspection budgets (the top
//! n % of rows by score), and AUC.

use serde::{Deserialize, Serialize};

/// Inspection budgets reported, in percent.
pub const BUDGETS: [f64; 4] = [1.0, 2.0, 5.0, 10.0];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub rows: usize,
    pub positives: usize,
    pub precision_at_1pct: f64,
    pub precision_at_2pct: f64,
    pub precision_at_5pct: f64,
    pub precision_at_10pct: f64,
    pub recall_at_1pct: f64,
    pub recall_at_2pct: f64,
    pub recall_at_5pct: f64,
    pub recall_at_10pct: f64,
    pub auc: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_at_1pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_at_2pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_at_5pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_at_10pct: Option<f64>,
}

/// Row order by descending score (ties by row index, so it is deterministic).
pub fn ranking(scores: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    idx
}

/// Rows inspected at a budget of `pct` percent of `n` (at least one).
pub fn budget_rows(n: usize, pct: f64) -> usize {
    (((n as f64) * pct / 100.0).ceil() as usize).clamp(1.min(n), n)
}

/// Precision and recall of the top `pct` percent.
pub fn at_budget(order: &[usize], labels: &[f64], pct: f64) -> (f64, f64) {
    let k = budget_rows(order.len(), pct);
    let hits = order[..k].iter().filter(|&&i| labels[i] > 0.5).count() as f64;
    let pos = labels.iter().filter(|&&y| y > 0.5).count() as f64;
    (if k > 0 { hits / k as f64 } else { 0.0 }, if pos > 0.0 { hits / pos } else { 0.0 })
}

/// Area under the ROC curve (ties count half).
pub fn auc(scores: &[f64], labels: &[f64]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut pos) = (0.0, 0.0);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if labels[k] > 0.5 {
                rank_sum += avg;
                pos += 1.0;
            }
        }
        i = j + 1;
    }
    let neg = scores.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return 0.5;
    }
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// Evaluate scores against labels (and revenue, when given).
pub fn evaluate(scores: &[f64], labels: &[f64], revenue: Option<&[f64]>) -> Report {
    let order = ranking(scores);
    let pr: Vec<(f64, f64)> = BUDGETS.iter().map(|&b| at_budget(&order, labels, b)).collect();
    let rev = revenue.map(|r| {
        let total: f64 = r.iter().filter(|v| v.is_finite()).sum();
        BUDGETS
            .iter()
            .map(|&b| {
                let k = budget_rows(order.len(), b);
                let got: f64 = order[..k].iter().map(|&i| r[i]).filter(|v| v.is_finite()).sum();
                if total > 0.0 { got / total } else { 0.0 }
            })
            .collect::<Vec<f64>>()
    });
    Report {
        rows: scores.len(),
        positives: labels.iter().filter(|&&y| y > 0.5).count(),
        precision_at_1pct: pr[0].0,
        precision_at_2pct: pr[1].0,
        precision_at_5pct: pr[2].0,
        precision_at_10pct: pr[3].0,
        recall_at_1pct: pr[0].1,
        recall_at_2pct: pr[1].1,
        recall_at_5pct: pr[2].1,
        recall_at_10pct: pr[3].1,
        auc: auc(scores, labels),
        revenue_at_1pct: rev.as_ref().map(|v| v[0]),
        revenue_at_2pct: rev.as_ref().map(|v| v[1]),
        revenue_at_5pct: rev.as_ref().map(|v| v[2]),
        revenue_at_10pct: rev.as_ref().map(|v| v[3]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let s = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
        let y = [1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        // positives at ranks 1, 3, 10 -> pairs ranked correctly: 7 + 6 + 0 out of 21
        assert!((auc(&s, &y) - 13.0 / 21.0).abs() < 1e-12);
        let r = evaluate(&s, &y, None);
        assert_eq!(r.precision_at_10pct, 1.0);
        assert!((r.recall_at_10pct - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(auc(&[1.0, 1.0], &[1.0, 0.0]), 0.5);
    }
}
