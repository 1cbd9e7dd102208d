//! The attribute lines of a section (RFC 8866 §5.13 `a=<name>[:<value>]`): the [`Attribute`] enum,
//! dispatch from the name to the typed parsers in [`crate::attributes`], and writing.
//!
//! Fidelity rule: a known attribute is kept typed only if writing the typed value reproduces the
//! original value byte for byte; otherwise (odd spacing, unusual letter case of a keyword, leading
//! zeros) it is kept verbatim as [`Attribute::Other`], so that writing a parsed description
//! reproduces it. A known attribute whose value does not parse at all is a syntax error, as in
//! browsers. Unknown attributes are kept verbatim, in order.

use std::fmt::{self, Display, Write as _};
use std::str::FromStr;

use crate::attributes::{
    Candidate, ConnectionMode, Decimal, Direction, Extmap, Fingerprint, Fmtp, Group, Identity,
    Msid, MsidSemantic, RemoteCandidate, Rid, Rtcp, RtcpFb, RtpMap, SctpMap, Setup, Simulcast,
    Ssrc, SsrcGroup, fmt_remote_candidates, is_tls_id, parse_remote_candidates,
};
use crate::lex::{Fields, digits, is_ice_chars, is_token};
use crate::{ParseErrorKind, ValueError};

/// One line of a section's attribute area: a typed WebRTC attribute, any other attribute kept
/// verbatim, or a line of an unknown type kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Attribute {
    /// `a=group` (RFC 5888).
    Group(Group),
    /// `a=msid-semantic` (session level).
    MsidSemantic(MsidSemantic),
    /// `a=mid` (RFC 5888 §4): the media section's identification tag.
    Mid(String),
    /// `a=msid` (RFC 8830).
    Msid(Msid),
    /// `a=ice-ufrag` (RFC 8839 §5.4).
    IceUfrag(String),
    /// `a=ice-pwd` (RFC 8839 §5.4).
    IcePwd(String),
    /// `a=ice-options` (RFC 8839 §5.6), e.g. `trickle`.
    IceOptions(Vec<String>),
    /// `a=ice-lite` (RFC 8839 §5.3).
    IceLite,
    /// `a=ice-pacing` in milliseconds (RFC 8839 §5.5).
    IcePacing(u32),
    /// `a=fingerprint` (RFC 8122).
    Fingerprint(Fingerprint),
    /// `a=setup` (RFC 4145).
    Setup(Setup),
    /// `a=tls-id` (RFC 8842).
    TlsId(String),
    /// `a=connection` (RFC 4145).
    Connection(ConnectionMode),
    /// `a=rtcp` (RFC 3605).
    Rtcp(Rtcp),
    /// `a=rtcp-mux` (RFC 5761).
    RtcpMux,
    /// `a=rtcp-mux-only` (RFC 8858).
    RtcpMuxOnly,
    /// `a=rtcp-rsize` (RFC 5506).
    RtcpRsize,
    /// `a=rtpmap` (RFC 8866 §6.6).
    RtpMap(RtpMap),
    /// `a=fmtp` (RFC 8866 §6.15).
    Fmtp(Fmtp),
    /// `a=rtcp-fb` (RFC 4585).
    RtcpFb(RtcpFb),
    /// `a=extmap` (RFC 8285).
    Extmap(Extmap),
    /// `a=extmap-allow-mixed` (RFC 8285 §6).
    ExtmapAllowMixed,
    /// `a=ssrc` (RFC 5576).
    Ssrc(Ssrc),
    /// `a=ssrc-group` (RFC 5576).
    SsrcGroup(SsrcGroup),
    /// `a=rid` (RFC 8851).
    Rid(Rid),
    /// `a=simulcast` (RFC 8853).
    Simulcast(Simulcast),
    /// `a=sctp-port` (RFC 8841 §5).
    SctpPort(u16),
    /// `a=max-message-size` in bytes, 0 meaning no limit (RFC 8841 §6).
    MaxMessageSize(u64),
    /// `a=sctpmap` (legacy data channels).
    SctpMap(SctpMap),
    /// `a=candidate` (RFC 8839 §5.1).
    Candidate(Candidate),
    /// `a=remote-candidates` (RFC 8839 §5.2).
    RemoteCandidates(Vec<RemoteCandidate>),
    /// `a=end-of-candidates` (RFC 8840 §8.2).
    EndOfCandidates,
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly` or `a=inactive` (RFC 8866 §6.7).
    Direction(Direction),
    /// `a=bundle-only` (RFC 9143 §6).
    BundleOnly,
    /// `a=identity` (RFC 8827).
    Identity(Identity),
    /// `a=ptime` in milliseconds (RFC 8866 §6.4).
    Ptime(Decimal),
    /// `a=maxptime` in milliseconds (RFC 8866 §6.5).
    MaxPtime(Decimal),
    /// `a=framerate` in frames per second (RFC 8866 §6.17).
    Framerate(Decimal),
    /// `a=label` (RFC 4574), as written.
    Label(String),
    /// Any other attribute, or a known one that could not be kept typed without changing its
    /// text, kept verbatim. `value` is `None` for `a=<name>` and `Some` for `a=<name>:<value>`.
    Other {
        /// The attribute name (a token).
        name: String,
        /// The text after the colon.
        value: Option<String>,
    },
    /// A line of a type this level does not define (e.g. `y=...`), kept verbatim in place.
    UnknownLine {
        /// The line type letter.
        kind: char,
        /// The text after `=`.
        text: String,
    },
}

/// The attribute names parsed into typed variants.
const TYPED_NAMES: &[&str] = &[
    "group",
    "msid-semantic",
    "mid",
    "msid",
    "ice-ufrag",
    "ice-pwd",
    "ice-options",
    "ice-lite",
    "ice-pacing",
    "fingerprint",
    "setup",
    "tls-id",
    "connection",
    "rtcp",
    "rtcp-mux",
    "rtcp-mux-only",
    "rtcp-rsize",
    "rtpmap",
    "fmtp",
    "rtcp-fb",
    "extmap",
    "extmap-allow-mixed",
    "ssrc",
    "ssrc-group",
    "rid",
    "simulcast",
    "sctp-port",
    "max-message-size",
    "sctpmap",
    "candidate",
    "remote-candidates",
    "end-of-candidates",
    "sendrecv",
    "sendonly",
    "recvonly",
    "inactive",
    "bundle-only",
    "identity",
    "ptime",
    "maxptime",
    "framerate",
    "label",
];

impl Attribute {
    /// Whether `name` is an attribute this crate parses into a typed variant. An
    /// [`Attribute::Other`] built by hand with such a name would read back typed.
    pub fn is_typed_name(name: &str) -> bool {
        TYPED_NAMES.contains(&name)
    }

    /// An attribute without a typed variant.
    pub fn other(name: impl Into<String>, value: Option<&str>) -> Attribute {
        Attribute::Other {
            name: name.into(),
            value: value.map(str::to_owned),
        }
    }

    /// The attribute name (`"rtpmap"`, ...); for [`Attribute::UnknownLine`], the empty string.
    pub fn name(&self) -> &str {
        match self {
            Attribute::Group(_) => "group",
            Attribute::MsidSemantic(_) => "msid-semantic",
            Attribute::Mid(_) => "mid",
            Attribute::Msid(_) => "msid",
            Attribute::IceUfrag(_) => "ice-ufrag",
            Attribute::IcePwd(_) => "ice-pwd",
            Attribute::IceOptions(_) => "ice-options",
            Attribute::IceLite => "ice-lite",
            Attribute::IcePacing(_) => "ice-pacing",
            Attribute::Fingerprint(_) => "fingerprint",
            Attribute::Setup(_) => "setup",
            Attribute::TlsId(_) => "tls-id",
            Attribute::Connection(_) => "connection",
            Attribute::Rtcp(_) => "rtcp",
            Attribute::RtcpMux => "rtcp-mux",
            Attribute::RtcpMuxOnly => "rtcp-mux-only",
            Attribute::RtcpRsize => "rtcp-rsize",
            Attribute::RtpMap(_) => "rtpmap",
            Attribute::Fmtp(_) => "fmtp",
            Attribute::RtcpFb(_) => "rtcp-fb",
            Attribute::Extmap(_) => "extmap",
            Attribute::ExtmapAllowMixed => "extmap-allow-mixed",
            Attribute::Ssrc(_) => "ssrc",
            Attribute::SsrcGroup(_) => "ssrc-group",
            Attribute::Rid(_) => "rid",
            Attribute::Simulcast(_) => "simulcast",
            Attribute::SctpPort(_) => "sctp-port",
            Attribute::MaxMessageSize(_) => "max-message-size",
            Attribute::SctpMap(_) => "sctpmap",
            Attribute::Candidate(_) => "candidate",
            Attribute::RemoteCandidates(_) => "remote-candidates",
            Attribute::EndOfCandidates => "end-of-candidates",
            Attribute::Direction(d) => d.as_str(),
            Attribute::BundleOnly => "bundle-only",
            Attribute::Identity(_) => "identity",
            Attribute::Ptime(_) => "ptime",
            Attribute::MaxPtime(_) => "maxptime",
            Attribute::Framerate(_) => "framerate",
            Attribute::Label(_) => "label",
            Attribute::Other { name, .. } => name,
            Attribute::UnknownLine { .. } => "",
        }
    }

    /// Whether this is a flag attribute (written without a value).
    fn is_flag(&self) -> bool {
        matches!(
            self,
            Attribute::IceLite
                | Attribute::RtcpMux
                | Attribute::RtcpMuxOnly
                | Attribute::RtcpRsize
                | Attribute::ExtmapAllowMixed
                | Attribute::EndOfCandidates
                | Attribute::Direction(_)
                | Attribute::BundleOnly
        ) || matches!(self, Attribute::Other { value: None, .. })
    }

    /// Parses the text after `a=`, keeping the attribute verbatim where typing it would change
    /// its text. `scratch` is a reusable buffer for that check.
    pub(crate) fn parse_line(
        text: &str,
        scratch: &mut String,
    ) -> Result<Attribute, ParseErrorKind> {
        let (name, value) = match text.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        if !is_token(name) {
            return Err(ParseErrorKind::InvalidAttributeName);
        }
        let typed = parse_typed(name, value).map_err(|error| ParseErrorKind::InvalidAttribute {
            name: name.to_owned(),
            error,
        })?;
        if let Some(attr) = typed {
            scratch.clear();
            // Writing into a String cannot fail.
            let _ = write!(scratch, "{}", ValueText(&attr));
            let same = match value {
                Some(v) => !attr.is_flag() && scratch == v,
                None => attr.is_flag(),
            };
            if same {
                return Ok(attr);
            }
        }
        Ok(Attribute::Other {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        })
    }

    /// Writes the value part (after the colon) of a valued attribute; nothing for a flag.
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attribute::Group(g) => Display::fmt(g, f),
            Attribute::MsidSemantic(m) => Display::fmt(m, f),
            Attribute::Mid(s)
            | Attribute::IceUfrag(s)
            | Attribute::IcePwd(s)
            | Attribute::TlsId(s)
            | Attribute::Label(s) => f.write_str(s),
            Attribute::Msid(m) => Display::fmt(m, f),
            Attribute::IceOptions(o) => {
                for (i, opt) in o.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(opt)?;
                }
                Ok(())
            }
            Attribute::IcePacing(n) => write!(f, "{n}"),
            Attribute::Fingerprint(x) => Display::fmt(x, f),
            Attribute::Setup(x) => Display::fmt(x, f),
            Attribute::Connection(x) => Display::fmt(x, f),
            Attribute::Rtcp(x) => Display::fmt(x, f),
            Attribute::RtpMap(x) => Display::fmt(x, f),
            Attribute::Fmtp(x) => Display::fmt(x, f),
            Attribute::RtcpFb(x) => Display::fmt(x, f),
            Attribute::Extmap(x) => Display::fmt(x, f),
            Attribute::Ssrc(x) => Display::fmt(x, f),
            Attribute::SsrcGroup(x) => Display::fmt(x, f),
            Attribute::Rid(x) => Display::fmt(x, f),
            Attribute::Simulcast(x) => Display::fmt(x, f),
            Attribute::SctpPort(n) => write!(f, "{n}"),
            Attribute::MaxMessageSize(n) => write!(f, "{n}"),
            Attribute::SctpMap(x) => Display::fmt(x, f),
            Attribute::Candidate(c) => c.fmt_value(f),
            Attribute::RemoteCandidates(l) => fmt_remote_candidates(f, l),
            Attribute::Identity(x) => Display::fmt(x, f),
            Attribute::Ptime(d) | Attribute::MaxPtime(d) | Attribute::Framerate(d) => {
                Display::fmt(d, f)
            }
            Attribute::Other { value, .. } => f.write_str(value.as_deref().unwrap_or_default()),
            Attribute::UnknownLine { text, .. } => f.write_str(text),
            Attribute::IceLite
            | Attribute::RtcpMux
            | Attribute::RtcpMuxOnly
            | Attribute::RtcpRsize
            | Attribute::ExtmapAllowMixed
            | Attribute::EndOfCandidates
            | Attribute::Direction(_)
            | Attribute::BundleOnly => Ok(()),
        }
    }
}

/// Displays only the value part of an attribute.
struct ValueText<'a>(&'a Attribute);

impl fmt::Display for ValueText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_value(f)
    }
}

impl fmt::Display for Attribute {
    /// Writes the whole line without its line ending: `a=mid:0`, `a=rtcp-mux`, or for
    /// [`Attribute::UnknownLine`] `y=...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Attribute::UnknownLine { kind, text } = self {
            return write!(f, "{kind}={text}");
        }
        write!(f, "a={}", self.name())?;
        if !self.is_flag() {
            f.write_str(":")?;
            self.fmt_value(f)?;
        }
        Ok(())
    }
}

impl FromStr for Attribute {
    type Err = ParseErrorKind;

    /// Parses one attribute line, with or without the `a=` prefix (no line ending).
    fn from_str(s: &str) -> Result<Self, ParseErrorKind> {
        let text = s.strip_prefix("a=").unwrap_or(s);
        if !crate::lex::is_line_text(text) {
            return Err(ParseErrorKind::ForbiddenCharacter);
        }
        Attribute::parse_line(text, &mut String::new())
    }
}

/// The value of a valued attribute, or the error for its absence.
fn required(value: Option<&str>) -> Result<&str, ValueError> {
    value.ok_or(ValueError::Missing("value"))
}

/// A single field (surrounding whitespace tolerated) that passes `check`.
fn single(
    value: Option<&str>,
    what: &'static str,
    check: fn(&str) -> bool,
) -> Result<String, ValueError> {
    let mut f = Fields::new(required(value)?);
    let v = f.next_field().ok_or(ValueError::Missing(what))?;
    if !f.is_empty() {
        return Err(ValueError::Trailing);
    }
    if !check(v) {
        return Err(ValueError::Invalid(what));
    }
    Ok(v.to_owned())
}

fn number<T: FromStr>(value: Option<&str>, what: &'static str) -> Result<T, ValueError> {
    let v = single(value, what, |_| true)?;
    digits(&v).ok_or(ValueError::Invalid(what))
}

/// Parses a known attribute; `Ok(None)` for unknown names and for flags that carry a value.
fn parse_typed(name: &str, value: Option<&str>) -> Result<Option<Attribute>, ValueError> {
    let flag = |a: Attribute| Ok(if value.is_none() { Some(a) } else { None });
    Ok(Some(match name {
        "group" => Attribute::Group(required(value)?.parse()?),
        "msid-semantic" => Attribute::MsidSemantic(required(value)?.parse()?),
        "mid" => Attribute::Mid(single(value, "identification-tag", is_token)?),
        "msid" => Attribute::Msid(required(value)?.parse()?),
        "ice-ufrag" => Attribute::IceUfrag(single(value, "ice-ufrag", is_ice_chars)?),
        "ice-pwd" => Attribute::IcePwd(single(value, "ice-pwd", is_ice_chars)?),
        "ice-options" => {
            let opts: Vec<String> = Fields::new(required(value)?)
                .map(|o| {
                    if is_token(o) {
                        Ok(o.to_owned())
                    } else {
                        Err(ValueError::Invalid("ice-option-tag"))
                    }
                })
                .collect::<Result<_, _>>()?;
            if opts.is_empty() {
                return Err(ValueError::Missing("ice-option-tag"));
            }
            Attribute::IceOptions(opts)
        }
        "ice-lite" => return flag(Attribute::IceLite),
        "ice-pacing" => Attribute::IcePacing(number(value, "ice-pacing")?),
        "fingerprint" => Attribute::Fingerprint(required(value)?.parse()?),
        "setup" => Attribute::Setup(required(value)?.parse()?),
        "tls-id" => Attribute::TlsId(single(value, "tls-id", is_tls_id)?),
        "connection" => Attribute::Connection(required(value)?.parse()?),
        "rtcp" => Attribute::Rtcp(required(value)?.parse()?),
        "rtcp-mux" => return flag(Attribute::RtcpMux),
        "rtcp-mux-only" => return flag(Attribute::RtcpMuxOnly),
        "rtcp-rsize" => return flag(Attribute::RtcpRsize),
        "rtpmap" => Attribute::RtpMap(required(value)?.parse()?),
        "fmtp" => Attribute::Fmtp(required(value)?.parse()?),
        "rtcp-fb" => Attribute::RtcpFb(required(value)?.parse()?),
        "extmap" => Attribute::Extmap(required(value)?.parse()?),
        "extmap-allow-mixed" => return flag(Attribute::ExtmapAllowMixed),
        "ssrc" => Attribute::Ssrc(required(value)?.parse()?),
        "ssrc-group" => Attribute::SsrcGroup(required(value)?.parse()?),
        "rid" => Attribute::Rid(required(value)?.parse()?),
        "simulcast" => Attribute::Simulcast(required(value)?.parse()?),
        "sctp-port" => Attribute::SctpPort(number(value, "sctp-port")?),
        "max-message-size" => Attribute::MaxMessageSize(number(value, "max-message-size")?),
        "sctpmap" => Attribute::SctpMap(required(value)?.parse()?),
        "candidate" => Attribute::Candidate(Candidate::parse_value(required(value)?)?),
        "remote-candidates" => {
            Attribute::RemoteCandidates(parse_remote_candidates(required(value)?)?)
        }
        "end-of-candidates" => return flag(Attribute::EndOfCandidates),
        "sendrecv" => return flag(Attribute::Direction(Direction::SendRecv)),
        "sendonly" => return flag(Attribute::Direction(Direction::SendOnly)),
        "recvonly" => return flag(Attribute::Direction(Direction::RecvOnly)),
        "inactive" => return flag(Attribute::Direction(Direction::Inactive)),
        "bundle-only" => return flag(Attribute::BundleOnly),
        "identity" => Attribute::Identity(required(value)?.parse()?),
        "ptime" => Attribute::Ptime(single(value, "ptime", |_| true)?.parse()?),
        "maxptime" => Attribute::MaxPtime(single(value, "maxptime", |_| true)?.parse()?),
        "framerate" => Attribute::Framerate(single(value, "framerate", |_| true)?.parse()?),
        "label" => Attribute::Label(required(value)?.to_owned()),
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Attribute {
        Attribute::parse_line(text, &mut String::new()).unwrap()
    }

    #[test]
    fn typed_attributes_round_trip() {
        for line in [
            "mid:0",
            "ice-ufrag:EsAw",
            "ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
            "ice-options:trickle renomination",
            "ice-lite",
            "ice-pacing:50",
            "setup:actpass",
            "tls-id:abcdefghijklmnopqrstuv",
            "connection:new",
            "rtcp:9 IN IP4 0.0.0.0",
            "rtcp-mux",
            "rtcp-mux-only",
            "rtcp-rsize",
            "extmap-allow-mixed",
            "sctp-port:5000",
            "max-message-size:262144",
            "end-of-candidates",
            "remote-candidates:1 192.0.2.3 45664",
            "sendonly",
            "bundle-only",
            "ptime:20",
            "maxptime:120",
            "framerate:29.97",
            "label:1",
        ] {
            let a = parse(line);
            assert!(
                !matches!(a, Attribute::Other { .. }),
                "{line} stayed untyped"
            );
            assert_eq!(a.to_string(), format!("a={line}"));
        }
    }

    #[test]
    fn odd_spacing_is_kept_verbatim() {
        let a = parse("rtpmap:96  VP8/90000");
        assert_eq!(a, Attribute::other("rtpmap", Some("96  VP8/90000")));
        assert_eq!(a.to_string(), "a=rtpmap:96  VP8/90000");
        assert_eq!(parse("mid:0 "), Attribute::other("mid", Some("0 ")));
        assert_eq!(
            parse("sctp-port:05000"),
            Attribute::other("sctp-port", Some("05000"))
        );
        assert_eq!(
            parse("setup: actpass"),
            Attribute::other("setup", Some(" actpass"))
        );
        // A flag with a value is not the flag.
        assert_eq!(
            parse("rtcp-mux:yes"),
            Attribute::other("rtcp-mux", Some("yes"))
        );
        assert_eq!(parse("rtcp-mux:"), Attribute::other("rtcp-mux", Some("")));
    }

    #[test]
    fn unknown_attributes_are_verbatim() {
        assert_eq!(
            parse("x-google-flag:conference"),
            Attribute::other("x-google-flag", Some("conference"))
        );
        assert_eq!(parse("foo"), Attribute::other("foo", None));
        assert_eq!(parse("foo:").to_string(), "a=foo:");
    }

    #[test]
    fn malformed_known_attributes_are_errors() {
        for line in [
            "mid",
            "mid:a b",
            "rtpmap:x VP8/90000",
            "ice-ufrag:a-b",
            "sctp-port:70000",
            "max-message-size:-1",
            "setup:both",
            "candidate:1 1 udp",
            "ptime:x",
            "ice-options:",
        ] {
            let r = Attribute::parse_line(line, &mut String::new());
            assert!(
                matches!(r, Err(ParseErrorKind::InvalidAttribute { .. })),
                "{line}: {r:?}"
            );
        }
        assert_eq!(
            Attribute::parse_line("a b:c", &mut String::new()),
            Err(ParseErrorKind::InvalidAttributeName)
        );
    }

    #[test]
    fn from_str_accepts_prefix() {
        let a: Attribute = "a=sendrecv".parse().unwrap();
        assert_eq!(a, Attribute::Direction(Direction::SendRecv));
        assert_eq!(a.name(), "sendrecv");
        assert!("a=x\r".parse::<Attribute>().is_err());
    }
}
