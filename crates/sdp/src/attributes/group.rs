//! Grouping and stream identification: `a=group` (RFC 5888 §5, BUNDLE from RFC 9143, LS, FID and
//! any other semantics), `a=msid` (RFC 8830 §2) and the session-level `a=msid-semantic` that
//! WebRTC endpoints still write (draft-ietf-mmusic-msid, e.g. `a=msid-semantic: WMS`).

use std::fmt;
use std::str::FromStr;

use crate::ValueError;
use crate::lex::{Fields, is_token};

/// The semantics of an `a=group` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupSemantics {
    /// `BUNDLE` (RFC 9143): the media sections share one transport.
    Bundle,
    /// `LS` (RFC 5888): lip synchronization.
    LipSync,
    /// `FID` (RFC 5888): flow identification.
    Fid,
    /// Any other semantics token, kept as written. Must not spell one of the names above.
    Other(String),
}

impl GroupSemantics {
    /// The token as written in SDP.
    pub fn as_str(&self) -> &str {
        match self {
            GroupSemantics::Bundle => "BUNDLE",
            GroupSemantics::LipSync => "LS",
            GroupSemantics::Fid => "FID",
            GroupSemantics::Other(s) => s,
        }
    }

    fn from_token(s: &str) -> GroupSemantics {
        match s {
            "BUNDLE" => GroupSemantics::Bundle,
            "LS" => GroupSemantics::LipSync,
            "FID" => GroupSemantics::Fid,
            other => GroupSemantics::Other(other.to_owned()),
        }
    }
}

/// `a=group:<semantics> *(SP <identification-tag>)` (RFC 5888 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// What the grouping means.
    pub semantics: GroupSemantics,
    /// The `mid`s of the grouped media sections, in order (the first is the BUNDLE tag).
    pub mids: Vec<String>,
}

impl Group {
    /// A `BUNDLE` group of the given mids.
    pub fn bundle<I, S>(mids: I) -> Group
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Group {
            semantics: GroupSemantics::Bundle,
            mids: mids.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether `mid` is a member.
    pub fn contains(&self, mid: &str) -> bool {
        self.mids.iter().any(|m| m == mid)
    }
}

impl FromStr for Group {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let semantics = f.next_field().ok_or(ValueError::Missing("semantics"))?;
        if !is_token(semantics) {
            return Err(ValueError::Invalid("semantics"));
        }
        let mids = f
            .map(|m| {
                if is_token(m) {
                    Ok(m.to_owned())
                } else {
                    Err(ValueError::Invalid("identification-tag"))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Group {
            semantics: GroupSemantics::from_token(semantics),
            mids,
        })
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.semantics.as_str())?;
        for m in &self.mids {
            write!(f, " {m}")?;
        }
        Ok(())
    }
}

/// `a=msid-semantic:<semantic> *(SP <identifier>)`, e.g. `WMS *` or Chrome's `a=msid-semantic: WMS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsidSemantic {
    /// Whether a space follows the colon (Chrome writes `a=msid-semantic: WMS`); kept so that
    /// writing reproduces the line.
    pub leading_space: bool,
    /// The semantic token, normally `WMS`.
    pub semantic: String,
    /// The stream identifiers, or `*`.
    pub identifiers: Vec<String>,
}

impl MsidSemantic {
    /// `WMS` with the given identifiers, written without the leading space.
    pub fn wms<I, S>(identifiers: I) -> MsidSemantic
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        MsidSemantic {
            leading_space: false,
            semantic: "WMS".into(),
            identifiers: identifiers.into_iter().map(Into::into).collect(),
        }
    }
}

impl FromStr for MsidSemantic {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let leading_space = s.starts_with(' ');
        let mut f = Fields::new(s);
        let semantic = f.next_field().ok_or(ValueError::Missing("semantic"))?;
        if !is_token(semantic) {
            return Err(ValueError::Invalid("semantic"));
        }
        let identifiers = f
            .map(|m| {
                if is_token(m) {
                    Ok(m.to_owned())
                } else {
                    Err(ValueError::Invalid("identifier"))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(MsidSemantic {
            leading_space,
            semantic: semantic.to_owned(),
            identifiers,
        })
    }
}

impl fmt::Display for MsidSemantic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.leading_space {
            f.write_str(" ")?;
        }
        f.write_str(&self.semantic)?;
        for id in &self.identifiers {
            write!(f, " {id}")?;
        }
        Ok(())
    }
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830 §2). A stream id of `-` means "no stream".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msid {
    /// The MediaStream id (`msid-id`).
    pub stream_id: String,
    /// The application data (`msid-appdata`), by convention the track id.
    pub track_id: Option<String>,
}

impl FromStr for Msid {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let stream_id = f.next_field().ok_or(ValueError::Missing("msid-id"))?;
        if !is_token(stream_id) {
            return Err(ValueError::Invalid("msid-id"));
        }
        let track_id = match f.next_field() {
            Some(t) if is_token(t) => Some(t.to_owned()),
            Some(_) => return Err(ValueError::Invalid("msid-appdata")),
            None => None,
        };
        if !f.is_empty() {
            return Err(ValueError::Trailing);
        }
        Ok(Msid {
            stream_id: stream_id.to_owned(),
            track_id,
        })
    }
}

impl fmt::Display for Msid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stream_id)?;
        if let Some(t) = &self.track_id {
            write!(f, " {t}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_bundle() {
        let g: Group = "BUNDLE 0 1 data".parse().unwrap();
        assert_eq!(g, Group::bundle(["0", "1", "data"]));
        assert_eq!(g.to_string(), "BUNDLE 0 1 data");
        assert!(g.contains("data"));
        let ls: Group = "LS a b".parse().unwrap();
        assert_eq!(ls.semantics, GroupSemantics::LipSync);
        let other: Group = "DDP x".parse().unwrap();
        assert_eq!(other.semantics, GroupSemantics::Other("DDP".into()));
        let empty: Group = "BUNDLE".parse().unwrap();
        assert!(empty.mids.is_empty());
        assert!("".parse::<Group>().is_err());
        assert!("BUNDLE a\u{1}".parse::<Group>().is_err());
    }

    #[test]
    fn msid_semantic_keeps_chrome_space() {
        let m: MsidSemantic = " WMS".parse().unwrap();
        assert!(m.leading_space);
        assert_eq!(m.to_string(), " WMS");
        let m: MsidSemantic = "WMS *".parse().unwrap();
        assert_eq!(m, MsidSemantic::wms(["*"]));
        assert_eq!(m.to_string(), "WMS *");
    }

    #[test]
    fn msid_with_and_without_track() {
        let m: Msid = "- 5e2a".parse().unwrap();
        assert_eq!(m.stream_id, "-");
        assert_eq!(m.track_id.as_deref(), Some("5e2a"));
        let m: Msid = "{abc}".parse().unwrap();
        assert_eq!(m.track_id, None);
        assert_eq!(m.to_string(), "{abc}");
        assert_eq!("a b c".parse::<Msid>(), Err(ValueError::Trailing));
    }
}
