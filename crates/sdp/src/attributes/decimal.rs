//! Decimal numbers as RFC 8866 §6.4–6.5 writes `ptime`, `maxptime` and `framerate`
//! (`non-zero-int-or-real`: `20`, `29.97`), kept as written so they round-trip exactly.

use std::fmt;
use std::str::FromStr;

use crate::ValueError;

/// A non-negative decimal number in SDP notation: digits, optionally a point and more digits.
///
/// The text is kept as written (`30` and `30.0` stay distinct) so that writing reproduces it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    /// The text, e.g. `"29.97"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a float.
    pub fn as_f64(&self) -> f64 {
        self.0.parse().unwrap_or(0.0)
    }
}

impl From<u32> for Decimal {
    fn from(v: u32) -> Self {
        Decimal(v.to_string())
    }
}

impl FromStr for Decimal {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
            return Err(ValueError::Invalid("decimal number"));
        }
        Ok(Decimal(s.to_owned()))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_integers_and_reals_only() {
        assert_eq!("20".parse::<Decimal>().map(|d| d.as_f64()), Ok(20.0));
        assert_eq!(
            "29.97".parse::<Decimal>().map(|d| d.to_string()),
            Ok("29.97".into())
        );
        for bad in ["", ".5", "5.", "-1", "1e3", "NaN", "inf", "+2", "1.2.3"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
        assert_eq!(Decimal::from(30).as_str(), "30");
    }
}
