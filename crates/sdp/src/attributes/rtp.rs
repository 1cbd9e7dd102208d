//! RTP payload and header-extension attributes: `a=rtpmap` and `a=fmtp` (RFC 8866 §6.6, §6.15),
//! `a=rtcp-fb` (RFC 4585 §4.2), `a=extmap` (RFC 8285 §7) and `a=rtcp` (RFC 3605 §2.1).

use std::fmt;
use std::str::FromStr;

use super::Direction;
use crate::lex::{Fields, digits, is_token, is_token_char};
use crate::{Connection, ValueError};

/// Parses an RTP payload type (0–127).
pub(crate) fn payload_type(s: &str) -> Result<u8, ValueError> {
    digits::<u8>(s)
        .filter(|pt| *pt <= 127)
        .ok_or(ValueError::Invalid("payload type"))
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpMap {
    /// The RTP payload type (0–127).
    pub payload_type: u8,
    /// The encoding name as written (`opus`, `VP8`, `H264`, `rtx`, ...).
    pub encoding_name: String,
    /// The RTP clock rate in Hz.
    pub clock_rate: u32,
    /// The encoding parameters: the number of audio channels.
    pub channels: Option<u16>,
}

impl RtpMap {
    /// A mapping without encoding parameters.
    pub fn new(payload_type: u8, encoding_name: impl Into<String>, clock_rate: u32) -> RtpMap {
        RtpMap {
            payload_type,
            encoding_name: encoding_name.into(),
            clock_rate,
            channels: None,
        }
    }

    /// The same mapping with a channel count.
    pub fn with_channels(mut self, channels: u16) -> RtpMap {
        self.channels = Some(channels);
        self
    }
}

impl FromStr for RtpMap {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let pt = payload_type(f.next_field().ok_or(ValueError::Missing("payload type"))?)?;
        let encoding = f.next_field().ok_or(ValueError::Missing("encoding"))?;
        if !f.is_empty() {
            return Err(ValueError::Trailing);
        }
        let mut parts = encoding.split('/');
        let name = parts.next().unwrap_or_default();
        if !is_token(name) {
            return Err(ValueError::Invalid("encoding name"));
        }
        let clock_rate = parts
            .next()
            .ok_or(ValueError::Missing("clock rate"))
            .and_then(|r| digits(r).ok_or(ValueError::Invalid("clock rate")))?;
        let channels = match parts.next() {
            Some(c) => Some(digits(c).ok_or(ValueError::Invalid("channels"))?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(ValueError::Trailing);
        }
        Ok(RtpMap {
            payload_type: pt,
            encoding_name: name.to_owned(),
            clock_rate,
            channels,
        })
    }
}

impl fmt::Display for RtpMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding_name, self.clock_rate
        )?;
        if let Some(c) = self.channels {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

/// `a=fmtp:<format> <format specific parameters>`.
///
/// The parameters are kept as written (their syntax belongs to each codec: `key=value;...` for
/// most, `111/111` for RED, `0-15` for telephone-event); [`Fmtp::params`] splits the common form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fmtp {
    /// The format (an RTP payload type, or e.g. `webrtc-datachannel` in old data channel SDP).
    pub format: String,
    /// The parameter text after the first space, as written.
    pub parameters: String,
}

impl Fmtp {
    /// `a=fmtp` for an RTP payload type with `key=value` pairs joined by `;`.
    pub fn new<'a, I>(payload_type: u8, params: I) -> Fmtp
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut parameters = String::new();
        for (k, v) in params {
            if !parameters.is_empty() {
                parameters.push(';');
            }
            parameters.push_str(k);
            parameters.push('=');
            parameters.push_str(v);
        }
        Fmtp {
            format: payload_type.to_string(),
            parameters,
        }
    }

    /// The format as an RTP payload type, if it is one.
    pub fn payload_type(&self) -> Option<u8> {
        payload_type(&self.format).ok()
    }

    /// The `;`-separated parameters as `(name, value)` pairs, trimmed; a parameter without `=`
    /// has no value.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.parameters
            .split(';')
            .map(|p| p.trim_matches([' ', '\t']))
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim_end(), Some(v.trim_start())),
                None => (p, None),
            })
    }

    /// The value of the parameter `name` (ASCII case-insensitive, per RFC 8866 §6.15 usage).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v)
    }
}

impl FromStr for Fmtp {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let format = f.next_field().ok_or(ValueError::Missing("format"))?;
        if !is_token(format) {
            return Err(ValueError::Invalid("format"));
        }
        Ok(Fmtp {
            format: format.to_owned(),
            parameters: f.rest().unwrap_or_default().to_owned(),
        })
    }
}

impl fmt::Display for Fmtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.format, self.parameters)
    }
}

/// The payload type an `a=rtcp-fb` line applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RtcpFbPayload {
    /// `*`: every payload type of the media section.
    Any,
    /// One payload type.
    PayloadType(u8),
}

impl RtcpFbPayload {
    /// Whether feedback for this applies to payload type `pt`.
    pub fn matches(self, pt: u8) -> bool {
        match self {
            RtcpFbPayload::Any => true,
            RtcpFbPayload::PayloadType(p) => p == pt,
        }
    }
}

/// `a=rtcp-fb:<payload type|*> <feedback type> [<parameters>]` (RFC 4585 §4.2), e.g.
/// `96 nack pli`, `96 transport-cc`, `* trr-int 100`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtcpFb {
    /// The payload type, or all of them.
    pub payload: RtcpFbPayload,
    /// The feedback type: `ack`, `nack`, `trr-int`, `ccm`, `goog-remb`, `transport-cc`, ...
    pub feedback_type: String,
    /// Everything after the feedback type (`pli`, `fir`, `100`, `app ...`), as written.
    pub parameter: Option<String>,
}

impl RtcpFb {
    /// Feedback for one payload type.
    pub fn new(payload_type: u8, feedback_type: &str, parameter: Option<&str>) -> RtcpFb {
        RtcpFb {
            payload: RtcpFbPayload::PayloadType(payload_type),
            feedback_type: feedback_type.to_owned(),
            parameter: parameter.map(str::to_owned),
        }
    }
}

impl FromStr for RtcpFb {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let payload = match f.next_field().ok_or(ValueError::Missing("payload type"))? {
            "*" => RtcpFbPayload::Any,
            pt => RtcpFbPayload::PayloadType(payload_type(pt)?),
        };
        let feedback_type = f.next_field().ok_or(ValueError::Missing("feedback type"))?;
        if !is_token(feedback_type) {
            return Err(ValueError::Invalid("feedback type"));
        }
        Ok(RtcpFb {
            payload,
            feedback_type: feedback_type.to_owned(),
            parameter: f.rest().map(str::to_owned),
        })
    }
}

impl fmt::Display for RtcpFb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.payload {
            RtcpFbPayload::Any => f.write_str("*")?,
            RtcpFbPayload::PayloadType(pt) => write!(f, "{pt}")?,
        }
        write!(f, " {}", self.feedback_type)?;
        if let Some(p) = &self.parameter {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

/// `a=extmap:<id>[/<direction>] <uri> [<extension attributes>]` (RFC 8285 §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extmap {
    /// The local identifier: 1–255, or 4096–4351 for RFC 8285 §7 local negotiation.
    pub id: u16,
    /// The direction, if given.
    pub direction: Option<Direction>,
    /// The extension URI.
    pub uri: String,
    /// Extension attributes after the URI, as written.
    pub attributes: Option<String>,
}

impl Extmap {
    /// A mapping of `id` to `uri` with no direction or attributes.
    pub fn new(id: u16, uri: impl Into<String>) -> Extmap {
        Extmap {
            id,
            direction: None,
            uri: uri.into(),
            attributes: None,
        }
    }
}

fn is_uri(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b > 0x20 && b < 0x7f)
}

impl FromStr for Extmap {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let entry = f.next_field().ok_or(ValueError::Missing("id"))?;
        let (id, direction) = match entry.split_once('/') {
            Some((id, dir)) => (id, Some(dir.parse::<Direction>()?)),
            None => (entry, None),
        };
        let id: u16 = digits(id)
            .filter(|id| matches!(id, 1..=255 | 4096..=4351))
            .ok_or(ValueError::Invalid("id"))?;
        let uri = f.next_field().ok_or(ValueError::Missing("extension URI"))?;
        if !is_uri(uri) {
            return Err(ValueError::Invalid("extension URI"));
        }
        Ok(Extmap {
            id,
            direction,
            uri: uri.to_owned(),
            attributes: f.rest().map(str::to_owned),
        })
    }
}

impl fmt::Display for Extmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if let Some(d) = self.direction {
            write!(f, "/{d}")?;
        }
        write!(f, " {}", self.uri)?;
        if let Some(a) = &self.attributes {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605 §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rtcp {
    /// The RTCP port.
    pub port: u16,
    /// The RTCP address, if it differs from the media address.
    pub connection: Option<Connection>,
}

impl FromStr for Rtcp {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let port = digits(f.next_field().ok_or(ValueError::Missing("port"))?)
            .ok_or(ValueError::Invalid("port"))?;
        let connection = match f.next_field() {
            None => None,
            Some(nettype) => {
                let addrtype = f.next_field().ok_or(ValueError::Missing("addrtype"))?;
                let address = f
                    .next_field()
                    .ok_or(ValueError::Missing("connection-address"))?;
                Some(Connection::from_fields(nettype, addrtype, address)?)
            }
        };
        if !f.is_empty() {
            return Err(ValueError::Trailing);
        }
        Ok(Rtcp { port, connection })
    }
}

impl fmt::Display for Rtcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)?;
        if let Some(c) = &self.connection {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// Whether `s` is usable as an fmt (RFC 8866 `token`); re-exported for the `m=` parser.
pub(crate) fn is_fmt(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtpmap_forms() {
        let opus: RtpMap = "111 opus/48000/2".parse().unwrap();
        assert_eq!(opus, RtpMap::new(111, "opus", 48000).with_channels(2));
        assert_eq!(opus.to_string(), "111 opus/48000/2");
        let vp8: RtpMap = "96 VP8/90000".parse().unwrap();
        assert_eq!(vp8.channels, None);
        assert!("128 x/1".parse::<RtpMap>().is_err());
        assert!("96 VP8".parse::<RtpMap>().is_err());
        assert!("96 VP8/90000/1/2".parse::<RtpMap>().is_err());
        assert!("96 VP8/x".parse::<RtpMap>().is_err());
        assert!("96".parse::<RtpMap>().is_err());
    }

    #[test]
    fn fmtp_params() {
        let f: Fmtp = "111 minptime=10;useinbandfec=1".parse().unwrap();
        assert_eq!(f.payload_type(), Some(111));
        assert_eq!(f.param("useinbandfec"), Some("1"));
        assert_eq!(f.params().count(), 2);
        assert_eq!(
            f,
            Fmtp::new(111, [("minptime", "10"), ("useinbandfec", "1")])
        );
        let red: Fmtp = "63 111/111".parse().unwrap();
        assert_eq!(red.params().next(), Some(("111/111", None)));
        let dc: Fmtp = "webrtc-datachannel max-message-size=100000"
            .parse()
            .unwrap();
        assert_eq!(dc.payload_type(), None);
        assert_eq!(dc.param("max-message-size"), Some("100000"));
    }

    #[test]
    fn rtcp_fb_forms() {
        let f: RtcpFb = "96 nack pli".parse().unwrap();
        assert_eq!(f, RtcpFb::new(96, "nack", Some("pli")));
        assert_eq!(f.to_string(), "96 nack pli");
        let any: RtcpFb = "* trr-int 100".parse().unwrap();
        assert!(any.payload.matches(5));
        assert_eq!("96 transport-cc".parse::<RtcpFb>().unwrap().parameter, None);
        assert!("96".parse::<RtcpFb>().is_err());
    }

    #[test]
    fn extmap_forms() {
        let e: Extmap = "3/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level"
            .parse()
            .unwrap();
        assert_eq!(e.direction, Some(Direction::RecvOnly));
        assert_eq!(e.id, 3);
        let e: Extmap = "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on"
            .parse()
            .unwrap();
        assert_eq!(e.attributes.as_deref(), Some("vad=on"));
        assert_eq!(
            e.to_string(),
            "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on"
        );
        assert!("0 urn:x".parse::<Extmap>().is_err());
        assert!("256 urn:x".parse::<Extmap>().is_err());
        assert!("4096 urn:x".parse::<Extmap>().is_ok());
        assert!("1/sideways urn:x".parse::<Extmap>().is_err());
        assert!("1".parse::<Extmap>().is_err());
    }

    #[test]
    fn rtcp_forms() {
        let r: Rtcp = "9 IN IP4 0.0.0.0".parse().unwrap();
        assert_eq!(r.port, 9);
        assert_eq!(r.to_string(), "9 IN IP4 0.0.0.0");
        let r: Rtcp = "53020".parse().unwrap();
        assert_eq!(r.connection, None);
        assert!("9 IN".parse::<Rtcp>().is_err());
        assert!("x".parse::<Rtcp>().is_err());
    }
}
