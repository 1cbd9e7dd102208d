//! Source-specific attributes (RFC 5576): `a=ssrc:<ssrc> <attribute>[:<value>]` (§4.1) and
//! `a=ssrc-group:<semantics> <ssrc>...` (§4.2) with FID (RFC 5888/4588), FEC-FR (RFC 5956),
//! SIM (simulcast, as libwebrtc writes it) and any other semantics.

use std::fmt;
use std::str::FromStr;

use crate::ValueError;
use crate::lex::{Fields, digits, is_token};

/// `a=ssrc:<ssrc-id> <attribute>[:<value>]`, e.g. `3735928559 cname:abc` or
/// `3735928559 msid:stream track`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ssrc {
    /// The synchronization source.
    pub ssrc: u32,
    /// The source attribute name (`cname`, `msid`, `label`, `mslabel`, ...).
    pub attribute: String,
    /// The source attribute value, as written (it may hold spaces).
    pub value: Option<String>,
}

impl Ssrc {
    /// `<ssrc> <attribute>:<value>`.
    pub fn new(ssrc: u32, attribute: &str, value: Option<&str>) -> Ssrc {
        Ssrc {
            ssrc,
            attribute: attribute.to_owned(),
            value: value.map(str::to_owned),
        }
    }
}

impl FromStr for Ssrc {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let ssrc = digits(f.next_field().ok_or(ValueError::Missing("ssrc-id"))?)
            .ok_or(ValueError::Invalid("ssrc-id"))?;
        let attr = f.rest().ok_or(ValueError::Missing("source attribute"))?;
        let (attribute, value) = match attr.split_once(':') {
            Some((a, v)) => (a, Some(v.to_owned())),
            None => (attr, None),
        };
        if !is_token(attribute) {
            return Err(ValueError::Invalid("source attribute"));
        }
        Ok(Ssrc {
            ssrc,
            attribute: attribute.to_owned(),
            value,
        })
    }
}

impl fmt::Display for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.ssrc, self.attribute)?;
        if let Some(v) = &self.value {
            write!(f, ":{v}")?;
        }
        Ok(())
    }
}

/// The semantics of an `a=ssrc-group` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SsrcGroupSemantics {
    /// `FID`: flow identification (a primary SSRC and its RTX SSRC).
    Fid,
    /// `FEC-FR`: forward error correction (RFC 5956).
    FecFr,
    /// `FEC`: the older FEC grouping.
    Fec,
    /// `SIM`: simulcast layers (libwebrtc).
    Sim,
    /// Any other token, kept as written. Must not spell one of the names above.
    Other(String),
}

impl SsrcGroupSemantics {
    /// The token as written.
    pub fn as_str(&self) -> &str {
        match self {
            SsrcGroupSemantics::Fid => "FID",
            SsrcGroupSemantics::FecFr => "FEC-FR",
            SsrcGroupSemantics::Fec => "FEC",
            SsrcGroupSemantics::Sim => "SIM",
            SsrcGroupSemantics::Other(s) => s,
        }
    }

    fn from_token(s: &str) -> SsrcGroupSemantics {
        match s {
            "FID" => SsrcGroupSemantics::Fid,
            "FEC-FR" => SsrcGroupSemantics::FecFr,
            "FEC" => SsrcGroupSemantics::Fec,
            "SIM" => SsrcGroupSemantics::Sim,
            other => SsrcGroupSemantics::Other(other.to_owned()),
        }
    }
}

/// `a=ssrc-group:<semantics> *(SP <ssrc-id>)` (RFC 5576 §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SsrcGroup {
    /// What relates the sources.
    pub semantics: SsrcGroupSemantics,
    /// The sources, in order (for FID: primary first, then RTX).
    pub ssrcs: Vec<u32>,
}

impl FromStr for SsrcGroup {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let semantics = f.next_field().ok_or(ValueError::Missing("semantics"))?;
        if !is_token(semantics) {
            return Err(ValueError::Invalid("semantics"));
        }
        let ssrcs = f
            .map(|s| digits(s).ok_or(ValueError::Invalid("ssrc-id")))
            .collect::<Result<_, _>>()?;
        Ok(SsrcGroup {
            semantics: SsrcGroupSemantics::from_token(semantics),
            ssrcs,
        })
    }
}

impl fmt::Display for SsrcGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.semantics.as_str())?;
        for s in &self.ssrcs {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssrc_attributes() {
        let s: Ssrc = "3735928559 cname:x/yz".parse().unwrap();
        assert_eq!(s, Ssrc::new(3735928559, "cname", Some("x/yz")));
        let s: Ssrc = "1 msid:stream track".parse().unwrap();
        assert_eq!(s.value.as_deref(), Some("stream track"));
        assert_eq!(s.to_string(), "1 msid:stream track");
        let flag: Ssrc = "1 x-flag".parse().unwrap();
        assert_eq!(flag.value, None);
        assert!("4294967296 cname:x".parse::<Ssrc>().is_err());
        assert!("1".parse::<Ssrc>().is_err());
    }

    #[test]
    fn ssrc_groups() {
        let g: SsrcGroup = "FID 1 2".parse().unwrap();
        assert_eq!(g.semantics, SsrcGroupSemantics::Fid);
        assert_eq!(g.ssrcs, vec![1, 2]);
        let g: SsrcGroup = "FEC-FR 5 6".parse().unwrap();
        assert_eq!(g.semantics, SsrcGroupSemantics::FecFr);
        let g: SsrcGroup = "SIM 1 2 3".parse().unwrap();
        assert_eq!(g.to_string(), "SIM 1 2 3");
        assert!("FID a".parse::<SsrcGroup>().is_err());
    }
}
