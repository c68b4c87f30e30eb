//! Exact per-feature contributions of one row (path-dependent TreeSHAP, Lundberg et al. 2018).
//!
//! For each tree the algorithm walks every root-to-leaf path once, keeping for the features met on the
//! path the share of training rows that would follow it with the feature unknown ("zero fraction",
//! node counts) and whether the row itself follows it ("one fraction"), and the permutation weights of
//! each subset size. Contributions plus the expected value add up to the raw score exactly.

use crate::gbdt::{Booster, Tree};

#[derive(Clone, Copy, Default)]
struct PathElem {
    feature: i64,
    zero: f64,
    one: f64,
    weight: f64,
}

/// Expected raw score over the training distribution (node counts) — the base of the contributions.
pub fn expected_value(b: &Booster) -> f64 {
    b.init_score + b.trees.iter().map(tree_mean).sum::<f64>()
}

fn tree_mean(t: &Tree) -> f64 {
    let total: f64 = t.leaf_counts.iter().sum();
    if total <= 0.0 {
        return t.leaf_values.iter().sum::<f64>() / t.leaf_values.len().max(1) as f64;
    }
    t.leaf_values.iter().zip(&t.leaf_counts).map(|(v, c)| v * c).sum::<f64>() / total
}

/// Contributions of each feature to the raw score of `x` (length = features).
pub fn contributions(b: &Booster, x: &[f64], phi: &mut Vec<f64>) {
    phi.clear();
    phi.resize(b.features, 0.0);
    let max_depth = b.trees.iter().map(depth).max().unwrap_or(0) + 2;
    let mut buf = vec![PathElem::default(); (max_depth + 1) * (max_depth + 2) / 2 + 4];
    for t in &b.trees {
        if t.nodes.is_empty() {
            continue;
        }
        recurse(t, x, phi, 0, &mut buf, 0, 0, 1.0, 1.0, -1);
    }
}

fn depth(t: &Tree) -> usize {
    fn go(t: &Tree, c: i32) -> usize {
        if c < 0 {
            0
        } else {
            let n = &t.nodes[c as usize];
            1 + go(t, n.left).max(go(t, n.right))
        }
    }
    if t.nodes.is_empty() { 0 } else { go(t, 0) }
}

fn count_of(t: &Tree, c: i32) -> f64 {
    if c < 0 { t.leaf_counts[!c as usize] } else { t.nodes[c as usize].count }
}

/// The parent's path is `buf[start - plen..start]`; this level's path is written at `buf[start..]`
/// (each level copies its parent's path once, so the buffer holds a triangle of paths).
#[allow(clippy::too_many_arguments)]
fn recurse(
    t: &Tree,
    x: &[f64],
    phi: &mut [f64],
    child: i32,
    buf: &mut [PathElem],
    start: usize,
    plen: usize,
    zero: f64,
    one: f64,
    feature: i64,
) {
    let (head, tail) = buf.split_at_mut(start);
    tail[..plen].copy_from_slice(&head[start - plen..start]);
    let mut ud = plen;
    extend(tail, ud, zero, one, feature);
    if child < 0 {
        let v = t.leaf_values[!child as usize];
        for i in 1..=ud {
            let w = unwound_sum(tail, ud, i);
            let e = tail[i];
            phi[e.feature as usize] += w * (e.one - e.zero) * v;
        }
        return;
    }
    let n = &t.nodes[child as usize];
    let xv = x.get(n.feature as usize).copied().unwrap_or(f64::NAN);
    let go_left = if n.default_left { !(xv > n.threshold) } else { xv <= n.threshold };
    let (hot, cold) = if go_left { (n.left, n.right) } else { (n.right, n.left) };
    let cover = n.count.max(1e-12);
    let hot_zero = count_of(t, hot) / cover;
    let cold_zero = count_of(t, cold) / cover;
    let mut in_zero = 1.0;
    let mut in_one = 1.0;
    if let Some(k) = (1..=ud).find(|&k| tail[k].feature == n.feature as i64) {
        in_zero = tail[k].zero;
        in_one = tail[k].one;
        unwind(tail, ud, k);
        ud -= 1;
    }
    let f = n.feature as i64;
    let len = ud + 1;
    recurse(t, x, phi, hot, buf, start + len, len, hot_zero * in_zero, in_one, f);
    recurse(t, x, phi, cold, buf, start + len, len, cold_zero * in_zero, 0.0, f);
}

fn extend(path: &mut [PathElem], ud: usize, zero: f64, one: f64, feature: i64) {
    path[ud] = PathElem { feature, zero, one, weight: if ud == 0 { 1.0 } else { 0.0 } };
    let denom = (ud + 1) as f64;
    for i in (0..ud).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 / denom;
        path[i].weight = zero * path[i].weight * (ud - i) as f64 / denom;
    }
}

fn unwind(path: &mut [PathElem], ud: usize, idx: usize) {
    let one = path[idx].one;
    let zero = path[idx].zero;
    let mut next = path[ud].weight;
    let denom = (ud + 1) as f64;
    for i in (0..ud).rev() {
        if one != 0.0 {
            let tmp = path[i].weight;
            path[i].weight = next * denom / ((i + 1) as f64 * one);
            next = tmp - path[i].weight * zero * (ud - i) as f64 / denom;
        } else {
            path[i].weight = path[i].weight * denom / (zero * (ud - i) as f64);
        }
    }
    for i in idx..ud {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

fn unwound_sum(path: &[PathElem], ud: usize, idx: usize) -> f64 {
    let one = path[idx].one;
    let zero = path[idx].zero;
    let mut next = path[ud].weight;
    let denom = (ud + 1) as f64;
    let mut total = 0.0;
    for i in (0..ud).rev() {
        if one != 0.0 {
            let tmp = next * denom / ((i + 1) as f64 * one);
            total += tmp;
            next = path[i].weight - tmp * zero * (ud - i) as f64 / denom;
        } else if zero != 0.0 {
            total += path[i].weight / zero / ((ud - i) as f64 / denom);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gbdt::{Matrix, Params, Rng, train};

    /// E[f(x) | x_S] as the path-dependent algorithm defines it: follow the row where the feature is
    /// known, otherwise average both children by training counts.
    fn cond(t: &Tree, x: &[f64], known: &[bool], c: i32) -> f64 {
        if c < 0 {
            return t.leaf_values[!c as usize];
        }
        let n = &t.nodes[c as usize];
        if known[n.feature as usize] {
            let v = x[n.feature as usize];
            let left = if n.default_left { !(v > n.threshold) } else { v <= n.threshold };
            cond(t, x, known, if left { n.left } else { n.right })
        } else {
            (count_of(t, n.left) * cond(t, x, known, n.left) + count_of(t, n.right) * cond(t, x, known, n.right))
                / n.count
        }
    }

    fn brute(b: &Booster, x: &[f64]) -> Vec<f64> {
        let m = b.features;
        let fact = |k: usize| (1..=k).product::<usize>() as f64;
        let mut phi = vec![0.0; m];
        for i in 0..m {
            for mask in 0..(1usize << m) {
                if mask & (1 << i) != 0 {
                    continue;
                }
                let s = mask.count_ones() as usize;
                let w = fact(s) * fact(m - s - 1) / fact(m);
                let mut known: Vec<bool> = (0..m).map(|j| mask & (1 << j) != 0).collect();
                let without: f64 = b.trees.iter().map(|t| if t.nodes.is_empty() { t.leaf_values[0] } else { cond(t, x, &known, 0) }).sum();
                known[i] = true;
                let with: f64 = b.trees.iter().map(|t| if t.nodes.is_empty() { t.leaf_values[0] } else { cond(t, x, &known, 0) }).sum();
                phi[i] += w * (with - without);
            }
        }
        phi
    }

    #[test]
    fn matches_brute_force_shapley_and_adds_up() {
        let mut rng = Rng::new(11);
        let nf = 4;
        let n = 600;
        let mut x: Vec<f64> = (0..n * nf).map(|_| rng.unit()).collect();
        for i in 0..n {
            if rng.unit() < 0.1 {
                x[i * nf + 2] = f64::NAN;
            }
        }
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let r = &x[i * nf..(i + 1) * nf];
                if r[0] > 0.5 && (r[1] < 0.3 || r[2].is_nan()) || r[3] > 0.9 { 1.0 } else { 0.0 }
            })
            .collect();
        let p = Params { num_trees: 15, num_leaves: 8, min_data_in_leaf: 5, threads: 1, ..Params::default() };
        let b = train(&p, Matrix::new(&x, n, nf).unwrap(), &y, None).unwrap();
        let base = expected_value(&b);
        let mut phi = Vec::new();
        for i in 0..25 {
            let row = &x[i * nf..(i + 1) * nf];
            contributions(&b, row, &mut phi);
            let total: f64 = phi.iter().sum::<f64>() + base;
            assert!((total - b.predict_raw(row)).abs() < 1e-9, "row {i}: {total} vs {}", b.predict_raw(row));
            let exact = brute(&b, row);
            for (a, e) in phi.iter().zip(&exact) {
                assert!((a - e).abs() < 1e-9, "row {i}: {phi:?} vs {exact:?}");
            }
        }
    }
}
