//! Exact per-feature contributions of one row (path-dependent TreeSHAP, Lundberg et al. 2018).
//!
//! Two implementations of the same quantity:
//! - [`contributions_reference`]: the published recursion. For each tree it walks every root-to-leaf path
//!   once, keeping for the features met on the path the share of training rows that would follow it with
//!   the feature unknown ("zero fraction", node counts) and whether the row itself follows it ("one
//!   fraction"), and the permutation weights of each subset size.
//! - [`contributions`] (the one used): the same sums, with everything that does not depend on the row
//!   precomputed per leaf when the model is compiled ([`Explainer`]). For a leaf with value `v` whose path
//!   meets the distinct features `F` (`d = |F|`), with zero fractions `z_j` and the set `O ⊆ F` of features
//!   whose path conditions the row satisfies, the leaf adds to feature `i`
//!   `φ_i += v (o_i − z_i) Σ_{S ⊆ O∖{i}} w(|S|, d) Π_{j ∈ F∖{i}∖S} z_j`, `w(s, d) = s! (d−s−1)! / d!`.
//!   Splitting the product, this is `(1 − z_i)·T(O∖{i})·Z(O)` when `i ∈ O` and `−z_i·T(O)·Z(O ∪ {i})`
//!   otherwise, where `T(M) = v Σ_{S⊆M} w(|S|, d) Π_{j∈M∖S} z_j` and `Z(M) = Π_{j∈F∖M} z_j` are tables over
//!   the `2^d` subsets, built once per leaf. Scoring a row then costs, per tree, one comparison per node
//!   (the row's direction at every node, as a bit mask) and, per leaf, `d` mask tests and `d` products of
//!   two table entries: no recursion, no allocation. Trees too deep for the tables (more than
//!   [`MAX_PATH_FEATURES`] distinct features on a path or more than 64 nodes) use the recursion.
//!
//! Contributions plus the expected value add up to the raw score exactly (to rounding); both
//! implementations agree with brute-force Shapley values on small trees (tested).

use crate::gbdt::{Booster, Tree};

/// Most distinct features on one path for the tabulated form (tables have `2^d` entries per leaf).
pub const MAX_PATH_FEATURES: usize = 8;

#[derive(Debug, Clone, Copy)]
struct ENode {
    threshold: f64,
    feature: u32,
    default_left: bool,
}

#[derive(Debug, Clone, Copy)]
struct ETree {
    /// Index of the tree in the booster (for the recursion fallback).
    index: u32,
    tabulated: bool,
    nodes: u32,
    n_nodes: u32,
    leaves: u32,
    n_leaves: u32,
}

#[derive(Debug, Clone, Copy)]
struct ELeaf {
    slots: u32,
    d: u32,
    table: u32,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Nodes on the path that test this feature (bits of the tree's node indices).
    mask: u64,
    /// Of those, the ones the path leaves to the left.
    want: u64,
    zero: f64,
    feature: u32,
}

/// A booster compiled for explanations (see the module documentation).
#[derive(Debug, Clone)]
pub struct Explainer {
    features: usize,
    trees: Vec<ETree>,
    nodes: Vec<ENode>,
    leaves: Vec<ELeaf>,
    slots: Vec<Slot>,
    /// Per leaf, `2^d` pairs `(T(M), Z(M))`.
    tables: Vec<(f64, f64)>,
    pub(crate) key: (usize, u64),
}

impl Explainer {
    pub fn new(b: &Booster) -> Explainer {
        let mut e = Explainer {
            features: b.features,
            trees: Vec::with_capacity(b.trees.len()),
            nodes: Vec::new(),
            leaves: Vec::new(),
            slots: Vec::new(),
            tables: Vec::new(),
            key: b.key(),
        };
        // Shapley weights w(s, d) for d up to MAX_PATH_FEATURES.
        let fact = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
        let w = |s: usize, d: usize| fact(s) * fact(d - s - 1) / fact(d);
        for (ti, t) in b.trees.iter().enumerate() {
            if t.nodes.is_empty() {
                continue;
            }
            let mark = (e.nodes.len(), e.leaves.len(), e.slots.len(), e.tables.len());
            let mut et = ETree {
                index: ti as u32,
                tabulated: t.nodes.len() <= 64,
                nodes: e.nodes.len() as u32,
                n_nodes: t.nodes.len() as u32,
                leaves: e.leaves.len() as u32,
                n_leaves: 0,
            };
            if et.tabulated {
                e.nodes.extend(t.nodes.iter().map(|n| ENode {
                    threshold: n.threshold,
                    feature: n.feature,
                    default_left: n.default_left,
                }));
                // Depth-first over the paths: (child, path of (node, went left)).
                let mut stack: Vec<(i32, Vec<(usize, bool)>)> = vec![(0, Vec::new())];
                while let Some((c, path)) = stack.pop() {
                    if c >= 0 {
                        let n = &t.nodes[c as usize];
                        let mut l = path.clone();
                        l.push((c as usize, true));
                        let mut r = path;
                        r.push((c as usize, false));
                        stack.push((n.right, r));
                        stack.push((n.left, l));
                        continue;
                    }
                    let v = t.leaf_values[!c as usize];
                    let mut slots: Vec<Slot> = Vec::new();
                    for &(ni, left) in &path {
                        let n = &t.nodes[ni];
                        let child = if left { n.left } else { n.right };
                        let ratio = count_of(t, child) / n.count.max(1e-12);
                        let bit = 1u64 << ni;
                        match slots.iter_mut().find(|s| s.feature == n.feature) {
                            Some(s) => {
                                s.mask |= bit;
                                s.want |= if left { bit } else { 0 };
                                s.zero *= ratio;
                            }
                            None => slots.push(Slot {
                                mask: bit,
                                want: if left { bit } else { 0 },
                                zero: ratio,
                                feature: n.feature,
                            }),
                        }
                    }
                    let d = slots.len();
                    if d > MAX_PATH_FEATURES {
                        et.tabulated = false;
                        break;
                    }
                    e.leaves.push(ELeaf { slots: e.slots.len() as u32, d: d as u32, table: e.tables.len() as u32 });
                    for m in 0..1usize << d {
                        // Elementary symmetric polynomials of the zero fractions in M.
                        let mut el = [0.0f64; MAX_PATH_FEATURES + 1];
                        el[0] = 1.0;
                        let mut size = 0;
                        for (j, s) in slots.iter().enumerate() {
                            if m & (1 << j) != 0 {
                                size += 1;
                                for k in (1..=size).rev() {
                                    el[k] += s.zero * el[k - 1];
                                }
                            }
                        }
                        // T(M) = v Σ_k w(|M| − k, d) e_k (|M| = d is never read).
                        let tm = if size < d { v * (0..=size).map(|k| w(size - k, d) * el[k]).sum::<f64>() } else { 0.0 };
                        let zm: f64 =
                            slots.iter().enumerate().filter(|(j, _)| m & (1 << j) == 0).map(|(_, s)| s.zero).product();
                        e.tables.push((tm, zm));
                    }
                    e.slots.extend(slots);
                    et.n_leaves += 1;
                }
            }
            if !et.tabulated {
                e.nodes.truncate(mark.0);
                e.leaves.truncate(mark.1);
                e.slots.truncate(mark.2);
                e.tables.truncate(mark.3);
                et = ETree { index: ti as u32, tabulated: false, nodes: 0, n_nodes: 0, leaves: 0, n_leaves: 0 };
            }
            e.trees.push(et);
        }
        e
    }

    /// Contributions of each feature to the raw score of `x` (`phi` is resized to the feature count).
    pub fn contributions(&self, b: &Booster, x: &[f64], phi: &mut Vec<f64>) {
        phi.clear();
        phi.resize(self.features, 0.0);
        let mut buf: Vec<PathElem> = Vec::new();
        for t in &self.trees {
            if !t.tabulated {
                let tree = &b.trees[t.index as usize];
                if buf.is_empty() {
                    let max_depth = b.trees.iter().map(Tree::depth).max().unwrap_or(0) + 2;
                    buf = vec![PathElem::default(); (max_depth + 1) * (max_depth + 2) / 2 + 4];
                }
                recurse(tree, x, phi, 0, &mut buf, 0, 0, 1.0, 1.0, -1);
                continue;
            }
            // The row's direction at every node.
            let mut dec = 0u64;
            for (k, n) in self.nodes[t.nodes as usize..(t.nodes + t.n_nodes) as usize].iter().enumerate() {
                let v = x.get(n.feature as usize).copied().unwrap_or(f64::NAN);
                let left = if n.default_left { !(v > n.threshold) } else { v <= n.threshold };
                dec |= (left as u64) << k;
            }
            for l in &self.leaves[t.leaves as usize..(t.leaves + t.n_leaves) as usize] {
                let slots = &self.slots[l.slots as usize..(l.slots + l.d) as usize];
                let tab = &self.tables[l.table as usize..l.table as usize + (1usize << l.d)];
                let mut o = 0usize;
                for (j, s) in slots.iter().enumerate() {
                    o |= (((dec & s.mask) == s.want) as usize) << j;
                }
                let (t_o, z_o) = tab[o];
                for (j, s) in slots.iter().enumerate() {
                    let bit = 1usize << j;
                    let c = if o & bit != 0 { (1.0 - s.zero) * tab[o ^ bit].0 * z_o } else { -s.zero * t_o * tab[o | bit].1 };
                    phi[s.feature as usize] += c;
                }
            }
        }
    }
}

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

/// Contributions of each feature to the raw score of `x` (length = features), through the booster's
/// compiled [`Explainer`] (built on first use).
pub fn contributions(b: &Booster, x: &[f64], phi: &mut Vec<f64>) {
    b.explainer().contributions(b, x, phi);
}

/// The same contributions by the published recursion (kept as the reference the tabulated form is
/// tested against).
pub fn contributions_reference(b: &Booster, x: &[f64], phi: &mut Vec<f64>) {
    phi.clear();
    phi.resize(b.features, 0.0);
    let max_depth = b.trees.iter().map(Tree::depth).max().unwrap_or(0) + 2;
    let mut buf = vec![PathElem::default(); (max_depth + 1) * (max_depth + 2) / 2 + 4];
    for t in &b.trees {
        if t.nodes.is_empty() {
            continue;
        }
        recurse(t, x, phi, 0, &mut buf, 0, 0, 1.0, 1.0, -1);
    }
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
            let mut reference = Vec::new();
            contributions_reference(&b, row, &mut reference);
            for (a, r) in phi.iter().zip(&reference) {
                assert!((a - r).abs() < 1e-12, "row {i}: {phi:?} vs reference {reference:?}");
            }
            let total: f64 = phi.iter().sum::<f64>() + base;
            assert!((total - b.predict_raw(row)).abs() < 1e-9, "row {i}: {total} vs {}", b.predict_raw(row));
            let exact = brute(&b, row);
            for (a, e) in phi.iter().zip(&exact) {
                assert!((a - e).abs() < 1e-9, "row {i}: {phi:?} vs {exact:?}");
            }
        }
    }

    /// Deep trees with many distinct features on a path: some trees use the tables, the others the
    /// recursion; both add up and agree with the reference.
    #[test]
    fn deep_trees_fall_back_and_agree() {
        let mut rng = Rng::new(23);
        let (n, nf) = (4000, 14);
        let x: Vec<f64> = (0..n * nf).map(|_| if rng.unit() < 0.05 { f64::NAN } else { rng.unit() }).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let r = &x[i * nf..(i + 1) * nf];
                let s: f64 = r.iter().filter(|v| !v.is_nan()).sum();
                if s > 7.0 || r[3] > 0.95 { 1.0 } else { 0.0 }
            })
            .collect();
        let p = Params { num_trees: 20, num_leaves: 40, min_data_in_leaf: 5, threads: 1, ..Params::default() };
        let b = train(&p, Matrix::new(&x, n, nf).unwrap(), &y, None).unwrap();
        let e = Explainer::new(&b);
        assert!(e.trees.iter().any(|t| t.tabulated), "no tabulated tree");
        let base = expected_value(&b);
        let (mut phi, mut reference) = (Vec::new(), Vec::new());
        for i in 0..200 {
            let row = &x[i * nf..(i + 1) * nf];
            e.contributions(&b, row, &mut phi);
            contributions_reference(&b, row, &mut reference);
            let scale = reference.iter().map(|v| v.abs()).sum::<f64>().max(1.0);
            for (a, r) in phi.iter().zip(&reference) {
                assert!((a - r).abs() < 1e-12 * scale, "row {i}");
            }
            let total: f64 = phi.iter().sum::<f64>() + base;
            assert!((total - b.predict_raw(row)).abs() < 1e-9);
        }
    }
}
