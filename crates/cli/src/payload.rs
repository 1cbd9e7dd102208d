//! The interop payloads (tests/interop/README.md, "Payloads"): the 65521-byte [`base`] table,
//! [`payload`] (binary messages), [`text`] (string messages of an exact UTF-8 size) and
//! [`echo_size`] (the `dc-echo` sizes). The Chromium peer (`node/peer.js`) and the aiortc peer
//! (`aiortc_peer.py`) compute the same bytes, so a message from any peer checks against any
//! other.

use std::sync::OnceLock;

/// The length of [`base`]: a prime, so a swapped or shifted fragment shows up.
pub const BASE_LEN: usize = 65_521;

/// The multiplier of [`base`] (Knuth's multiplicative hash constant, `0x9E3779B1`).
const MULTIPLIER: u32 = 2_654_435_761;

/// `BASE[i] = ((i * 2654435761) mod 2^32) >> 24` for `i` in `0..65521`.
pub fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        (0..BASE_LEN as u32)
            .map(|i| (i.wrapping_mul(MULTIPLIER) >> 24) as u8)
            .collect()
    })
}

/// `payload(seed, n)`: `n` bytes, byte `j` = `BASE[(seed*997 + j) mod 65521]`.
pub fn payload(seed: u64, n: usize) -> Vec<u8> {
    let base = base();
    // Reduced modulo BASE_LEN, so the conversion to usize is exact.
    let start = ((seed % BASE_LEN as u64) * 997 % BASE_LEN as u64) as usize;
    let mut out = Vec::with_capacity(n);
    let mut k = start;
    while out.len() < n {
        let take = (n - out.len()).min(BASE_LEN - k);
        out.extend_from_slice(&base[k..k + take]);
        k = 0;
    }
    out
}

/// `text(seed, n)`: a string of exactly `n` UTF-8 bytes: for `j < n-3` (all `j < n` when
/// `n < 3`) the character `0x21 + payload(seed, n)[j] mod 94`, then `€` (U+20AC, 3 bytes)
/// when `n >= 3`.
pub fn text(seed: u64, n: usize) -> String {
    let bytes = payload(seed, n);
    let ascii = if n >= 3 { n - 3 } else { n };
    let mut s: String = bytes
        .iter()
        .take(ascii)
        .map(|b| char::from(0x21 + b % 94))
        .collect();
    if n >= 3 {
        s.push('\u{20ac}');
    }
    s
}

/// The size of the `dc-echo` messages of round `i` (0..50): `1 + floor(i^3 * 16383 / 117649)`,
/// from 1 B to 16 KiB.
pub fn echo_size(i: u64) -> usize {
    // 49^3 * 16383 fits a u64 many times over; the result is at most 16384.
    (1 + i * i * i * 16_383 / 117_649) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_first_values_from_the_hex_multiplier() {
        // 0x9E3779B1 * i mod 2^32, top byte: 0x00, 0x9E, 0x3C (0x1_3C6E_F362), 0xDA (0x1_DAA6_6D13).
        assert_eq!(&base()[..4], &[0, 0x9e, 0x3c, 0xda]);
        assert_eq!(base().len(), BASE_LEN);
    }

    #[test]
    fn payload_starts_at_seed_times_997() {
        // seed 0 starts at BASE[0]; seed 1 at BASE[997].
        assert_eq!(payload(0, 4), base()[..4].to_vec());
        assert_eq!(payload(1, 3), base()[997..1000].to_vec());
        // 997 * 0x9E3779B1 = 0x268_2E0C_EE55: mod 2^32 0x2E0CEE55, top byte 0x2E = 46.
        assert_eq!(payload(1, 1), vec![46]);
        assert!(payload(7, 0).is_empty());
    }

    #[test]
    fn payload_wraps_around_the_prime() {
        // seed 65 starts at 65 * 997 mod 65521 = 64805: byte 715 is BASE[65520], byte 716 BASE[0].
        let p = payload(65, 720);
        assert_eq!(p[715], base()[BASE_LEN - 1]);
        assert_eq!(&p[716..720], &[0, 0x9e, 0x3c, 0xda]);
        // Larger than BASE: wraps again.
        let big = payload(3000, 262_144);
        assert_eq!(big.len(), 262_144);
        assert_eq!(big[..BASE_LEN], big[BASE_LEN..2 * BASE_LEN]);
    }

    #[test]
    fn text_has_the_exact_utf8_size() {
        // payload(0, 1) = [0] -> "!" (0x21 + 0).
        assert_eq!(text(0, 1), "!");
        assert_eq!(text(0, 0), "");
        // payload(0, 3) = [0, 158, 60]: n >= 3, so no ASCII and just the euro sign.
        assert_eq!(text(0, 3), "\u{20ac}");
        // payload(0, 5) = [0, 158, 60, 218, 120]: 0x21 + 0 = '!', 0x21 + 158 % 94 = 0x21 + 64 = 'a'.
        assert_eq!(text(0, 5), "!a\u{20ac}");
        for n in [0, 1, 2, 3, 4, 100, 16_384] {
            assert_eq!(text(9, n).len(), n);
        }
    }

    #[test]
    fn echo_sizes_run_from_one_byte_to_16_kib() {
        // i = 10: 1000 * 16383 / 117649 = 139.25 -> 140; i = 25: 15625 * 16383 / 117649 = 2175.8 -> 2176.
        assert_eq!(echo_size(0), 1);
        assert_eq!(echo_size(1), 1);
        assert_eq!(echo_size(10), 140);
        assert_eq!(echo_size(25), 2176);
        assert_eq!(echo_size(49), 16_384);
    }
}
