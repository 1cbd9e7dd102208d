//! Timing lines: `t=` (RFC 8866 §5.9), `r=` (§5.10) and `z=` (§5.11), grouped as the §9 ABNF
//! `time-description` does. `z=` is accepted after `t=` even without `r=` (RFC 4566 allowed it).

use std::fmt;
use std::str::FromStr;

use crate::ValueError;
use crate::lex::digits;

/// The unit suffix of a typed time (`d`, `h`, `m`, `s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `d`: days.
    Days,
    /// `h`: hours.
    Hours,
    /// `m`: minutes.
    Minutes,
    /// `s`: seconds.
    Seconds,
}

impl TimeUnit {
    fn letter(self) -> char {
        match self {
            TimeUnit::Days => 'd',
            TimeUnit::Hours => 'h',
            TimeUnit::Minutes => 'm',
            TimeUnit::Seconds => 's',
        }
    }

    fn seconds(self) -> u64 {
        match self {
            TimeUnit::Days => 86_400,
            TimeUnit::Hours => 3_600,
            TimeUnit::Minutes => 60,
            TimeUnit::Seconds => 1,
        }
    }
}

/// `typed-time = 1*DIGIT [fixed-len-time-unit]`, e.g. `7d`, `3600`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypedTime {
    /// The number.
    pub value: u64,
    /// The unit, if written (otherwise seconds).
    pub unit: Option<TimeUnit>,
}

impl TypedTime {
    /// The duration in seconds (saturating).
    pub fn seconds(&self) -> u64 {
        self.value
            .saturating_mul(self.unit.map_or(1, TimeUnit::seconds))
    }
}

impl FromStr for TypedTime {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        const UNITS: [(char, TimeUnit); 4] = [
            ('d', TimeUnit::Days),
            ('h', TimeUnit::Hours),
            ('m', TimeUnit::Minutes),
            ('s', TimeUnit::Seconds),
        ];
        let (num, unit) = UNITS
            .iter()
            .find_map(|&(c, u)| s.strip_suffix(c).map(|n| (n, Some(u))))
            .unwrap_or((s, None));
        Ok(TypedTime {
            value: digits(num).ok_or(ValueError::Invalid("typed-time"))?,
            unit,
        })
    }
}

impl fmt::Display for TypedTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)?;
        if let Some(u) = self.unit {
            write!(f, "{}", u.letter())?;
        }
        Ok(())
    }
}

/// `r=<repeat interval> <active duration> <offsets from start-time>` (RFC 8866 §5.10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepeatTime {
    /// How often the session repeats.
    pub interval: TypedTime,
    /// How long each repetition lasts.
    pub duration: TypedTime,
    /// The offsets of each repetition from the start time (at least one).
    pub offsets: Vec<TypedTime>,
}

impl FromStr for RepeatTime {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut it = s.split(' ');
        let interval: TypedTime = it
            .next()
            .ok_or(ValueError::Missing("repeat interval"))?
            .parse()?;
        if interval.value == 0 {
            return Err(ValueError::Invalid("repeat interval"));
        }
        let duration = it
            .next()
            .ok_or(ValueError::Missing("active duration"))?
            .parse()?;
        let offsets = it.map(str::parse).collect::<Result<Vec<_>, _>>()?;
        if offsets.is_empty() {
            return Err(ValueError::Missing("offset"));
        }
        Ok(RepeatTime {
            interval,
            duration,
            offsets,
        })
    }
}

impl fmt::Display for RepeatTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.interval, self.duration)?;
        for o in &self.offsets {
            write!(f, " {o}")?;
        }
        Ok(())
    }
}

/// One `<adjustment time> [-]<offset>` pair of a `z=` line (RFC 8866 §5.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZoneAdjustment {
    /// When the adjustment takes effect (seconds since 1900).
    pub time: u64,
    /// Whether the offset is negative.
    pub negative: bool,
    /// The offset.
    pub offset: TypedTime,
}

/// Parses the value of a `z=` line.
pub(crate) fn parse_zone(s: &str) -> Result<Vec<ZoneAdjustment>, ValueError> {
    let mut it = s.split(' ');
    let mut out = Vec::new();
    while let Some(time) = it.next() {
        let time = digits(time).ok_or(ValueError::Invalid("adjustment time"))?;
        let off = it.next().ok_or(ValueError::Missing("offset"))?;
        let (negative, off) = match off.strip_prefix('-') {
            Some(o) => (true, o),
            None => (false, off),
        };
        out.push(ZoneAdjustment {
            time,
            negative,
            offset: off.parse()?,
        });
    }
    Ok(out)
}

/// Writes the value of a `z=` line.
pub(crate) fn fmt_zone(f: &mut fmt::Formatter<'_>, zone: &[ZoneAdjustment]) -> fmt::Result {
    for (i, z) in zone.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        let sign = if z.negative { "-" } else { "" };
        write!(f, "{} {sign}{}", z.time, z.offset)?;
    }
    Ok(())
}

/// A `t=` line with the `r=` and `z=` lines that follow it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TimeDescription {
    /// Start time (seconds since 1900; 0 for unbounded, as WebRTC writes `t=0 0`).
    pub start: u64,
    /// Stop time (0 for unbounded).
    pub stop: u64,
    /// `r=` lines.
    pub repeats: Vec<RepeatTime>,
    /// The `z=` line's adjustments (empty when there is no `z=`).
    pub zone_adjustments: Vec<ZoneAdjustment>,
}

/// Parses the value of a `t=` line into (start, stop).
pub(crate) fn parse_timing(s: &str) -> Result<(u64, u64), ValueError> {
    let (start, stop) = s.split_once(' ').ok_or(ValueError::Missing("stop-time"))?;
    Ok((
        digits(start).ok_or(ValueError::Invalid("start-time"))?,
        digits(stop).ok_or(ValueError::Invalid("stop-time"))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8866_repeat_example() {
        // RFC 8866 §5.10: "r=604800 3600 0 90000" and "r=7d 1h 0 25h".
        let r: RepeatTime = "604800 3600 0 90000".parse().unwrap();
        let typed: RepeatTime = "7d 1h 0 25h".parse().unwrap();
        assert_eq!(r.interval.seconds(), typed.interval.seconds());
        assert_eq!(r.duration.seconds(), typed.duration.seconds());
        assert_eq!(r.offsets[1].seconds(), typed.offsets[1].seconds());
        assert_eq!(typed.to_string(), "7d 1h 0 25h");
        assert!("0 1 2".parse::<RepeatTime>().is_err());
        assert!("1 2".parse::<RepeatTime>().is_err());
        assert!("1x 2 3".parse::<RepeatTime>().is_err());
    }

    #[test]
    fn rfc8866_zone_example() {
        // RFC 8866 §5.11: "z=2882844526 -1h 2898848070 0".
        let z = parse_zone("2882844526 -1h 2898848070 0").unwrap();
        assert_eq!(z.len(), 2);
        assert!(z[0].negative);
        assert_eq!(z[0].offset.seconds(), 3600);
        assert!(parse_zone("2882844526").is_err());
        assert!(parse_zone("x 1").is_err());
    }

    #[test]
    fn timing() {
        assert_eq!(parse_timing("0 0"), Ok((0, 0)));
        assert_eq!(
            parse_timing("3034423619 3042462419"),
            Ok((3034423619, 3042462419))
        );
        assert!(parse_timing("0").is_err());
        assert!(parse_timing("0 0 0").is_err());
    }
}
