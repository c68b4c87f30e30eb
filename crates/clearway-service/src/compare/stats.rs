//! Agreement and uncertainty: Jaccard index, Cohen's kappa, the overlap regions of up to three
//! selections, precision / recall / revenue at a budget, and the Poisson bootstrap with percentile
//! intervals. Pure arithmetic on slices; tested against hand-computed values (and, in
//! `bench/compare_vs_sklearn.py`, against scikit-learn's `cohen_kappa_score`).

use serde::{Deserialize, Serialize};

/// The 2 × 2 table of two selections over the same filings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table2 {
    /// Selected by both.
    pub both: u64,
    /// Selected by the first only.
    pub only_a: u64,
    /// Selected by the second only.
    pub only_b: u64,
    /// Selected by neither.
    pub neither: u64,
}

impl Table2 {
    /// Count the table of two boolean vectors.
    pub fn of(a: &[bool], b: &[bool]) -> Self {
        let mut t = Table2::default();
        for (&x, &y) in a.iter().zip(b) {
            t.add(x, y);
        }
        t
    }

    pub fn add(&mut self, a: bool, b: bool) {
        match (a, b) {
            (true, true) => self.both += 1,
            (true, false) => self.only_a += 1,
            (false, true) => self.only_b += 1,
            (false, false) => self.neither += 1,
        }
    }

    pub fn n(&self) -> u64 {
        self.both + self.only_a + self.only_b + self.neither
    }

    /// |A ∩ B| / |A ∪ B|; `None` when neither selects anything.
    pub fn jaccard(&self) -> Option<f64> {
        let union = self.both + self.only_a + self.only_b;
        (union > 0).then(|| self.both as f64 / union as f64)
    }

    /// Cohen's kappa (p_o − p_e) / (1 − p_e) with p_e from the two marginals; `None` when p_e = 1 (both
    /// raters constant and equal: agreement by chance is total and kappa is undefined).
    pub fn kappa(&self) -> Option<f64> {
        let n = self.n() as f64;
        if n == 0.0 {
            return None;
        }
        let po = (self.both + self.neither) as f64 / n;
        let pa = (self.both + self.only_a) as f64 / n;
        let pb = (self.both + self.only_b) as f64 / n;
        let pe = pa * pb + (1.0 - pa) * (1.0 - pb);
        (pe < 1.0).then(|| (po - pe) / (1.0 - pe))
    }
}

/// Count filings by selection mask (bit i = bundle i selected): `counts[mask]`, `2^k` entries.
pub fn regions(masks: &[u8], k: usize) -> Vec<u64> {
    let mut c = vec![0u64; 1 << k];
    for &m in masks {
        c[m as usize] += 1;
    }
    c
}

/// The order of inspection at a budget: indices by score (descending), ties by `tie` ascending, then
/// index; the first `inspected(budget, n)` are examined.
pub fn ranking(scores: &[f32], tie: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..scores.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        scores[b]
            .total_cmp(&scores[a])
            .then(tie[a].total_cmp(&tie[b]))
            .then(a.cmp(&b))
    });
    order
}

/// Filings examined at `budget` percent of `n` (rounded, at least one when there are any).
pub fn inspected(budget: f64, n: usize) -> usize {
    (((budget / 100.0) * n as f64).round() as usize)
        .max(usize::from(n > 0))
        .min(n)
}

/// A figure with its 95 % percentile-bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// The q-th quantile (0..=1) of sorted values, linear between order statistics (numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// splitmix64: the bootstrap's seeded source.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Poisson(1) by inversion: the weight of one row in one replicate of the Poisson bootstrap (the
    /// streaming form of resampling with replacement; each row appears Poisson(1) times).
    pub fn poisson1(&mut self) -> u32 {
        let u = self.uniform();
        let (mut k, mut p) = (0u32, (-1.0f64).exp());
        let mut cdf = p;
        while u > cdf && k < 20 {
            k += 1;
            p /= f64::from(k);
            cdf += p;
        }
        k
    }
}

/// Ratio statistics `Σ w·num_j / Σ w·den_j` over rows, with their bootstrap intervals: `value` on the
/// data as given, `lo`/`hi` the 2.5 and 97.5 percentiles over `replicates` Poisson(1)-weighted
/// replicates drawn from `seed`. `rows(i, w, acc)` adds row i with weight w into the per-statistic
/// (numerator, denominator) pairs.
pub fn bootstrap_ratios(
    n_rows: usize,
    n_stats: usize,
    replicates: usize,
    seed: u64,
    rows: &dyn Fn(usize, f64, &mut [(f64, f64)]),
) -> Vec<Estimate> {
    let mut rng = SplitMix(seed);
    weighted(
        n_rows,
        n_stats,
        replicates,
        &mut |_, _| rng.poisson1(),
        rows,
    )
}

/// The bootstrap over explicit integer weights `weight(replicate, row)`.
pub fn weighted(
    n_rows: usize,
    n_stats: usize,
    replicates: usize,
    weight: &mut dyn FnMut(usize, usize) -> u32,
    rows: &dyn Fn(usize, f64, &mut [(f64, f64)]),
) -> Vec<Estimate> {
    let ratio = |acc: &[(f64, f64)]| -> Vec<f64> {
        acc.iter()
            .map(|(n, d)| if *d > 0.0 { n / d } else { f64::NAN })
            .collect()
    };
    let mut acc = vec![(0.0, 0.0); n_stats];
    for i in 0..n_rows {
        rows(i, 1.0, &mut acc);
    }
    let point = ratio(&acc);
    let mut reps: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); n_stats];
    for r in 0..replicates {
        acc.iter_mut().for_each(|a| *a = (0.0, 0.0));
        for i in 0..n_rows {
            let w = weight(r, i);
            if w > 0 {
                rows(i, f64::from(w), &mut acc);
            }
        }
        for (s, v) in ratio(&acc).into_iter().enumerate() {
            if v.is_finite() {
                reps[s].push(v);
            }
        }
    }
    point
        .into_iter()
        .zip(reps)
        .map(|(value, mut r)| {
            r.sort_by(f64::total_cmp);
            Estimate {
                value,
                lo: quantile(&r, 0.025),
                hi: quantile(&r, 0.975),
            }
        })
        .collect()
}

/// Wilson score interval (95 %) of k successes in n, for small per-profile counts.
pub fn wilson(k: u64, n: u64) -> Option<Estimate> {
    if n == 0 {
        return None;
    }
    let (z, n_, p) = (1.959_964, n as f64, k as f64 / n as f64);
    let d = 1.0 + z * z / n_;
    let c = (p + z * z / (2.0 * n_)) / d;
    let h = z * ((p * (1.0 - p) / n_ + z * z / (4.0 * n_ * n_)).sqrt()) / d;
    Some(Estimate {
        value: p,
        lo: (c - h).max(0.0),
        hi: (c + h).min(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<bool> {
        s.chars().map(|c| c == '1').collect()
    }

    #[test]
    fn jaccard_and_kappa_by_hand() {
        // a = 1100110000, b = 1010100000: both 2 (positions 0, 4), only a 2 (1, 5), only b 1 (2),
        // neither 5. Jaccard = 2 / 5. p_o = 7/10; p_a = 4/10, p_b = 3/10;
        // p_e = .4·.3 + .6·.7 = .54; kappa = (.7 − .54) / (1 − .54) = .16 / .46 = 0.347826…
        let t = Table2::of(&v("1100110000"), &v("1010100000"));
        assert_eq!(
            t,
            Table2 {
                both: 2,
                only_a: 2,
                only_b: 1,
                neither: 5
            }
        );
        assert_eq!(t.jaccard(), Some(0.4));
        assert!((t.kappa().unwrap() - 0.16 / 0.46).abs() < 1e-12);
        // Perfect agreement: kappa 1; perfect disagreement on a balanced split: kappa −1.
        assert_eq!(Table2::of(&v("1010"), &v("1010")).kappa(), Some(1.0));
        assert_eq!(Table2::of(&v("1010"), &v("0101")).kappa(), Some(-1.0));
        // Both constant and equal: undefined.
        assert_eq!(Table2::of(&v("0000"), &v("0000")).kappa(), None);
        assert_eq!(Table2::of(&v("0000"), &v("0000")).jaccard(), None);
    }

    #[test]
    fn regions_count_masks() {
        // bit 0 = A, bit 1 = B, bit 2 = C.
        let r = regions(&[0, 1, 1, 3, 7, 7, 7, 4, 6], 3);
        assert_eq!(r, vec![1, 2, 0, 1, 1, 0, 1, 3]);
    }

    #[test]
    fn quantile_is_numpy_linear() {
        let s = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&s, 0.25), 2.0);
        assert_eq!(quantile(&s, 0.1), 1.4);
        assert_eq!(quantile(&s, 0.975), 4.9);
    }

    #[test]
    fn ranking_and_budget() {
        let order = ranking(&[1.0, 5.0, 5.0, 0.0], &[0.0, 0.9, 0.1, 0.0]);
        assert_eq!(order, vec![2, 1, 0, 3]);
        assert_eq!(inspected(1.0, 10), 1);
        assert_eq!(inspected(25.0, 10), 3);
        assert_eq!(inspected(5.0, 0), 0);
    }

    #[test]
    fn bootstrap_by_hand() {
        // Precision of 4 rows: selected, label = (1,1), (1,0), (1,1), (0,1). Point = 2/3.
        let rows = |i: usize, w: f64, acc: &mut [(f64, f64)]| {
            let (sel, y) = [(1.0, 1.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)][i];
            acc[0].0 += w * sel * y;
            acc[0].1 += w * sel;
        };
        // Replicate weights by hand: r0 = [2,0,1,1] → 3/3 = 1; r1 = [0,2,1,0] → 1/3; r2 = [1,1,0,2] → 1/2;
        // r3 = [0,0,0,4] → no selected row: dropped. Sorted [1/3, 1/2, 1]; 2.5 % = 1/3 + .05·(1/2 − 1/3),
        // 97.5 % = 1/2 + .95·(1 − 1/2).
        let w = [[2, 0, 1, 1], [0, 2, 1, 0], [1, 1, 0, 2], [0, 0, 0, 4]];
        let e = weighted(4, 1, 4, &mut |r, i| w[r][i], &rows)[0];
        assert!((e.value - 2.0 / 3.0).abs() < 1e-12);
        assert!(
            (e.lo - (1.0 / 3.0 + 0.05 * (1.0 / 6.0))).abs() < 1e-12,
            "{e:?}"
        );
        assert!((e.hi - (0.5 + 0.95 * 0.5)).abs() < 1e-12, "{e:?}");
    }

    #[test]
    fn poisson_bootstrap_matches_the_normal_interval() {
        // 1,000 rows, 300 positives: the 95 % interval of the rate is about ±1.96·√(.3·.7/1000) = ±.0284.
        let rows = |i: usize, w: f64, acc: &mut [(f64, f64)]| {
            acc[0].0 += w * f64::from(u8::from(i % 10 < 3));
            acc[0].1 += w;
        };
        let e = bootstrap_ratios(1000, 1, 2000, 7, &rows)[0];
        assert!((e.value - 0.3).abs() < 1e-12);
        let half = (e.hi - e.lo) / 2.0;
        assert!((half - 0.0284).abs() < 0.004, "{e:?}");
        // Poisson(1) weights have mean 1 and variance 1.
        let mut r = SplitMix(1);
        let xs: Vec<f64> = (0..200_000).map(|_| f64::from(r.poisson1())).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64;
        assert!(
            (m - 1.0).abs() < 0.01 && (var - 1.0).abs() < 0.02,
            "{m} {var}"
        );
    }

    #[test]
    fn wilson_by_hand() {
        // 5 of 10: centre (.5 + 1.92/10)/(1 + 3.84/10) = .5; half-width 1.96·√(.025 + .00960)/1.384.
        let e = wilson(5, 10).unwrap();
        let z2 = 1.959_964f64 * 1.959_964;
        let half = 1.959_964 * (0.025 + z2 / 400.0).sqrt() / (1.0 + z2 / 10.0);
        assert!((e.lo - (0.5 - half)).abs() < 1e-9 && (e.hi - (0.5 + half)).abs() < 1e-9);
        assert_eq!(wilson(0, 0), None);
    }
}
