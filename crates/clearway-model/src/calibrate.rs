//! Calibration of raw scores into probabilities: Platt scaling `p = 1 / (1 + exp(-(a s + b)))` fitted on
//! the validation set by Newton's method on the log-loss (with Platt's smoothed targets). Strictly
//! increasing in the score, so it never changes a ranking.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
}

impl Default for Platt {
    /// The identity on log-odds.
    fn default() -> Self {
        Platt { a: 1.0, b: 0.0 }
    }
}

impl Platt {
    /// Fit on raw scores and 0/1 labels. Falls back to the identity when the data cannot support a fit.
    pub fn fit(scores: &[f64], labels: &[f64]) -> Platt {
        let n = scores.len().min(labels.len());
        let pos = labels[..n].iter().filter(|&&y| y > 0.5).count() as f64;
        let neg = n as f64 - pos;
        if pos == 0.0 || neg == 0.0 {
            return Platt::default();
        }
        let hi = (pos + 1.0) / (pos + 2.0);
        let lo = 1.0 / (neg + 2.0);
        let t: Vec<f64> = labels[..n].iter().map(|&y| if y > 0.5 { hi } else { lo }).collect();
        let (mut a, mut b) = (1.0, 0.0);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
            for i in 0..n {
                let s = scores[i];
                let p = crate::gbdt::sigmoid(a * s + b);
                let d = p - t[i];
                let w = p * (1.0 - p);
                ga += d * s;
                gb += d;
                haa += w * s * s;
                hab += w * s;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() < 1e-10 && db.abs() < 1e-10 {
                break;
            }
        }
        if a.is_finite() && b.is_finite() && a > 0.0 { Platt { a, b } } else { Platt::default() }
    }

    pub fn apply(&self, s: f64) -> f64 {
        let p = crate::gbdt::sigmoid(self.a * s + self.b);
        if p.is_nan() { 0.5 } else { p }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_link() {
        // Labels drawn with p = sigmoid(2 s - 1): the fit should find a ≈ 2, b ≈ -1.
        let mut rng = crate::gbdt::Rng::new(5);
        let mut s = Vec::new();
        let mut y = Vec::new();
        for _ in 0..20000 {
            let x = rng.unit() * 6.0 - 3.0;
            s.push(x);
            y.push(if rng.unit() < crate::gbdt::sigmoid(2.0 * x - 1.0) { 1.0 } else { 0.0 });
        }
        let p = Platt::fit(&s, &y);
        assert!((p.a - 2.0).abs() < 0.15 && (p.b + 1.0).abs() < 0.15, "{p:?}");
    }
}
