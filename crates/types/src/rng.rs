//! [`Rng`]: the one source of randomness every machine is handed.
//!
//! It is ChaCha20 (a cryptographically secure generator), so the same type serves ICE
//! credentials, SCTP verification tags and DTLS randoms in production, seeded from the operating
//! system by [`Rng::from_entropy`], and reproducible simulations, seeded by [`Rng::from_seed`].
//! [`Rng::fork`] derives an independent generator for a child machine, so adding a machine does
//! not shift the numbers every other machine sees.

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};

/// Characters allowed in ICE ufrag and pwd (RFC 8839 §5.4 `ice-char`: ALPHA / DIGIT / "+" / "/").
const ICE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A seeded, cryptographically secure random number generator.
#[derive(Clone, Debug)]
pub struct Rng(ChaCha20Rng);

impl Rng {
    /// A generator that replays the same numbers for the same seed (tests, simulations).
    pub fn from_seed(seed: u64) -> Self {
        Rng(ChaCha20Rng::seed_from_u64(seed))
    }

    /// A generator seeded from the operating system's entropy (production).
    ///
    /// # Panics
    /// Only if the operating system cannot provide entropy at all, which no supported platform does.
    pub fn from_entropy() -> Self {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).expect("the operating system provides entropy");
        Rng(ChaCha20Rng::from_seed(seed))
    }

    /// A new independent generator derived from this one, for a child machine.
    pub fn fork(&mut self) -> Self {
        let mut seed = [0u8; 32];
        self.0.fill_bytes(&mut seed);
        Rng(ChaCha20Rng::from_seed(seed))
    }

    /// A uniformly random `u32`.
    pub fn u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// A uniformly random `u64`.
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_bytes(buf);
    }

    /// A uniformly random value in `low..high` (without modulo bias). Returns `low` if the range
    /// is empty.
    pub fn range_u64(&mut self, low: u64, high: u64) -> u64 {
        if high <= low {
            return low;
        }
        let span = high - low;
        // Reject the top partial bucket so every value is equally likely.
        let zone = u64::MAX - (u64::MAX - span + 1) % span;
        loop {
            let v = self.u64();
            if v <= zone {
                return low + v % span;
            }
        }
    }

    /// A uniformly random float in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p` (clamped to `[0, 1]`).
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// A random string of `len` ICE characters (RFC 8839 `ice-char`), for ufrag and pwd.
    pub fn ice_string(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| ICE_CHARS[self.range_u64(0, ICE_CHARS.len() as u64) as usize] as char)
            .collect()
    }
}

impl RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}

impl CryptoRng for Rng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let mut a = Rng::from_seed(7);
        let mut b = Rng::from_seed(7);
        assert_eq!(a.u64(), b.u64());
        assert_eq!(a.fork().u64(), b.fork().u64());
        assert_ne!(Rng::from_seed(8).u64(), Rng::from_seed(7).u64());
    }

    #[test]
    fn entropy_generators_differ() {
        assert_ne!(Rng::from_entropy().u64(), Rng::from_entropy().u64());
    }

    #[test]
    fn range_and_chance_stay_in_bounds() {
        let mut r = Rng::from_seed(1);
        for _ in 0..10_000 {
            let v = r.range_u64(10, 13);
            assert!((10..13).contains(&v));
            let f = r.f64();
            assert!((0.0..1.0).contains(&f));
        }
        assert_eq!(r.range_u64(5, 5), 5);
        assert!(!r.chance(0.0));
        assert!(r.chance(1.0));
        let mut seen = [0u32; 3];
        for _ in 0..3000 {
            seen[(r.range_u64(0, 3)) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 800), "{seen:?}");
    }

    #[test]
    fn ice_strings_use_ice_chars() {
        let s = Rng::from_seed(3).ice_string(24);
        assert_eq!(s.len(), 24);
        assert!(s.bytes().all(|c| ICE_CHARS.contains(&c)));
    }
}
