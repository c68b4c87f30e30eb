//! A thin, panic-free layer over [`ChaCha8Rng`] with the draws the generator needs.

use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;

/// The generator's random source. Every draw goes through here so that the stream is a pure
/// function of the seed.
pub(crate) struct R(pub ChaCha8Rng);

const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Letters that are never confused with digits (no I, O, Q), as VINs and many ids use.
const UPPER_CLEAR: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
const ALNUM_CLEAR: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

impl R {
    /// Uniform in [0, 1).
    pub fn u01(&mut self) -> f64 {
        // 53 random bits.
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.u01() < p
    }

    /// Uniform in 0..n; 0 when n is 0 or 1.
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 { 0 } else { self.0.random_range(0..n) }
    }

    /// Uniform integer in lo..=hi (lo when hi < lo).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { self.0.random_range(lo..=hi) }
    }

    /// Uniform in [lo, hi).
    pub fn float(&mut self, lo: f64, hi: f64) -> f64 {
        if hi <= lo { lo } else { lo + (hi - lo) * self.u01() }
    }

    /// Log-uniform in [lo, hi) (both positive): many small values, a few large ones.
    pub fn log_float(&mut self, lo: f64, hi: f64) -> f64 {
        if lo <= 0.0 || hi <= lo {
            return lo.max(0.0);
        }
        (lo.ln() + (hi.ln() - lo.ln()) * self.u01()).exp()
    }

    /// One element of a slice; `None` when empty.
    pub fn pick_opt<'a, T>(&mut self, s: &'a [T]) -> Option<&'a T> {
        s.get(self.below(s.len()))
    }

    /// One element of a static, non-empty table (falls back to `dflt` if it is empty).
    pub fn pick<T: Copy>(&mut self, s: &[T], dflt: T) -> T {
        self.pick_opt(s).copied().unwrap_or(dflt)
    }

    /// Index drawn with the given integer weights (0 when all weights are 0).
    pub fn weighted(&mut self, w: &[u32]) -> usize {
        let total: u64 = w.iter().map(|&x| x as u64).sum();
        if total == 0 {
            return 0;
        }
        let mut t = self.0.random_range(0..total);
        for (i, &x) in w.iter().enumerate() {
            if t < x as u64 {
                return i;
            }
            t -= x as u64;
        }
        w.len().saturating_sub(1)
    }

    /// Element of `(value, weight)` pairs.
    pub fn weighted_pick<T: Copy>(&mut self, s: &[(T, u32)], dflt: T) -> T {
        let total: u64 = s.iter().map(|&(_, x)| x as u64).sum();
        if total == 0 {
            return dflt;
        }
        let mut t = self.0.random_range(0..total);
        for &(v, x) in s {
            if t < x as u64 {
                return v;
            }
            t -= x as u64;
        }
        dflt
    }

    /// Index in `0..n` drawn with weights `w(i)`, without allocating; `None` if all are 0.
    pub fn weighted_by(&mut self, n: usize, w: impl Fn(usize) -> u32) -> Option<usize> {
        let total: u64 = (0..n).map(|i| w(i) as u64).sum();
        if total == 0 {
            return None;
        }
        let mut t = self.0.random_range(0..total);
        for i in 0..n {
            let x = w(i) as u64;
            if t < x {
                return Some(i);
            }
            t -= x;
        }
        None
    }

    /// A uniformly drawn index in `0..n` among those satisfying `keep`, without allocating.
    pub fn pick_where(&mut self, n: usize, keep: impl Fn(usize) -> bool) -> Option<usize> {
        self.weighted_by(n, |i| keep(i) as u32)
    }

    pub fn digit(&mut self) -> char {
        (b'0' + self.below(10) as u8) as char
    }

    pub fn push_digits(&mut self, out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(self.digit());
        }
    }

    pub fn push_upper(&mut self, out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(UPPER[self.below(UPPER.len())] as char);
        }
    }

    pub fn push_upper_clear(&mut self, out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(UPPER_CLEAR[self.below(UPPER_CLEAR.len())] as char);
        }
    }

    pub fn push_alnum(&mut self, out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(ALNUM_CLEAR[self.below(ALNUM_CLEAR.len())] as char);
        }
    }

    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}
