//! A fast hasher for stream identifiers (small integers, not attacker-chosen in a way that
//! matters: at most 65,536 of them), used instead of SipHash on per-message lookups.

use std::hash::{BuildHasherDefault, Hasher};

/// Fibonacci hashing of one integer.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u16(&mut self, v: u16) {
        self.0 = (self.0 ^ u64::from(v)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A `HashMap` keyed by stream identifier.
pub(crate) type StreamMap<V> = std::collections::HashMap<u16, V, BuildHasherDefault<IdHasher>>;
