//! Trees compiled for fast batch scoring.
//!
//! Each tree of depth `d` (at most [`MAX_DEPTH`]) is stored as a *complete* binary tree: `2^d − 1` split
//! nodes in breadth-first order (16 bytes each: threshold and input column, nothing else) followed by
//! `2^d` leaf values. A leaf met above depth `d` is padded with "always left" nodes (threshold `+∞`),
//! so every row takes exactly `d` steps, `i ← 2i + 1 + [x > t]`, with no data-dependent branch: the
//! steps of many rows overlap in the processor. Scoring walks a block of rows through one tree before
//! moving to the next tree (trees outer, rows inner), so a tree and the block's rows stay in cache.
//!
//! Missing values: a split sends NaN left or right. The compiled input of a block holds, for every
//! (feature, missing-side) pair the trees use, the feature with NaN replaced by `−∞` (goes left) or `+∞`
//! (goes right); each node reads the column of its side, so the comparison `x > t` alone decides.
//! Results are bit-identical to [`Booster::predict_raw`]: same comparisons, same order of the sums.
//! A model the layout cannot hold (deeper trees, an infinite threshold) is scored tree by tree instead.

use crate::gbdt::{Booster, Matrix, Tree};

/// Deepest tree held in the complete layout (deeper models fall back to the node-by-node walk).
pub const MAX_DEPTH: usize = 10;
/// Rows per block.
const BLOCK: usize = 32;

#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Node {
    threshold: f64,
    /// Compiled column × `W`: the offset of the column in a row group.
    column: u32,
}

#[derive(Debug, Clone, Copy)]
struct TreeRef {
    depth: u32,
    nodes: u32,
    leaves: u32,
}

/// A booster compiled for batch scoring.
#[derive(Debug, Clone)]
pub struct Forest {
    init: f64,
    features: usize,
    /// Compiled input columns: (source feature, value standing for NaN).
    columns: Vec<(u32, f64)>,
    trees: Vec<TreeRef>,
    nodes: Vec<Node>,
    leaves: Vec<f64>,
    /// Set when the layout cannot hold the model: score through the original trees.
    fallback: bool,
    /// Fingerprint of the booster compiled (tree count, init score bits).
    pub(crate) key: (usize, u64),
}

impl Forest {
    pub fn new(b: &Booster) -> Forest {
        Forest::from_trees(b.init_score, b.features, &b.trees)
    }

    /// Compile trees reading `features` features, starting from `init`.
    pub fn from_trees(init: f64, features: usize, trees: &[Tree]) -> Forest {
        let mut f = Forest {
            init,
            features,
            columns: Vec::new(),
            trees: Vec::with_capacity(trees.len()),
            nodes: Vec::new(),
            leaves: Vec::new(),
            fallback: false,
            key: (trees.len(), init.to_bits()),
        };
        // Column of each (feature, missing goes left) pair, in order of first use.
        let mut col_of = vec![[u32::MAX; 2]; features];
        for t in trees {
            let d = t.depth();
            if d > MAX_DEPTH || t.nodes.iter().any(|n| n.threshold.is_infinite()) {
                f.fallback = true;
                return f;
            }
            let tr = TreeRef { depth: d as u32, nodes: f.nodes.len() as u32, leaves: f.leaves.len() as u32 };
            let n_int = (1usize << d) - 1;
            // 2^d nodes: the last is a pad, so node and leaf arrays share the index mask.
            f.nodes.resize(f.nodes.len() + n_int + 1, Node { threshold: f64::INFINITY, column: 0 });
            f.leaves.resize(f.leaves.len() + (1usize << d), 0.0);
            if t.nodes.is_empty() {
                f.leaves[tr.leaves as usize] = t.leaf_values[0];
            } else {
                // (original child, complete-tree position, depth)
                let mut stack = vec![(0i32, 0usize, 0usize)];
                while let Some((c, pos, depth)) = stack.pop() {
                    if c < 0 {
                        // A leaf at `depth`: its subtree of the complete tree is all "left" pads, and every
                        // leaf below it gets the value (only the leftmost is reachable).
                        let v = t.leaf_values[!c as usize];
                        let span = 1usize << (d - depth);
                        let mut first = pos;
                        for _ in depth..d {
                            first = 2 * first + 1;
                        }
                        let base = tr.leaves as usize + first - n_int;
                        f.leaves[base..base + span].fill(v);
                        continue;
                    }
                    let n = &t.nodes[c as usize];
                    let side = n.default_left as usize;
                    let slot = &mut col_of[n.feature as usize][side];
                    if *slot == u32::MAX {
                        *slot = f.columns.len() as u32;
                        f.columns.push((n.feature, if n.default_left { f64::NEG_INFINITY } else { f64::INFINITY }));
                    }
                    f.nodes[tr.nodes as usize + pos] = Node { threshold: n.threshold, column: *slot * W as u32 };
                    stack.push((n.left, 2 * pos + 1, depth + 1));
                    stack.push((n.right, 2 * pos + 2, depth + 1));
                }
            }
            f.trees.push(tr);
        }
        f
    }

    /// Raw scores of many rows (`out` is resized to the row count). Equal, bit for bit, to
    /// [`Booster::predict_raw`] of each row.
    pub fn predict_raw_batch(&self, b: &Booster, m: Matrix<'_>, out: &mut Vec<f64>) {
        out.clear();
        out.resize(m.rows, self.init);
        self.accumulate(&b.trees, m, out);
    }

    /// Add the trees' values of every row of `m` to `out` (one entry per row), in tree order. `trees` are
    /// the trees compiled (scored one by one when the layout could not hold them).
    pub fn accumulate(&self, trees: &[Tree], m: Matrix<'_>, out: &mut [f64]) {
        self.accumulate_with(trees, m, out, &mut Scratch::default());
    }

    /// [`Forest::accumulate`] with a reusable block buffer (for callers that score many times). Rows
    /// beyond the shorter of `out` and `m` are left alone.
    pub fn accumulate_with(&self, trees: &[Tree], m: Matrix<'_>, out: &mut [f64], scratch: &mut Scratch) {
        let rows = m.rows.min(out.len());
        let out = &mut out[..rows];
        if self.fallback || m.features < self.features || self.columns.len() > MAX_COLUMNS {
            for (i, o) in out.iter_mut().enumerate() {
                for t in trees {
                    *o += t.predict(m.row(i));
                }
            }
            return;
        }
        let groups = &mut scratch.0;
        if groups.len() < BLOCK / W {
            groups.resize(BLOCK / W, [0.0; W * MAX_COLUMNS]);
        }
        let mut start = 0;
        while start < rows {
            let end = (start + BLOCK).min(rows);
            for r in 0..end - start {
                let x = m.row(start + r);
                let g = &mut groups[r / W];
                for (c, &(src, nan)) in self.columns.iter().enumerate() {
                    let v = x[src as usize];
                    g[c * W + r % W] = if v.is_nan() { nan } else { v };
                }
            }
            let groups = &groups[..(end - start).div_ceil(W)];
            let o = &mut out[start..end];
            for t in &self.trees {
                let nodes = &self.nodes[t.nodes as usize..t.nodes as usize + (1usize << t.depth)];
                let leaves = &self.leaves[t.leaves as usize..t.leaves as usize + (1usize << t.depth)];
                match t.depth {
                    0 => o.iter_mut().for_each(|s| *s += leaves[0]),
                    1 => walk::<1>(nodes, leaves, groups, o),
                    2 => walk::<2>(nodes, leaves, groups, o),
                    3 => walk::<3>(nodes, leaves, groups, o),
                    4 => walk::<4>(nodes, leaves, groups, o),
                    5 => walk::<5>(nodes, leaves, groups, o),
                    6 => walk::<6>(nodes, leaves, groups, o),
                    7 => walk::<7>(nodes, leaves, groups, o),
                    8 => walk::<8>(nodes, leaves, groups, o),
                    9 => walk::<9>(nodes, leaves, groups, o),
                    _ => walk::<10>(nodes, leaves, groups, o),
                }
            }
            start = end;
        }
    }
}

/// Block buffer of the batch scorer, reusable across calls.
#[derive(Default)]
pub struct Scratch(Vec<Group>);

/// Rows walked side by side.
const W: usize = 8;
/// Most compiled input columns (beyond this the model is scored node by node).
pub const MAX_COLUMNS: usize = 256;
/// The compiled input of `W` rows, column-major (`g[column * W + row]`); fixed size, so indexing a column
/// masked to the group's size needs no bounds check. Only the model's columns are ever written or read.
type Group = [f64; W * MAX_COLUMNS];

/// One tree of depth `D` over a block of compiled rows: the `W` rows of a group walk side by side
/// (independent chains of loads the processor overlaps). `nodes` and `leaves` both hold `2^D` entries
/// (the last node is an unused pad), so the masked indices need no bounds checks either.
#[inline(always)]
fn walk<const D: usize>(nodes: &[Node], leaves: &[f64], groups: &[Group], out: &mut [f64]) {
    let mask = (1usize << D) - 1;
    let nodes = &nodes[..mask + 1];
    let leaves = &leaves[..mask + 1];
    for (g, out) in groups.iter().zip(out.chunks_mut(W)) {
        let mut idx = [0usize; W];
        for _ in 0..D {
            for (k, i) in idx.iter_mut().enumerate() {
                let n = nodes[*i & mask];
                *i = 2 * *i + 1 + (g[(n.column as usize + k) & (W * MAX_COLUMNS - 1)] > n.threshold) as usize;
            }
        }
        for (o, i) in out.iter_mut().zip(idx) {
            *o += leaves[(i - mask) & mask];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gbdt::{Params, Rng, train};

    #[test]
    fn bit_identical_to_the_node_walk_with_missing_values() {
        let mut rng = Rng::new(5);
        let (n, nf) = (3000, 6);
        let mut x: Vec<f64> = (0..n * nf).map(|_| rng.unit()).collect();
        for v in x.iter_mut() {
            if rng.unit() < 0.15 {
                *v = f64::NAN;
            }
        }
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let r = &x[i * nf..(i + 1) * nf];
                if r[0].is_nan() || r[0] + r[1] > 1.0 || r[2] > 0.9 { 1.0 } else { 0.0 }
            })
            .collect();
        for (leaves, depth) in [(12, 5), (31, 0), (2, 1), (7, 0)] {
            let p = Params {
                num_trees: 40,
                num_leaves: leaves,
                max_depth: depth,
                threads: 1,
                early_stopping_rounds: 0,
                ..Params::default()
            };
            let m = Matrix::new(&x, n, nf).unwrap();
            let b = train(&p, m, &y, None).unwrap();
            let f = Forest::new(&b);
            let mut out = Vec::new();
            f.predict_raw_batch(&b, m, &mut out);
            for i in 0..n {
                assert_eq!(out[i].to_bits(), b.predict_raw(m.row(i)).to_bits(), "row {i}, leaves {leaves}");
            }
        }
    }

    #[test]
    fn stumps_without_features_and_empty_input() {
        use crate::gbdt::{Booster, Objective};
        let b: Booster = serde_json::from_value(serde_json::json!({
            "objective": "binary", "features": 0, "init_score": 0.5,
            "trees": [{"nodes": [], "leaf_values": [0.25], "leaf_counts": [1.0]}]
        }))
        .unwrap();
        assert_eq!(b.objective, Objective::Binary);
        let mut out = Vec::new();
        b.predict_raw_batch(Matrix::new(&[], 3, 0).unwrap(), &mut out);
        assert_eq!(out, vec![0.75; 3]);
        b.predict_raw_batch(Matrix::new(&[], 0, 0).unwrap(), &mut out);
        assert!(out.is_empty());
    }
}
