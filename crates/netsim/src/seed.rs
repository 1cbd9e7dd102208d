//! Seeds for reproducible simulations: [`seed`] picks one (or takes `NETSIM_SEED`), and
//! [`SeedGuard`] prints it when the test fails, so the failing run can be replayed exactly.

use rtcpeer_types::Rng;

/// The environment variable that fixes the seed: `NETSIM_SEED=1234` (decimal) or `0x4d2` (hex).
pub const SEED_ENV: &str = "NETSIM_SEED";

/// The seed for this run: `NETSIM_SEED` if set, else a fresh random one.
///
/// Pass it to [`Network::new`](crate::Network::new) (which prints it if the test panics) or keep a
/// [`SeedGuard`].
///
/// # Panics
/// If `NETSIM_SEED` is set but is not a decimal or `0x` hexadecimal `u64`: a mistyped seed must
/// not silently become a random one.
pub fn seed() -> u64 {
    match std::env::var(SEED_ENV) {
        Ok(s) => parse_seed(&s)
            .unwrap_or_else(|| panic!("{SEED_ENV}={s:?} is not a decimal or 0x-hex u64")),
        Err(_) => Rng::from_entropy().u64(),
    }
}

/// Parses a seed written in decimal or `0x` hexadecimal.
pub fn parse_seed(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The line printed when a test using this seed fails.
pub fn rerun_hint(seed: u64) -> String {
    format!("netsim seed = {seed} (rerun with {SEED_ENV}={seed})")
}

/// Prints the seed to stderr if dropped while the thread panics (a failing test).
#[derive(Debug)]
pub struct SeedGuard {
    seed: u64,
}

impl SeedGuard {
    /// A guard for `seed`.
    pub fn new(seed: u64) -> Self {
        SeedGuard { seed }
    }

    /// A guard for [`seed()`].
    pub fn from_env() -> Self {
        Self::new(seed())
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

impl Drop for SeedGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", rerun_hint(self.seed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_and_hex() {
        assert_eq!(parse_seed("1234"), Some(1234));
        assert_eq!(parse_seed(" 0x4d2 "), Some(1234));
        assert_eq!(parse_seed("0XFF"), Some(255));
        assert_eq!(parse_seed("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_seed("-1"), None);
        assert_eq!(parse_seed("0xg"), None);
        assert_eq!(parse_seed(""), None);
    }

    #[test]
    fn hint_names_the_variable() {
        assert_eq!(
            rerun_hint(42),
            "netsim seed = 42 (rerun with NETSIM_SEED=42)"
        );
        assert_eq!(SeedGuard::new(42).seed(), 42);
    }
}
