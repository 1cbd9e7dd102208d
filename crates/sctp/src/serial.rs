//! Serial number arithmetic (RFC 1982, as RFC 9260 §1.6 uses it for TSNs and SSNs).
//!
//! Internally every TSN and SSN is kept "unwrapped" as a `u64` that never wraps; these helpers
//! convert a 32- or 16-bit wire value into the unwrapped value closest to a reference point.

/// Unwraps a 32-bit TSN `wire` to the `u64` nearest `reference` (an unwrapped TSN).
/// Returns `None` if that value would be negative.
#[inline]
pub(crate) fn unwrap_tsn(reference: u64, wire: u32) -> Option<u64> {
    let delta = wire.wrapping_sub(reference as u32) as i32 as i64;
    reference.checked_add_signed(delta)
}

/// Unwraps a 16-bit SSN `wire` to the `u64` nearest `reference`.
#[inline]
pub(crate) fn unwrap_ssn(reference: u64, wire: u16) -> Option<u64> {
    let delta = wire.wrapping_sub(reference as u16) as i16 as i64;
    reference.checked_add_signed(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrapping_across_the_wrap() {
        let r = (1u64 << 32) - 2; // wire 0xffff_fffe
        assert_eq!(unwrap_tsn(r, 0xffff_ffff), Some(r + 1));
        assert_eq!(unwrap_tsn(r, 0), Some(r + 2));
        assert_eq!(unwrap_tsn(r, 5), Some(r + 7));
        assert_eq!(unwrap_tsn(r, 0xffff_fff0), Some(r - 14));
        assert_eq!(unwrap_tsn(3, 0xffff_fff0), None);
        assert_eq!(unwrap_ssn(65535, 0), Some(65536));
        assert_eq!(unwrap_ssn(65536, 65535), Some(65535));
        assert_eq!(unwrap_ssn(0, 1), Some(1));
    }
}
