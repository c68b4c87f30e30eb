//! Backtest: run profiles over labelled history and measure what an inspection budget would find.
//! Principal items: [`run`], [`at_budgets`], [`Report`].
//!
//! Ranking: each filing's profile score is the sum over the profiles it hits of (weight + 60 for a red
//! lane, 25 for a yellow lane, scaled by the selection percentage); ties are broken by the seeded draw,
//! so filings no profile hits are inspected in random order. Baselines on the same data: *most valuable
//! first* (declared value) and *importer's past fraud rate first* (rate over the history split; importers
//! never seen get the overall rate). History (entity history, past fraud rates) comes only from the
//! history split, fed in time order; the evaluated split's labels are never used for scoring.

use crate::compile::ProfileSet;
use crate::facts::importer_key;
use crate::{EntityHistory, HistoryAt};
use crate::kcs::Labelled;
use clearway_core::Lane;
use clearway_engine::combine::random_draw;
use serde::Serialize;
use std::collections::HashMap;

/// Precision, recall and revenue at one inspection budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtBudget {
    /// Percent of filings inspected.
    pub budget: f64,
    pub inspected: usize,
    pub precision: f64,
    pub recall: f64,
    /// Share of all revenue found, where the data has revenue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
}

/// Per-profile figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileFigures {
    pub id: String,
    pub hits: usize,
    pub frauds: usize,
    pub precision: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub filings: usize,
    pub frauds: usize,
    pub history: usize,
    pub profiles: Vec<AtBudget>,
    pub most_valuable_first: Vec<AtBudget>,
    pub importer_fraud_rate_first: Vec<AtBudget>,
    pub per_profile: Vec<ProfileFigures>,
}

/// Rank by score (descending, ties by `tiebreak` ascending) and measure at each budget (percent).
pub fn at_budgets(scores: &[f64], tiebreak: &[f64], labels: &[bool], revenue: Option<&[f64]>, budgets: &[f64]) -> Vec<AtBudget> {
    let n = scores.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(tiebreak[a].total_cmp(&tiebreak[b])).then(a.cmp(&b)));
    let positives = labels.iter().filter(|l| **l).count();
    let total_rev: f64 = revenue.map(|r| r.iter().sum()).unwrap_or(0.0);
    budgets
        .iter()
        .map(|&b| {
            let k = ((b / 100.0) * n as f64).round().max(if n > 0 { 1.0 } else { 0.0 }) as usize;
            let k = k.min(n);
            let found = order[..k].iter().filter(|&&i| labels[i]).count();
            AtBudget {
                budget: b,
                inspected: k,
                precision: if k > 0 { found as f64 / k as f64 } else { 0.0 },
                recall: if positives > 0 { found as f64 / positives as f64 } else { 0.0 },
                revenue: revenue.filter(|_| total_rev > 0.0).map(|r| order[..k].iter().map(|&i| r[i]).sum::<f64>() / total_rev),
            }
        })
        .collect()
}

/// Run the profiles over `test`, with entity history and fraud rates from `history` (in time order).
pub fn run(set: &ProfileSet, history: &[Labelled], test: &[Labelled], budgets: &[f64], seed: u64) -> Report {
    let mut hist = EntityHistory::new();
    let mut rates: HashMap<String, (u32, u32)> = HashMap::new();
    let mut sorted: Vec<&Labelled> = history.iter().collect();
    sorted.sort_by_key(|l| l.filing.times.filed_at);
    let hs6 = |l: &Labelled| -> Vec<String> {
        l.filing.goods.iter().filter_map(|g| g.hs_code.as_deref()).map(|h| h.chars().take(6).collect()).collect()
    };
    for l in &sorted {
        let imp = importer_key(&l.filing);
        hist.observe(imp, None, hs6(l).iter().map(String::as_str));
        hist.record_exam(imp, l.fraud);
        let e = rates.entry(imp.to_ascii_uppercase()).or_default();
        e.0 += 1;
        e.1 += u32::from(l.fraud);
    }
    let overall = {
        let (n, f) = rates.values().fold((0u32, 0u32), |a, b| (a.0 + b.0, a.1 + b.1));
        if n > 0 { f64::from(f) / f64::from(n) } else { 0.0 }
    };
    let mut test_sorted: Vec<&Labelled> = test.iter().collect();
    test_sorted.sort_by_key(|l| l.filing.times.filed_at);
    let n = test_sorted.len();
    let (mut score, mut value, mut rate, mut tie, mut labels, mut rev) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![false; n], vec![0.0; n]);
    let mut per: Vec<(usize, usize)> = vec![(0, 0); set.profiles.len()];
    for (k, l) in test_sorted.iter().enumerate() {
        let f = &l.filing;
        {
            let facts = set.facts(f, &l.extras, Some(HistoryAt::all(&hist)), false, false);
            for (i, _) in set.hits(f, &facts) {
                let p = &set.profiles[i];
                let lane = p.lane.map(|(lane, pct)| if lane == Lane::Red { 60.0 } else { 25.0 } * pct / 100.0).unwrap_or(0.0);
                score[k] += p.weight + lane;
                per[i].0 += 1;
                per[i].1 += usize::from(l.fraud);
            }
        }
        value[k] = f.total_value().unwrap_or(0.0);
        let imp = importer_key(f).to_ascii_uppercase();
        rate[k] = rates.get(&imp).map(|(n, fr)| f64::from(*fr) / f64::from(*n)).unwrap_or(overall);
        tie[k] = random_draw(seed, &f.id, f.version);
        labels[k] = l.fraud;
        rev[k] = l.revenue.unwrap_or(0.0);
        hist.observe(importer_key(f), None, hs6(l).iter().map(String::as_str));
    }
    let has_rev = test_sorted.iter().any(|l| l.revenue.is_some());
    let revenue = has_rev.then_some(rev.as_slice());
    Report {
        filings: n,
        frauds: labels.iter().filter(|l| **l).count(),
        history: history.len(),
        profiles: at_budgets(&score, &tie, &labels, revenue, budgets),
        most_valuable_first: at_budgets(&value, &tie, &labels, revenue, budgets),
        importer_fraud_rate_first: at_budgets(&rate, &tie, &labels, revenue, budgets),
        per_profile: set
            .profiles
            .iter()
            .zip(per)
            .map(|(p, (h, fr))| ProfileFigures { id: p.id.clone(), hits: h, frauds: fr, precision: if h > 0 { fr as f64 / h as f64 } else { 0.0 } })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets() {
        let s = [5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let t = [0.0; 10];
        let l = [true, false, true, false, false, false, false, false, false, true];
        let r = at_budgets(&s, &t, &l, None, &[10.0, 50.0]);
        assert_eq!((r[0].inspected, r[0].precision), (1, 1.0));
        assert!((r[1].precision - 0.4).abs() < 1e-12);
        assert!((r[1].recall - 2.0 / 3.0).abs() < 1e-12);
    }
}
