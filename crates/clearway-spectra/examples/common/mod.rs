//! Shared by the examples: a seeded, dependency-free normal noise source.

/// About N(0, 1) (sum of 12 xorshift uniforms − 6), the same sequence for the same seed.
pub fn gaussian(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        let mut t = 0.0;
        for _ in 0..12 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            t += (seed >> 11) as f64 / (1u64 << 53) as f64;
        }
        t - 6.0
    }
}
