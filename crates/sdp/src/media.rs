//! Media descriptions (RFC 8866 §5.14 `m=` and the `i=`, `c=`, `b=`, `k=` and `a=` lines under it):
//! [`MediaDescription`] with the look-ups the JSEP layer needs, and the `m=` line's own parser.

use std::fmt;

use crate::attribute::Attribute;
use crate::attributes::{
    Candidate, Direction, Extmap, Fingerprint, Fmtp, Msid, Rid, Rtcp, RtcpFb, RtpMap, SctpMap,
    Setup, Simulcast, Ssrc, SsrcGroup, is_fmt,
};
use crate::lex::{digits, is_token};
use crate::{Bandwidth, Connection, ValueError};

/// The media type of an `m=` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `audio`
    Audio,
    /// `video`
    Video,
    /// `application` (data channels)
    Application,
    /// `text`
    Text,
    /// `message`
    Message,
    /// `image`
    Image,
    /// Another token, kept as written. Must not spell one of the names above.
    Other(String),
}

impl MediaKind {
    /// The token as written.
    pub fn as_str(&self) -> &str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::Application => "application",
            MediaKind::Text => "text",
            MediaKind::Message => "message",
            MediaKind::Image => "image",
            MediaKind::Other(s) => s,
        }
    }

    fn from_token(s: &str) -> MediaKind {
        match s {
            "audio" => MediaKind::Audio,
            "video" => MediaKind::Video,
            "application" => MediaKind::Application,
            "text" => MediaKind::Text,
            "message" => MediaKind::Message,
            "image" => MediaKind::Image,
            other => MediaKind::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One media section: the `m=` line and everything up to the next `m=` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaDescription {
    /// The media type.
    pub kind: MediaKind,
    /// The transport port; 0 marks a rejected (or bundle-only) section.
    pub port: u16,
    /// The number of ports (`m=video 49170/2 ...`), if written.
    pub port_count: Option<u32>,
    /// The transport protocol, e.g. `UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`, `DTLS/SCTP`.
    pub protocol: String,
    /// The formats: RTP payload types, or `webrtc-datachannel`, or the legacy SCTP port.
    pub formats: Vec<String>,
    /// `i=`: the media title.
    pub title: Option<String>,
    /// `c=` lines.
    pub connections: Vec<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=` (obsolete), as written.
    pub key: Option<String>,
    /// The attribute lines, in order.
    pub attributes: Vec<Attribute>,
}

impl MediaDescription {
    /// A media section with no lines below the `m=` line.
    pub fn new<I, S>(kind: MediaKind, port: u16, protocol: impl Into<String>, formats: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        MediaDescription {
            kind,
            port,
            port_count: None,
            protocol: protocol.into(),
            formats: formats.into_iter().map(Into::into).collect(),
            title: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            key: None,
            attributes: Vec::new(),
        }
    }

    /// The same section with a `c=` line added.
    pub fn with_connection(mut self, connection: Connection) -> Self {
        self.connections.push(connection);
        self
    }

    /// The same section with `a=mid` appended.
    pub fn with_mid(self, mid: impl Into<String>) -> Self {
        self.with_attribute(Attribute::Mid(mid.into()))
    }

    /// The same section with a direction attribute appended.
    pub fn with_direction(self, direction: Direction) -> Self {
        self.with_attribute(Attribute::Direction(direction))
    }

    common_attribute_accessors!();

    /// The media type.
    pub fn kind(&self) -> &MediaKind {
        &self.kind
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The transport protocol.
    pub fn protocol(&self) -> &str {
        &self.protocol
    }

    /// The formats of the `m=` line.
    pub fn formats(&self) -> &[String] {
        &self.formats
    }

    /// The formats that are RTP payload types (0–127), in `m=` order.
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.formats
            .iter()
            .filter_map(|f| digits::<u8>(f).filter(|pt| *pt <= 127))
    }

    /// Whether the protocol carries RTP (`RTP/AVP`, `UDP/TLS/RTP/SAVPF`, ...).
    pub fn is_rtp(&self) -> bool {
        self.protocol.split('/').any(|p| p == "RTP")
    }

    /// Whether the protocol carries SCTP (`UDP/DTLS/SCTP`, `TCP/DTLS/SCTP`, `DTLS/SCTP`).
    pub fn is_sctp(&self) -> bool {
        self.protocol.split('/').any(|p| p == "SCTP")
    }

    /// Whether the section is rejected: port 0 without `a=bundle-only` (RFC 8866 §5.14,
    /// RFC 9143 §7.3).
    pub fn is_rejected(&self) -> bool {
        self.port == 0 && !self.is_bundle_only()
    }

    /// Whether `a=bundle-only` is present.
    pub fn is_bundle_only(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| matches!(a, Attribute::BundleOnly))
    }

    /// The first `c=` line.
    pub fn connection(&self) -> Option<&Connection> {
        self.connections.first()
    }

    /// `a=mid`.
    pub fn mid(&self) -> Option<&str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Mid(m) => Some(m.as_str()),
            _ => None,
        })
    }

    /// The `a=candidate` lines.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Candidate(c) => Some(c),
            _ => None,
        })
    }

    /// Whether `a=end-of-candidates` is present.
    pub fn is_end_of_candidates(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| matches!(a, Attribute::EndOfCandidates))
    }

    /// The `a=rtpmap` lines.
    pub fn rtpmaps(&self) -> impl Iterator<Item = &RtpMap> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::RtpMap(r) => Some(r),
            _ => None,
        })
    }

    /// The `a=rtpmap` of payload type `pt`.
    pub fn rtpmap(&self, pt: u8) -> Option<&RtpMap> {
        self.rtpmaps().find(|r| r.payload_type == pt)
    }

    /// The `a=fmtp` lines.
    pub fn fmtps(&self) -> impl Iterator<Item = &Fmtp> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Fmtp(f) => Some(f),
            _ => None,
        })
    }

    /// The `a=fmtp` of payload type `pt`.
    pub fn fmtp(&self, pt: u8) -> Option<&Fmtp> {
        self.fmtps().find(|f| f.payload_type() == Some(pt))
    }

    /// The `a=rtcp-fb` lines that apply to payload type `pt` (its own and `*`).
    pub fn rtcp_feedback(&self, pt: u8) -> impl Iterator<Item = &RtcpFb> {
        self.attributes.iter().filter_map(move |a| match a {
            Attribute::RtcpFb(f) if f.payload.matches(pt) => Some(f),
            _ => None,
        })
    }

    /// The `a=ssrc` lines.
    pub fn ssrcs(&self) -> impl Iterator<Item = &Ssrc> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Ssrc(s) => Some(s),
            _ => None,
        })
    }

    /// The distinct SSRCs of the `a=ssrc` lines, in order of first appearance.
    pub fn ssrc_ids(&self) -> Vec<u32> {
        let mut seen = std::collections::HashSet::new();
        self.ssrcs()
            .map(|s| s.ssrc)
            .filter(|s| seen.insert(*s))
            .collect()
    }

    /// The `cname` of an SSRC.
    pub fn ssrc_cname(&self, ssrc: u32) -> Option<&str> {
        self.ssrcs()
            .find(|s| s.ssrc == ssrc && s.attribute == "cname")
            .and_then(|s| s.value.as_deref())
    }

    /// The `a=ssrc-group` lines.
    pub fn ssrc_groups(&self) -> impl Iterator<Item = &SsrcGroup> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::SsrcGroup(g) => Some(g),
            _ => None,
        })
    }

    /// The `a=msid` lines.
    pub fn msids(&self) -> impl Iterator<Item = &Msid> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Msid(m) => Some(m),
            _ => None,
        })
    }

    /// The `a=rid` lines.
    pub fn rids(&self) -> impl Iterator<Item = &Rid> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Rid(r) => Some(r),
            _ => None,
        })
    }

    /// `a=simulcast`.
    pub fn simulcast(&self) -> Option<&Simulcast> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Simulcast(s) => Some(s),
            _ => None,
        })
    }

    /// `a=sctp-port`.
    pub fn sctp_port(&self) -> Option<u16> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::SctpPort(p) => Some(*p),
            _ => None,
        })
    }

    /// `a=max-message-size`.
    pub fn max_message_size(&self) -> Option<u64> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::MaxMessageSize(n) => Some(*n),
            _ => None,
        })
    }

    /// `a=sctpmap` (legacy data channels).
    pub fn sctpmap(&self) -> Option<&SctpMap> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::SctpMap(m) => Some(m),
            _ => None,
        })
    }

    /// `a=rtcp`.
    pub fn rtcp(&self) -> Option<&Rtcp> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Rtcp(r) => Some(r),
            _ => None,
        })
    }

    /// Whether `a=rtcp-mux` is present.
    pub fn has_rtcp_mux(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| matches!(a, Attribute::RtcpMux))
    }

    /// Whether `a=rtcp-mux-only` is present.
    pub fn has_rtcp_mux_only(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| matches!(a, Attribute::RtcpMuxOnly))
    }

    /// Whether `a=rtcp-rsize` is present.
    pub fn has_rtcp_rsize(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| matches!(a, Attribute::RtcpRsize))
    }

    /// `a=ptime` in milliseconds.
    pub fn ptime(&self) -> Option<f64> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Ptime(d) => Some(d.as_f64()),
            _ => None,
        })
    }

    /// `a=maxptime` in milliseconds.
    pub fn maxptime(&self) -> Option<f64> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::MaxPtime(d) => Some(d.as_f64()),
            _ => None,
        })
    }

    /// `a=label`.
    pub fn label(&self) -> Option<&str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Label(l) => Some(l.as_str()),
            _ => None,
        })
    }

    /// Parses the value of an `m=` line (fields separated by single spaces).
    pub(crate) fn parse_media_line(s: &str) -> Result<MediaDescription, ValueError> {
        let mut it = s.split(' ');
        let kind = it.next().unwrap_or_default();
        if !is_token(kind) {
            return Err(ValueError::Invalid("media"));
        }
        let port_field = it.next().ok_or(ValueError::Missing("port"))?;
        let (port, port_count) = match port_field.split_once('/') {
            Some((p, n)) => (
                p,
                Some(
                    digits::<u32>(n)
                        .filter(|n| *n > 0)
                        .ok_or(ValueError::Invalid("number of ports"))?,
                ),
            ),
            None => (port_field, None),
        };
        let port = digits(port).ok_or(ValueError::Invalid("port"))?;
        let protocol = it.next().ok_or(ValueError::Missing("proto"))?;
        if protocol.split('/').any(|p| !is_token(p)) {
            return Err(ValueError::Invalid("proto"));
        }
        let formats = it
            .map(|f| {
                if is_fmt(f) {
                    Ok(f.to_owned())
                } else {
                    Err(ValueError::Invalid("fmt"))
                }
            })
            .collect::<Result<_, _>>()?;
        let mut m = MediaDescription::new(
            MediaKind::from_token(kind),
            port,
            protocol,
            Vec::<String>::new(),
        );
        m.port_count = port_count;
        m.formats = formats;
        Ok(m)
    }

    /// Writes the value of the `m=` line.
    pub(crate) fn fmt_media_line(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.port)?;
        if let Some(n) = self.port_count {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", self.protocol)?;
        for fmt in &self.formats {
            write!(f, " {fmt}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_lines() {
        let m =
            MediaDescription::parse_media_line("audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8").unwrap();
        assert_eq!(m.kind, MediaKind::Audio);
        assert_eq!(m.port, 9);
        assert_eq!(m.protocol(), "UDP/TLS/RTP/SAVPF");
        assert_eq!(m.payload_types().collect::<Vec<_>>(), [111, 63, 9, 0, 8]);
        assert!(m.is_rtp());
        assert!(!m.is_sctp());
        let d =
            MediaDescription::parse_media_line("application 9 UDP/DTLS/SCTP webrtc-datachannel")
                .unwrap();
        assert!(d.is_sctp());
        assert_eq!(d.payload_types().count(), 0);
        let v = MediaDescription::parse_media_line("video 49170/2 RTP/AVP 31").unwrap();
        assert_eq!(v.port_count, Some(2));
        let none = MediaDescription::parse_media_line("audio 0 RTP/AVP").unwrap();
        assert!(none.is_rejected());
        for bad in [
            "",
            "audio",
            "audio x RTP/AVP 0",
            "audio 70000 RTP/AVP 0",
            "audio 9  RTP/AVP 0",
            "audio 9 RTP//AVP 0",
            "audio 9/0 RTP/AVP 0",
            "audio 9 RTP/AVP 0 ",
        ] {
            assert!(MediaDescription::parse_media_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accessors_find_typed_attributes() {
        let m = MediaDescription::new(MediaKind::Video, 9, "UDP/TLS/RTP/SAVPF", ["96", "97"])
            .with_mid("1")
            .with_direction(Direction::SendOnly)
            .with_attribute(Attribute::RtpMap(RtpMap::new(96, "VP8", 90000)))
            .with_attribute(Attribute::RtcpFb(RtcpFb::new(96, "nack", None)))
            .with_attribute(Attribute::RtcpFb("* transport-cc".parse().unwrap()))
            .with_attribute(Attribute::BundleOnly);
        assert_eq!(m.mid(), Some("1"));
        assert_eq!(m.direction(), Some(Direction::SendOnly));
        assert_eq!(m.rtpmap(96).map(|r| r.clock_rate), Some(90000));
        assert_eq!(m.rtcp_feedback(96).count(), 2);
        assert_eq!(m.rtcp_feedback(97).count(), 1);
        assert!(m.is_bundle_only());
        assert!(!m.is_rejected());
        assert_eq!(m.attributes_named("rtcp-fb").count(), 2);
    }
}
