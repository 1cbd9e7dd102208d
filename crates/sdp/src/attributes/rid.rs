//! RTP stream identifiers: `a=rid` (RFC 8851 §10): an id, a direction, an optional list of
//! payload types (`pt=`) and restrictions (`max-width=1280;max-fps=30;...`).

use std::fmt;
use std::str::FromStr;

use super::rtp::payload_type;
use crate::ValueError;
use crate::lex::{Fields, digits, is_rid_id};

/// The direction of an `a=rid` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RidDirection {
    /// `send`: the author of the description sends this stream.
    Send,
    /// `recv`: the author receives it.
    Recv,
}

impl RidDirection {
    /// The SDP name.
    pub fn as_str(self) -> &'static str {
        match self {
            RidDirection::Send => "send",
            RidDirection::Recv => "recv",
        }
    }

    /// The opposite direction.
    pub fn reverse(self) -> RidDirection {
        match self {
            RidDirection::Send => RidDirection::Recv,
            RidDirection::Recv => RidDirection::Send,
        }
    }

    pub(crate) fn parse(s: &str) -> Result<RidDirection, ValueError> {
        match s {
            "send" => Ok(RidDirection::Send),
            "recv" => Ok(RidDirection::Recv),
            _ => Err(ValueError::Invalid("direction")),
        }
    }
}

impl fmt::Display for RidDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `rid-param`: `name[=value]` (`max-width=1280`, `depend=a,b`, or any other).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RidRestriction {
    /// The parameter name (letters, digits, `-`).
    pub name: String,
    /// The value, as written (may be empty).
    pub value: Option<String>,
}

/// `a=rid:<rid-id> <send|recv> [pt=<fmt>,...][;<restriction>...]` (RFC 8851 §10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rid {
    /// The RTP stream id.
    pub id: String,
    /// Send or receive.
    pub direction: RidDirection,
    /// The payload types from `pt=` (empty when absent).
    pub payload_types: Vec<u8>,
    /// The other parameters, in order.
    pub restrictions: Vec<RidRestriction>,
}

impl Rid {
    /// A rid with no payload types or restrictions.
    pub fn new(id: impl Into<String>, direction: RidDirection) -> Rid {
        Rid {
            id: id.into(),
            direction,
            payload_types: Vec::new(),
            restrictions: Vec::new(),
        }
    }

    /// The same rid with a restriction appended.
    pub fn with_restriction(mut self, name: &str, value: Option<&str>) -> Rid {
        self.restrictions.push(RidRestriction {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        });
        self
    }

    /// The value of restriction `name`.
    pub fn restriction(&self, name: &str) -> Option<&str> {
        self.restrictions
            .iter()
            .find(|r| r.name == name)
            .and_then(|r| r.value.as_deref())
    }

    fn number(&self, name: &str) -> Option<u64> {
        self.restriction(name).and_then(digits)
    }

    /// `max-width` in pixels.
    pub fn max_width(&self) -> Option<u64> {
        self.number("max-width")
    }

    /// `max-height` in pixels.
    pub fn max_height(&self) -> Option<u64> {
        self.number("max-height")
    }

    /// `max-fps` in frames per second (may be fractional).
    pub fn max_fps(&self) -> Option<f64> {
        self.restriction("max-fps")
            .and_then(|v| v.parse::<super::Decimal>().ok())
            .map(|d| d.as_f64())
    }

    /// `max-fs` in macroblocks.
    pub fn max_fs(&self) -> Option<u64> {
        self.number("max-fs")
    }

    /// `max-br` in bits per second.
    pub fn max_br(&self) -> Option<u64> {
        self.number("max-br")
    }

    /// `max-pps` in pixels per second.
    pub fn max_pps(&self) -> Option<u64> {
        self.number("max-pps")
    }

    /// The rids listed by `depend=`.
    pub fn depend(&self) -> impl Iterator<Item = &str> {
        self.restriction("depend")
            .into_iter()
            .flat_map(|v| v.split(','))
    }
}

fn is_param_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_param_value(s: &str) -> bool {
    s.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b';')
}

impl FromStr for Rid {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let id = f.next_field().ok_or(ValueError::Missing("rid-id"))?;
        if !is_rid_id(id) {
            return Err(ValueError::Invalid("rid-id"));
        }
        let direction =
            RidDirection::parse(f.next_field().ok_or(ValueError::Missing("direction"))?)?;
        let mut rid = Rid::new(id, direction);
        let Some(params) = f.rest() else {
            return Ok(rid);
        };
        for (i, param) in params.split(';').enumerate() {
            let (name, value) = match param.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (param, None),
            };
            if i == 0
                && name == "pt"
                && let Some(list) = value
            {
                rid.payload_types = list
                    .split(',')
                    .map(payload_type)
                    .collect::<Result<_, _>>()?;
                continue;
            }
            if !is_param_name(name) {
                return Err(ValueError::Invalid("rid-param"));
            }
            if value.is_some_and(|v| !is_param_value(v)) {
                return Err(ValueError::Invalid("rid-param value"));
            }
            rid.restrictions.push(RidRestriction {
                name: name.to_owned(),
                value: value.map(str::to_owned),
            });
        }
        Ok(rid)
    }
}

impl fmt::Display for Rid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.direction)?;
        let mut sep = " ";
        if !self.payload_types.is_empty() {
            f.write_str(" pt=")?;
            for (i, pt) in self.payload_types.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{pt}")?;
            }
            sep = ";";
        }
        for r in &self.restrictions {
            write!(f, "{sep}{}", r.name)?;
            if let Some(v) = &r.value {
                write!(f, "={v}")?;
            }
            sep = ";";
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8851_examples() {
        // RFC 8851 §11.1 style lines.
        let r: Rid = "1 send pt=97;max-width=1280;max-height=720"
            .parse()
            .unwrap();
        assert_eq!(r.payload_types, vec![97]);
        assert_eq!(r.max_width(), Some(1280));
        assert_eq!(r.max_height(), Some(720));
        assert_eq!(r.to_string(), "1 send pt=97;max-width=1280;max-height=720");
        let r: Rid = "5 send pt=99,102;max-br=64000".parse().unwrap();
        assert_eq!(r.payload_types, vec![99, 102]);
        assert_eq!(r.max_br(), Some(64000));
        let r: Rid = "h recv".parse().unwrap();
        assert_eq!(r, Rid::new("h", RidDirection::Recv));
        assert_eq!(r.to_string(), "h recv");
        let r: Rid = "q send max-fps=29.97;depend=a,b".parse().unwrap();
        assert_eq!(r.max_fps(), Some(29.97));
        assert_eq!(r.depend().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(r.to_string(), "q send max-fps=29.97;depend=a,b");
    }

    #[test]
    fn rejects_bad_rids() {
        assert!("~a send".parse::<Rid>().is_err());
        assert!("a both".parse::<Rid>().is_err());
        assert!("a send pt=x".parse::<Rid>().is_err());
        assert!("a send pt=".parse::<Rid>().is_err());
        assert!("a".parse::<Rid>().is_err());
        assert!("a send max width=1".parse::<Rid>().is_err());
    }
}
