//! The generator's source of randomness: SplitMix64, written out here on purpose.
//!
//! A scenario must be byte-identical for the same seed on every machine, compiler and
//! dependency update. `rand`'s `StdRng` explicitly does not promise a stable stream across
//! versions, so the generator uses SplitMix64 (Steele, Lea & Flood, 2014; the seeding
//! generator of `java.util.SplittableRandom` and of xoshiro): ten lines, a 64-bit state, good
//! statistical quality for simulation and, being defined by these lines, stable forever.

/// A SplitMix64 pseudo-random number generator with the helpers the stories need.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole stream is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An independent generator for one part of the scenario (one customer, one story), so
    /// that adding randomness to one part does not shift the numbers every other part sees.
    pub fn fork(&mut self) -> SplitMix64 {
        SplitMix64::new(self.next_u64())
    }

    /// A uniform float in `[0, 1)` (53 random bits).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniform integer in `lo..=hi` (`lo` when `hi < lo`).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    /// A uniform index below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// One element of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given relative weights.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// An exponentially distributed waiting time with the given mean (inter-arrival times of
    /// a Poisson process).
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * portable_ln(1.0 - self.unit())
    }
}

/// The natural logarithm from additions, multiplications and divisions only.
///
/// `f64::ln` calls the platform's maths library, whose last bit may differ between systems;
/// a scenario must not. IEEE 754 rounds `+ - * /` exactly the same everywhere, so this
/// version (exponent split off, then `ln m = 2·atanh((m−1)/(m+1))` as a fixed series) gives
/// the same bits on every machine, within 1e-15 of the true value. Only positive, finite
/// inputs are meaningful; anything else gives 0.
pub fn portable_ln(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 0.0;
    }
    let bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if exponent == -1023 {
        // Subnormal: normalise by hand.
        let scaled = x * (1u64 << 54) as f64;
        let bits = scaled.to_bits();
        exponent = ((bits >> 52) & 0x7ff) as i64 - 1023 - 54;
        mantissa = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    }
    // Keep the mantissa in [sqrt(1/2), sqrt(2)) so the series converges fast.
    if mantissa > std::f64::consts::SQRT_2 {
        mantissa /= 2.0;
        exponent += 1;
    }
    let y = (mantissa - 1.0) / (mantissa + 1.0);
    let y2 = y * y;
    let mut term = y;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..30 {
        sum += term / k;
        term *= y2;
        k += 2.0;
    }
    2.0 * sum + exponent as f64 * std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_fixed_by_the_seed() {
        // Reference values of SplitMix64 for seed 0 (as published with the algorithm).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn the_portable_logarithm_matches_the_platform_one() {
        for x in [
            1e-300, 1e-9, 0.001, 0.25, 0.5, 0.7, 0.72, 1.0, 1.5, 2.0, 10.0, 1e12,
        ] {
            let (ours, std) = (portable_ln(x), x.ln());
            assert!(
                (ours - std).abs() <= 1e-14 * std.abs().max(1.0),
                "{x}: {ours} vs {std}"
            );
        }
        assert_eq!(portable_ln(0.0), 0.0);
        assert_eq!(portable_ln(-1.0), 0.0);
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..1000 {
            let x = rng.between(3, 5);
            assert!((3..=5).contains(&x));
            assert!(rng.unit() < 1.0);
            assert!(rng.below(4) < 4);
            assert!(rng.weighted(&[1.0, 0.0, 2.0]) != 1);
        }
    }
}
