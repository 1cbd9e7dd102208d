//! WebIDL integer conversions with `[EnforceRange]` (WebIDL "ConvertToInt" with the
//! `[EnforceRange]` extended attribute), for the dictionary members that carry it:
//! `RTCConfiguration.iceCandidatePoolSize` (`octet`, webrtc-pc §4.2.1) and
//! `RTCDataChannelInit.maxPacketLifeTime` / `maxRetransmits` / `id` (`unsigned short`,
//! webrtc-pc §6.2.11).
//!
//! `[EnforceRange]` throws a `TypeError` for NaN, infinities, and values outside the type's range
//! after truncation toward zero. The serde helpers apply the same rule to JSON numbers, so
//! `{"iceCandidatePoolSize": 3.7}` is 3 and `{"iceCandidatePoolSize": 256}` is an error; a JSON
//! `null` converts to 0 like ECMAScript's `ToNumber(null)`.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

use crate::RtcError;

/// `[EnforceRange]` conversion of `x` to an integer in `0..=upper`.
fn enforce_range(x: f64, upper: u16, type_name: &str) -> Result<u16, RtcError> {
    if !x.is_finite() {
        return Err(RtcError::type_error(format!(
            "value {x} is not a finite number ([EnforceRange] {type_name})"
        )));
    }
    let x = x.trunc();
    if x < 0.0 || x > f64::from(upper) {
        return Err(RtcError::type_error(format!(
            "value {x} is outside the range of {type_name} (0 to {upper})"
        )));
    }
    // In range and integral, so the conversion is exact.
    Ok(x as u16)
}

/// `[EnforceRange] octet`: 0 to 255.
pub fn enforce_range_octet(x: f64) -> Result<u8, RtcError> {
    enforce_range(x, u16::from(u8::MAX), "octet").map(|v| u8::try_from(v).unwrap_or(u8::MAX))
}

/// `[EnforceRange] unsigned short`: 0 to 65535.
pub fn enforce_range_unsigned_short(x: f64) -> Result<u16, RtcError> {
    enforce_range(x, u16::MAX, "unsigned short")
}

/// A serde visitor reading any JSON number as `f64` (the ECMAScript Number WebIDL converts from),
/// and `null` as 0, as ECMAScript's `ToNumber(null)` does.
struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        // Exact for every value in range; larger ones fail the range check either way.
        Ok(v as f64)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(0.0)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(0.0)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

/// serde `deserialize_with` for an `[EnforceRange] octet` member.
pub(crate) fn de_octet<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let x = d.deserialize_any(NumberVisitor)?;
    enforce_range_octet(x).map_err(de::Error::custom)
}

/// serde `deserialize_with` for an optional `[EnforceRange] unsigned short` member (an absent
/// member is `None` through `#[serde(default)]`; a present `null` is 0).
pub(crate) fn de_opt_unsigned_short<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<u16>, D::Error> {
    let x = d.deserialize_option(NumberVisitor)?;
    enforce_range_unsigned_short(x)
        .map(Some)
        .map_err(de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RtcErrorKind;

    #[test]
    fn octet() {
        assert_eq!(enforce_range_octet(0.0), Ok(0));
        assert_eq!(enforce_range_octet(255.0), Ok(255));
        assert_eq!(enforce_range_octet(255.9), Ok(255));
        assert_eq!(enforce_range_octet(3.7), Ok(3));
        assert_eq!(enforce_range_octet(-0.5), Ok(0));
        for bad in [
            256.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
        ] {
            let e = enforce_range_octet(bad).unwrap_err();
            assert_eq!(e.kind(), RtcErrorKind::TypeError, "{bad}");
        }
    }

    #[test]
    fn unsigned_short() {
        assert_eq!(enforce_range_unsigned_short(65535.0), Ok(65535));
        assert_eq!(enforce_range_unsigned_short(1.5), Ok(1));
        assert!(enforce_range_unsigned_short(65536.0).is_err());
        assert!(enforce_range_unsigned_short(-1.0).is_err());
        assert!(enforce_range_unsigned_short(f64::NAN).is_err());
    }
}
