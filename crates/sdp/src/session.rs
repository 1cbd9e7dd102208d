//! The session description (RFC 8866 §5): [`SessionDescription`] with its session-level lines,
//! [`Origin`] (`o=`, §5.2), the look-ups the JSEP layer needs, including the session-level
//! fallbacks of media-level attributes (RFC 8859), and builders.

use std::fmt;
use std::str::FromStr;

use crate::attribute::Attribute;
use crate::attributes::{
    Direction, Extmap, Fingerprint, Group, GroupSemantics, MsidSemantic, Setup,
};
use crate::lex::{digits, is_non_ws};
use crate::{
    AddressType, Bandwidth, MediaDescription, NetworkType, ParseError, TimeDescription, ValueError,
};

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The user name, `-` when there is none.
    pub username: String,
    /// The session id, as written (digits).
    pub session_id: String,
    /// The version, incremented by JSEP on each new offer or answer (RFC 8829 §5.2.2).
    pub session_version: u64,
    /// The network type, `IN`.
    pub network_type: NetworkType,
    /// The address type, `IP4` or `IP6`.
    pub address_type: AddressType,
    /// The address of the originating host, as written.
    pub address: String,
}

impl Origin {
    /// The origin JSEP writes (RFC 8829 §5.2.1): `- <id> <version> IN IP4 127.0.0.1`.
    pub fn new(session_id: u64, session_version: u64) -> Origin {
        Origin {
            username: "-".into(),
            session_id: session_id.to_string(),
            session_version,
            network_type: NetworkType::In,
            address_type: AddressType::Ip4,
            address: "127.0.0.1".into(),
        }
    }
}

impl FromStr for Origin {
    type Err = ValueError;

    /// Parses the value of an `o=` line: six fields separated by single spaces.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut it = s.split(' ');
        let mut next = |what| it.next().ok_or(ValueError::Missing(what));
        let username = next("username")?;
        let session_id = next("sess-id")?;
        let session_version = next("sess-version")?;
        let nettype = next("nettype")?;
        let addrtype = next("addrtype")?;
        let address = next("unicast-address")?;
        if it.next().is_some() {
            return Err(ValueError::Trailing);
        }
        if !is_non_ws(username) {
            return Err(ValueError::Invalid("username"));
        }
        if session_id.is_empty() || !session_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::Invalid("sess-id"));
        }
        let c = crate::Connection::from_fields(nettype, addrtype, address)?;
        Ok(Origin {
            username: username.to_owned(),
            session_id: session_id.to_owned(),
            session_version: digits(session_version).ok_or(ValueError::Invalid("sess-version"))?,
            network_type: c.network_type,
            address_type: c.address_type,
            address: c.address,
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.network_type.as_str(),
            self.address_type.as_str(),
            self.address
        )
    }
}

/// A whole session description.
///
/// Parse with [`SessionDescription::parse`] (or `str::parse`), write with `Display`
/// (`to_string()`), which uses CRLF line endings. Writing a parsed description reproduces the
/// input (up to LF versus CRLF line endings and trailing blank lines); see [`Attribute::Other`]
/// for how odd attribute text is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionDescription {
    /// `o=`
    pub origin: Origin,
    /// `s=`, as written (`-` in JSEP).
    pub session_name: String,
    /// `i=`
    pub session_information: Option<String>,
    /// `u=`
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// The session-level `c=` line.
    pub connection: Option<crate::Connection>,
    /// Session-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// The time descriptions (at least one; JSEP writes `t=0 0`).
    pub times: Vec<TimeDescription>,
    /// `k=` (obsolete), as written.
    pub key: Option<String>,
    /// The session-level attribute lines, in order.
    pub attributes: Vec<Attribute>,
    /// The media sections, in order.
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// A description with the given origin, `s=-`, `t=0 0`, and nothing else (RFC 8829 §5.2.1).
    pub fn new(origin: Origin) -> SessionDescription {
        SessionDescription {
            origin,
            session_name: "-".into(),
            session_information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: vec![TimeDescription::default()],
            key: None,
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    /// Parses a session description (CRLF or LF line endings).
    pub fn parse(text: &str) -> Result<SessionDescription, ParseError> {
        crate::parse::parse(text)
    }

    /// The same description with a media section appended.
    pub fn with_media(mut self, media: MediaDescription) -> Self {
        self.media.push(media);
        self
    }

    common_attribute_accessors!();

    /// The `a=group` lines.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Group(g) => Some(g),
            _ => None,
        })
    }

    /// The `a=group:BUNDLE` lines.
    pub fn bundle_groups(&self) -> impl Iterator<Item = &Group> {
        self.groups()
            .filter(|g| g.semantics == GroupSemantics::Bundle)
    }

    /// The BUNDLE group that contains `mid`.
    pub fn bundle_group_of(&self, mid: &str) -> Option<&Group> {
        self.bundle_groups().find(|g| g.contains(mid))
    }

    /// `a=msid-semantic`.
    pub fn msid_semantic(&self) -> Option<&MsidSemantic> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::MsidSemantic(m) => Some(m),
            _ => None,
        })
    }

    /// The media section with the given `a=mid`.
    pub fn media_by_mid(&self, mid: &str) -> Option<&MediaDescription> {
        self.media.iter().find(|m| m.mid() == Some(mid))
    }

    /// The ICE credentials that apply to a media section: its own `a=ice-ufrag`/`a=ice-pwd`,
    /// else the session-level ones (RFC 8839 §5.4).
    pub fn ice_credentials<'a>(
        &'a self,
        media: &'a MediaDescription,
    ) -> Option<(&'a str, &'a str)> {
        let ufrag = media.ice_ufrag().or_else(|| self.ice_ufrag())?;
        let pwd = media.ice_pwd().or_else(|| self.ice_pwd())?;
        Some((ufrag, pwd))
    }

    /// The fingerprints that apply to a media section: its own, else the session-level ones
    /// (RFC 8122 §5).
    pub fn fingerprints_for<'a>(&'a self, media: &'a MediaDescription) -> Vec<&'a Fingerprint> {
        let own: Vec<_> = media.fingerprints().collect();
        if own.is_empty() {
            self.fingerprints().collect()
        } else {
            own
        }
    }

    /// The `a=setup` that applies to a media section: its own, else the session-level one.
    pub fn setup_for(&self, media: &MediaDescription) -> Option<Setup> {
        media.setup().or_else(|| self.setup())
    }

    /// The direction that applies to a media section: its own, else the session-level one, else
    /// `sendrecv` (RFC 8866 §6.7).
    pub fn direction_for(&self, media: &MediaDescription) -> Direction {
        media
            .direction()
            .or_else(|| self.direction())
            .unwrap_or(Direction::SendRecv)
    }

    /// The header extensions that apply to a media section: its own `a=extmap` lines followed by
    /// the session-level ones whose id it does not use.
    pub fn extmaps_for<'a>(&'a self, media: &'a MediaDescription) -> Vec<&'a Extmap> {
        let mut out: Vec<&Extmap> = media.extmaps().collect();
        for e in self.extmaps() {
            if !out.iter().any(|o| o.id == e.id) {
                out.push(e);
            }
        }
        out
    }
}

impl FromStr for SessionDescription {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        SessionDescription::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Connection, MediaKind};

    #[test]
    fn origin_line() {
        let o: Origin = "mozilla...THIS_IS_SDPARTA-99.0 5017378946937946457 0 IN IP4 0.0.0.0"
            .parse()
            .unwrap();
        assert_eq!(o.username, "mozilla...THIS_IS_SDPARTA-99.0");
        assert_eq!(o.session_id, "5017378946937946457");
        assert_eq!(o.session_version, 0);
        assert_eq!(
            o.to_string(),
            "mozilla...THIS_IS_SDPARTA-99.0 5017378946937946457 0 IN IP4 0.0.0.0"
        );
        assert_eq!(Origin::new(7, 2).to_string(), "- 7 2 IN IP4 127.0.0.1");
        for bad in [
            "- 1 2 IN IP4",
            "- 1 2 IN IP4 1.2.3.4 x",
            "- x 2 IN IP4 1.2.3.4",
            "- 1 -2 IN IP4 1.2.3.4",
            "-  1 2 IN IP4 1.2.3.4",
        ] {
            assert!(bad.parse::<Origin>().is_err(), "{bad}");
        }
    }

    #[test]
    fn session_level_fallbacks() {
        let fp = Fingerprint::new(crate::HashFunction::Sha256, [0xab; 32]);
        let sd = SessionDescription::new(Origin::new(1, 1))
            .with_attribute(Attribute::IceUfrag("sess".into()))
            .with_attribute(Attribute::IcePwd("sessionpasswordsession".into()))
            .with_attribute(Attribute::Fingerprint(fp.clone()))
            .with_attribute(Attribute::Setup(Setup::ActPass))
            .with_attribute(Attribute::Direction(Direction::RecvOnly))
            .with_attribute(Attribute::Group(Group::bundle(["a", "b"])))
            .with_media(
                MediaDescription::new(MediaKind::Audio, 9, "UDP/TLS/RTP/SAVPF", ["111"])
                    .with_connection(Connection::new("0.0.0.0".parse().unwrap()))
                    .with_mid("a"),
            )
            .with_media(
                MediaDescription::new(MediaKind::Video, 9, "UDP/TLS/RTP/SAVPF", ["96"])
                    .with_mid("b")
                    .with_attribute(Attribute::IceUfrag("own".into()))
                    .with_direction(Direction::SendOnly),
            );
        let (a, b) = (&sd.media[0], &sd.media[1]);
        assert_eq!(
            sd.ice_credentials(a),
            Some(("sess", "sessionpasswordsession"))
        );
        assert_eq!(
            sd.ice_credentials(b),
            Some(("own", "sessionpasswordsession"))
        );
        assert_eq!(sd.fingerprints_for(a), [&fp]);
        assert_eq!(sd.setup_for(b), Some(Setup::ActPass));
        assert_eq!(sd.direction_for(a), Direction::RecvOnly);
        assert_eq!(sd.direction_for(b), Direction::SendOnly);
        assert_eq!(sd.bundle_group_of("b").map(|g| g.mids.len()), Some(2));
        assert_eq!(
            sd.media_by_mid("b").map(|m| &m.kind),
            Some(&MediaKind::Video)
        );
        // What the builders make is what the parser reads back.
        assert_eq!(SessionDescription::parse(&sd.to_string()), Ok(sd));
    }
}
