//! ICE server URLs: parsing and validating the `stun:`, `stuns:` (RFC 7064 §3.1) and `turn:`,
//! `turns:` (RFC 7065 §3.1) URLs of an `RTCIceServer`, exactly as webrtc-pc §4.4.1.5 "validate an
//! ICE server URL" prescribes, into a typed [`IceServerUrl`] with the default ports
//! (RFC 7064 §3.2 / RFC 7065 §3.2: 3478, and 5349 for the TLS schemes) and transports filled in.
//!
//! webrtc-pc validates with the WHATWG URL parser: the URL must parse, its scheme must be one of
//! the four, it must have an opaque path (`stun:host`, never `stun://host`) with no `/` or `@`,
//! no fragment, no query for STUN, and a query for TURN that is exactly `transport=udp` or
//! `transport=tcp`; then `"https://" + path` must parse to a bare host and port. The first parse
//! (scheme, opaque path, query, fragment) is written out here; the host goes through
//! [`crate::host`], the WHATWG host parser.
//!
//! Every failure is a `SyntaxError`, except a well-formed URL whose scheme the implementation
//! does not support, which is a `NotSupportedError` ([`IceServerUrlError::SchemeNotImplemented`]).

use std::fmt;
use std::str::FromStr;

use crate::RtcError;
use crate::enums::{RtcIceProtocol, RtcIceServerTransportProtocol};
use crate::host::{HostError, IceServerHost, parse_host};

/// The scheme of an ICE server URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceServerScheme {
    /// `stun:` (RFC 7064): STUN over UDP.
    Stun,
    /// `stuns:` (RFC 7064): STUN over TLS.
    Stuns,
    /// `turn:` (RFC 7065): TURN over UDP or TCP.
    Turn,
    /// `turns:` (RFC 7065): TURN over TLS (or DTLS with `?transport=udp`).
    Turns,
}

impl IceServerScheme {
    /// All four schemes.
    pub const ALL: &'static [Self] = &[Self::Stun, Self::Stuns, Self::Turn, Self::Turns];

    /// The scheme as written, without the colon.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Stun => "stun",
            Self::Stuns => "stuns",
            Self::Turn => "turn",
            Self::Turns => "turns",
        }
    }

    /// The scheme for this (already lower-cased) name.
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "stun" => Some(Self::Stun),
            "stuns" => Some(Self::Stuns),
            "turn" => Some(Self::Turn),
            "turns" => Some(Self::Turns),
            _ => None,
        }
    }

    /// Whether this is a TURN scheme (which needs `username` and `credential`).
    pub const fn is_turn(self) -> bool {
        matches!(self, Self::Turn | Self::Turns)
    }

    /// Whether the connection to the server is secured with (D)TLS.
    pub const fn is_secure(self) -> bool {
        matches!(self, Self::Stuns | Self::Turns)
    }

    /// The default port: 3478, or 5349 for the secure schemes (RFC 7064 §3.2, RFC 7065 §3.2).
    pub const fn default_port(self) -> u16 {
        if self.is_secure() { 5349 } else { 3478 }
    }
}

impl fmt::Display for IceServerScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an ICE server URL is invalid. [`SchemeNotImplemented`](Self::SchemeNotImplemented)
/// becomes a `NotSupportedError`, every other case a `SyntaxError`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IceServerUrlError {
    /// Not an absolute URL: no `scheme:` prefix.
    #[error("not an absolute URL (no scheme)")]
    NoScheme,
    /// A scheme other than stun, stuns, turn and turns.
    #[error("scheme '{0}' is not stun, stuns, turn or turns")]
    UnknownScheme(String),
    /// `scheme://...`: an ICE server URL has an opaque path (`stun:host`).
    #[error("expected scheme:host[:port], without '//'")]
    NotOpaquePath,
    /// The host and port contain `/` or `@`.
    #[error("'/' or '@' after the scheme")]
    SlashOrAt,
    /// The URL has a `#fragment`.
    #[error("ICE server URLs have no fragment")]
    Fragment,
    /// A `stun:` or `stuns:` URL has a `?query`.
    #[error("a {0}: URL has no query")]
    QueryNotAllowed(IceServerScheme),
    /// A TURN query other than `transport=udp` or `transport=tcp`.
    #[error("the query must be transport=udp or transport=tcp")]
    InvalidTransport,
    /// The scheme is valid but not implemented here.
    #[error("{0}: URLs are not supported")]
    SchemeNotImplemented(IceServerScheme),
    /// The host is invalid.
    #[error("invalid host: {0}")]
    Host(#[from] HostError),
    /// The port is not a decimal number up to 65535.
    #[error("invalid port")]
    InvalidPort,
    /// Something follows the host and port (a `\`, which the URL parser reads as a path).
    #[error("unexpected path after the host and port")]
    Path,
}

impl IceServerUrlError {
    /// The `RtcError` the API reports for this error on `url` (webrtc-pc §4.4.1.5).
    pub fn to_rtc_error(&self, url: &str) -> RtcError {
        let message = format!("invalid ICE server URL '{url}': {self}");
        match self {
            Self::SchemeNotImplemented(_) => RtcError::not_supported(message),
            _ => RtcError::syntax(message),
        }
    }
}

impl From<IceServerUrlError> for RtcError {
    fn from(e: IceServerUrlError) -> Self {
        let message = format!("invalid ICE server URL: {e}");
        match e {
            IceServerUrlError::SchemeNotImplemented(_) => RtcError::not_supported(message),
            _ => RtcError::syntax(message),
        }
    }
}

/// A parsed, valid ICE server URL.
///
/// `Display` writes the canonical form, `scheme:host:port` plus `?transport=` for TURN, which
/// parses back to the same value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IceServerUrl {
    scheme: IceServerScheme,
    host: IceServerHost,
    port: u16,
    transport: RtcIceProtocol,
}

impl IceServerUrl {
    /// Parses and validates `input`, assuming every scheme is implemented.
    pub fn parse(input: &str) -> Result<Self, IceServerUrlError> {
        Self::parse_with(input, IceServerScheme::ALL)
    }

    /// Parses and validates `input` (webrtc-pc §4.4.1.5 "validate an ICE server URL"); a scheme
    /// missing from `implemented` fails with
    /// [`SchemeNotImplemented`](IceServerUrlError::SchemeNotImplemented), checked after the
    /// URL's shape and before its host, in the spec's order.
    pub fn parse_with(
        input: &str,
        implemented: &[IceServerScheme],
    ) -> Result<Self, IceServerUrlError> {
        // Basic URL parser preprocessing: strip leading and trailing C0 controls and spaces,
        // remove every ASCII tab and newline.
        let cleaned: String = input
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();

        // Scheme start and scheme states.
        let colon = scheme_end(&cleaned).ok_or(IceServerUrlError::NoScheme)?;
        let name = cleaned[..colon].to_ascii_lowercase();
        let scheme = IceServerScheme::from_name(&name)
            .ok_or_else(|| IceServerUrlError::UnknownScheme(name.clone()))?;
        let rest = &cleaned[colon + 1..];
        if rest.starts_with('/') {
            return Err(IceServerUrlError::NotOpaquePath);
        }

        // Opaque path, query and fragment states.
        let (before_fragment, fragment) = match rest.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (rest, None),
        };
        let (path, query) = match before_fragment.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (before_fragment, None),
        };
        if path.contains(['/', '@']) {
            return Err(IceServerUrlError::SlashOrAt);
        }
        if fragment.is_some() {
            return Err(IceServerUrlError::Fragment);
        }
        if !scheme.is_turn() && query.is_some() {
            return Err(IceServerUrlError::QueryNotAllowed(scheme));
        }
        if !implemented.contains(&scheme) {
            return Err(IceServerUrlError::SchemeNotImplemented(scheme));
        }

        // "https://" + path: the special-scheme authority (leading `\` are skipped like `/`,
        // a later `\` starts a path), then the host and port states.
        let authority = path.trim_start_matches('\\');
        let (authority, trailing_path) = match authority.split_once('\\') {
            Some((a, _)) => (a, true),
            None => (authority, false),
        };
        let (host, port) = split_host_port(authority);
        let host = parse_host(host)?;
        let port = match port {
            Some(p) => parse_port(p)?.unwrap_or(scheme.default_port()),
            None => scheme.default_port(),
        };
        if trailing_path {
            return Err(IceServerUrlError::Path);
        }

        let transport = match query {
            None if scheme == IceServerScheme::Turns || scheme == IceServerScheme::Stuns => {
                RtcIceProtocol::Tcp
            }
            None => RtcIceProtocol::Udp,
            Some("transport=udp") => RtcIceProtocol::Udp,
            Some("transport=tcp") => RtcIceProtocol::Tcp,
            Some(_) => return Err(IceServerUrlError::InvalidTransport),
        };

        Ok(Self {
            scheme,
            host,
            port,
            transport,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> IceServerScheme {
        self.scheme
    }

    /// The host.
    pub fn host(&self) -> &IceServerHost {
        &self.host
    }

    /// The port: the URL's, or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The transport to the server: the TURN URL's `?transport=`, or the default (UDP for
    /// `stun:` and `turn:`, TCP for `stuns:` and `turns:`).
    pub fn transport(&self) -> RtcIceProtocol {
        self.transport
    }

    /// `RTCIceCandidate.relayProtocol` for candidates from this TURN server: `udp`, `tcp`, or
    /// `tls` for `turns:` over TCP. `None` for STUN URLs and for TURN over DTLS
    /// (`turns:...?transport=udp`), which the enum has no value for.
    pub fn relay_protocol(&self) -> Option<RtcIceServerTransportProtocol> {
        match (self.scheme, self.transport) {
            (IceServerScheme::Turn, RtcIceProtocol::Udp) => {
                Some(RtcIceServerTransportProtocol::Udp)
            }
            (IceServerScheme::Turn, RtcIceProtocol::Tcp) => {
                Some(RtcIceServerTransportProtocol::Tcp)
            }
            (IceServerScheme::Turns, RtcIceProtocol::Tcp) => {
                Some(RtcIceServerTransportProtocol::Tls)
            }
            _ => None,
        }
    }
}

impl fmt::Display for IceServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.scheme, self.host, self.port)?;
        if self.scheme.is_turn() {
            write!(f, "?transport={}", self.transport)?;
        }
        Ok(())
    }
}

impl FromStr for IceServerUrl {
    type Err = IceServerUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The byte index of the `:` ending a valid scheme (WHATWG scheme start and scheme states: an
/// ASCII letter, then letters, digits, `+`, `-`, `.`).
fn scheme_end(input: &str) -> Option<usize> {
    let mut chars = input.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    for (i, c) in chars {
        match c {
            ':' => return Some(i),
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {}
            _ => return None,
        }
    }
    None
}

/// WHATWG host state: the first `:` outside brackets separates the port.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    let mut inside_brackets = false;
    for (i, c) in authority.char_indices() {
        match c {
            '[' => inside_brackets = true,
            ']' => inside_brackets = false,
            ':' if !inside_brackets => return (&authority[..i], Some(&authority[i + 1..])),
            _ => {}
        }
    }
    (authority, None)
}

/// WHATWG port state: decimal digits only, at most 65535; empty means no port.
fn parse_port(input: &str) -> Result<Option<u16>, IceServerUrlError> {
    if input.is_empty() {
        return Ok(None);
    }
    let mut value: u32 = 0;
    for b in input.bytes() {
        if !b.is_ascii_digit() {
            return Err(IceServerUrlError::InvalidPort);
        }
        value = value * 10 + u32::from(b - b'0');
        if value > u32::from(u16::MAX) {
            return Err(IceServerUrlError::InvalidPort);
        }
    }
    u16::try_from(value)
        .map(Some)
        .map_err(|_| IceServerUrlError::InvalidPort)
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use proptest::prelude::*;

    use super::*;
    use crate::RtcErrorKind;

    fn ok(s: &str) -> IceServerUrl {
        IceServerUrl::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn domain(s: &str) -> IceServerHost {
        IceServerHost::Domain(s.to_owned())
    }

    #[test]
    fn rfc_7064_stun_urls() {
        let u = ok("stun:stun.example.org");
        assert_eq!(u.scheme(), IceServerScheme::Stun);
        assert_eq!(u.host(), &domain("stun.example.org"));
        assert_eq!(u.port(), 3478);
        assert_eq!(u.transport(), RtcIceProtocol::Udp);
        assert_eq!(u.relay_protocol(), None);

        let u = ok("stuns:stun.example.org");
        assert_eq!(u.port(), 5349);
        assert_eq!(u.transport(), RtcIceProtocol::Tcp);

        let u = ok("stun:stun.l.google.com:19302");
        assert_eq!(u.port(), 19302);
        assert_eq!(u.to_string(), "stun:stun.l.google.com:19302");
    }

    #[test]
    fn rfc_7065_turn_urls() {
        let u = ok("turn:turn.example.org");
        assert_eq!((u.port(), u.transport()), (3478, RtcIceProtocol::Udp));
        assert_eq!(u.relay_protocol(), Some(RtcIceServerTransportProtocol::Udp));

        let u = ok("turn:turn.example.org?transport=tcp");
        assert_eq!((u.port(), u.transport()), (3478, RtcIceProtocol::Tcp));
        assert_eq!(u.relay_protocol(), Some(RtcIceServerTransportProtocol::Tcp));

        let u = ok("turns:turn.example.org");
        assert_eq!((u.port(), u.transport()), (5349, RtcIceProtocol::Tcp));
        assert_eq!(u.relay_protocol(), Some(RtcIceServerTransportProtocol::Tls));

        let u = ok("turns:turn.example.org:443?transport=udp");
        assert_eq!((u.port(), u.transport()), (443, RtcIceProtocol::Udp));
        assert_eq!(u.relay_protocol(), None);
        assert_eq!(u.to_string(), "turns:turn.example.org:443?transport=udp");

        let u = ok("turn:192.0.2.15:3479?transport=udp");
        assert_eq!(u.host(), &IceServerHost::Ipv4(Ipv4Addr::new(192, 0, 2, 15)));
        assert_eq!(u.port(), 3479);
    }

    #[test]
    fn ipv6_hosts_in_brackets() {
        let u = ok("stun:[2001:db8::1]:3479");
        assert_eq!(
            u.host(),
            &IceServerHost::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap())
        );
        assert_eq!(u.port(), 3479);
        assert_eq!(u.to_string(), "stun:[2001:db8::1]:3479");
        let u = ok("turn:[::1]?transport=tcp");
        assert_eq!(u.port(), 3478);
        assert_eq!(u.host(), &IceServerHost::Ipv6(Ipv6Addr::LOCALHOST));
    }

    #[test]
    fn whatwg_preprocessing_and_case() {
        assert_eq!(ok("STUN:Example.NET").to_string(), "stun:example.net:3478");
        assert_eq!(ok("stun:example\t.\norg").host(), &domain("example.org"));
        assert_eq!(
            ok("\u{0}\u{1b}\u{4}\u{12} stun:example.com\u{1f} \r ").host(),
            &domain("example.com")
        );
        assert_eq!(ok("stun:h\to\ns\rt:9\t0\n0\r0").port(), 9000);
        assert_eq!(ok("stun:example.net:").port(), 3478);
        assert_eq!(ok("stun:example.net:0000000000000000").port(), 0);
        assert_eq!(ok("stun:example.net:65535").port(), 65535);
        assert_eq!(ok("stun:example.net:\n").port(), 3478);
        assert_eq!(ok("stun:ex%61mple.net").host(), &domain("example.net"));
        assert_eq!(ok("stun:\\example.net").host(), &domain("example.net"));
        // An explicit port equal to https's default is still the URL's port.
        assert_eq!(ok("turn:example.net:443").port(), 443);
    }

    /// Every rule of webrtc-pc §4.4.1.5, with the error each gives.
    #[test]
    fn validation_rules() {
        use IceServerUrlError as E;
        let table: &[(&str, IceServerUrlError)] = &[
            ("", E::NoScheme),
            ("relative-url", E::NoScheme),
            ("1stun:example.net", E::NoScheme),
            ("st un:example.net", E::NoScheme),
            ("http://example.com", E::UnknownScheme("http".into())),
            ("stunx:example.com", E::UnknownScheme("stunx".into())),
            ("stun://example.org/foo?x=y", E::NotOpaquePath),
            ("turn://example.org/foo?x=y", E::NotOpaquePath),
            ("stun:/example.net", E::NotOpaquePath),
            ("stun:example.net/foo", E::SlashOrAt),
            ("stun:user@example.net", E::SlashOrAt),
            ("stun:@example.net", E::SlashOrAt),
            ("stun:example.net#foo", E::Fragment),
            ("turn:example.net?transport=udp#x", E::Fragment),
            (
                "stun:example.net?transport=udp",
                E::QueryNotAllowed(IceServerScheme::Stun),
            ),
            (
                "stuns:example.net?",
                E::QueryNotAllowed(IceServerScheme::Stuns),
            ),
            ("turn:example.net?transport=sctp", E::InvalidTransport),
            ("turn:example.net?transport=UDP", E::InvalidTransport),
            ("turn:example.net?", E::InvalidTransport),
            ("turn:example.net?transport=udp&x=1", E::InvalidTransport),
            ("stun:", E::Host(HostError::Empty)),
            ("stun::3478", E::Host(HostError::Empty)),
            ("stun:example.net:65536", E::InvalidPort),
            ("stun:example.net:b", E::InvalidPort),
            ("stun:example.net: 21 ", E::InvalidPort),
            ("stun:example.net:-21", E::InvalidPort),
            ("stun:example.net:1:2", E::InvalidPort),
            ("stun:a\\b", E::Path),
            ("stun:[61:24:74]:98", E::Host(HostError::InvalidIpv6)),
            ("stun:192.168.0.257", E::Host(HostError::InvalidIpv4)),
            ("stun:a<b", E::Host(HostError::ForbiddenCodePoint('<'))),
            ("stun:x x:12", E::Host(HostError::ForbiddenCodePoint(' '))),
        ];
        for (url, expected) in table {
            assert_eq!(IceServerUrl::parse(url).as_ref(), Err(expected), "{url:?}");
            let rtc = expected.to_rtc_error(url);
            assert_eq!(rtc.kind(), RtcErrorKind::SyntaxError, "{url:?}");
            assert!(rtc.message().contains(url), "{url:?}");
        }
    }

    /// The URL lists of web-platform-tests `webrtc/RTCConfiguration-iceServers.html`. Left
    /// out, because the current spec and the WHATWG parser it names disagree with the test:
    /// `stun:example.net/foo`, `stun:/example.net`, `stun:user@example.net`,
    /// `stun:@example.net` (listed valid; webrtc-pc now rejects `/` and `@`),
    /// `192.168.257.com` (listed valid; it has no scheme), the C0-controls-and-punctuation host
    /// (listed valid; those are forbidden domain code points), `stun:example.net: ` (listed
    /// invalid; the trailing space is stripped) and `stun:192.0x00A80001` (listed invalid; the
    /// WHATWG IPv4 parser reads it as 192.168.0.1).
    #[test]
    fn web_platform_tests_url_lists() {
        let valid = [
            "stun:example\t.\norg",
            "stun:ex%61mple.net",
            "stun:[2001::1]",
            "stun:example(&!$)*+-.;_=~\u{263A}org",
            "stun:example.net:",
            "stun:example.net:0000000000000000",
            "stun:example.net:65535",
            "stun:example.net:\n",
            "stun:GOO\u{200b}\u{2060}\u{feff}goo.com",
            "\u{0000}\u{001b}\u{0004}\u{0012} stun:example.com\u{001f} \u{000d} ",
            "stun:www.foo\u{3002}bar.com",
            "stun:\u{FF27}\u{FF4F}.com",
            "stun:\u{4F60}\u{597D}\u{4F60}\u{597D}",
            "stun:fa\u{DF}.ExAmPlE",
            "stun:%30%78%63%30%2e%30%32%35%30.01",
            "stun:%30%78%63%30%2e%30%32%35%30.01%2e",
            "stun:\u{FF10}\u{FF38}\u{FF43}\u{FF10}\u{FF0E}\u{FF10}\u{FF12}\u{FF15}\u{FF10}\u{FF0E}\u{FF10}\u{FF11}",
            "stun:.",
            "stun:ho\u{0009}st",
            "stun:!\"$&'()*+,-.;=_`{}~",
            "stun:h\to\ns\rt:9\t0\n0\r0",
            "stun:1.2.3.4.",
            "stun:192.168.257",
            "stun:256",
            "stun:256.com",
            "stun:999999999",
            "stun:0xffffffff",
        ];
        for url in valid {
            assert!(IceServerUrl::parse(url).is_ok(), "{url:?} should be valid");
        }
        let invalid = [
            "stun:example.net:65536",
            "stun:example.net:b",
            "stun:example.net: 21 ",
            "stun:example.net:-21",
            "stun:example.net#foo",
            "stun:[61:24:74]:98",
            "stun:[::127.0.0.1.]",
            "stun:GOO\u{00a0}\u{3000}goo.com",
            "stun:\u{fdd0}zyx.com",
            "stun:%ef%b7%90zyx.com",
            "stun:\u{fffd}",
            "stun:%EF%BF%BD",
            "stun:a.b.c.xn--pokxncvks",
            "stun:a.b.c.XN--pokxncvks",
            "stun:a.b.c.Xn--pokxncvks",
            "stun:10.0.0.XN--pokxncvks",
            "stun:10.0.0.xN--pokxncvks",
            "stun:\u{FF05}\u{FF14}\u{FF11}.com",
            "stun:\u{FF05}\u{FF10}\u{FF10}.com",
            "stun:%ef%bc%85%ef%bc%90%ef%bc%90.com",
            "stun:%zz%66%a.com",
            "stun:%25",
            "stun:hello%00",
            "stun:192.168.0.257",
            "stun:%3g%78%63%30%2e%30%32%35%30%2E.01",
            "stun:192.168.0.1 hello",
            "stun:x x:12",
            "stun:[example.net]",
            "stun:[::1.2.3.4x]",
            "stun:[::1.2.3.]",
            "stun:[::1.2.]",
            "stun:[::.1.2]",
            "stun:[::1.]",
            "stun:[::.1]",
            "stun:[::%31]",
            "stun:%5B::1]",
            "stun:a\u{0000}b",
            "stun:a<b",
            "stun:a[b",
            "stun:a\\b",
            "stun:a^b",
            "stun:ho%00st",
            "stun:example.com%80",
            "stun:10000000000",
            "stun:0xffffffff1",
            "stun:256.256.256.256",
            "",
            "relative-url",
            "http://example.com",
            "turn://example.org/foo?x=y",
            "stun://example.org/foo?x=y",
        ];
        for url in invalid {
            let err = IceServerUrl::parse(url).expect_err(url);
            assert_eq!(
                err.to_rtc_error(url).kind(),
                RtcErrorKind::SyntaxError,
                "{url:?}"
            );
        }
    }

    #[test]
    fn unimplemented_scheme_is_not_supported_and_checked_before_the_host() {
        let only_udp = [IceServerScheme::Stun, IceServerScheme::Turn];
        let err = IceServerUrl::parse_with("turns:turn.example.org", &only_udp).unwrap_err();
        assert_eq!(
            err,
            IceServerUrlError::SchemeNotImplemented(IceServerScheme::Turns)
        );
        assert_eq!(
            RtcError::from(err.clone()).kind(),
            RtcErrorKind::NotSupportedError
        );
        assert_eq!(
            err.to_rtc_error("x").kind(),
            RtcErrorKind::NotSupportedError
        );
        // An invalid host behind an unimplemented scheme: NotSupportedError comes first.
        let err = IceServerUrl::parse_with("stuns:a<b", &only_udp).unwrap_err();
        assert_eq!(
            err,
            IceServerUrlError::SchemeNotImplemented(IceServerScheme::Stuns)
        );
        // ...but the URL's shape is checked before the scheme support.
        let err = IceServerUrl::parse_with("stuns:a#b", &only_udp).unwrap_err();
        assert_eq!(err, IceServerUrlError::Fragment);
        assert!(IceServerUrl::parse_with("turn:turn.example.org", &only_udp).is_ok());
    }

    #[test]
    fn from_str_and_error_mapping() {
        let u: IceServerUrl = "turn:example.org:80?transport=tcp".parse().unwrap();
        assert_eq!(u.port(), 80);
        let e: RtcError = "stun:example.org#x"
            .parse::<IceServerUrl>()
            .unwrap_err()
            .into();
        assert_eq!(e.kind(), RtcErrorKind::SyntaxError);
        assert!(e.message().contains("fragment"));
    }

    fn arb_domain() -> impl Strategy<Value = IceServerHost> {
        // The last label starts with a letter so the name never "ends in a number".
        ("([a-z0-9-]{1,10}\\.){0,3}[a-z][a-z0-9-]{0,10}").prop_map(IceServerHost::Domain)
    }

    fn arb_host() -> impl Strategy<Value = IceServerHost> {
        prop_oneof![
            arb_domain(),
            any::<u32>().prop_map(|a| IceServerHost::Ipv4(Ipv4Addr::from(a))),
            any::<u128>().prop_map(|a| IceServerHost::Ipv6(Ipv6Addr::from(a))),
        ]
    }

    fn arb_url() -> impl Strategy<Value = IceServerUrl> {
        (
            prop::sample::select(IceServerScheme::ALL),
            arb_host(),
            any::<u16>(),
            prop::sample::select(vec![RtcIceProtocol::Udp, RtcIceProtocol::Tcp]),
        )
            .prop_map(|(scheme, host, port, transport)| IceServerUrl {
                scheme,
                host,
                port,
                transport: match scheme {
                    IceServerScheme::Stun => RtcIceProtocol::Udp,
                    IceServerScheme::Stuns => RtcIceProtocol::Tcp,
                    _ => transport,
                },
            })
    }

    proptest! {
        #[test]
        fn parse_inverts_display(url in arb_url()) {
            prop_assert_eq!(IceServerUrl::parse(&url.to_string()), Ok(url));
        }

        #[test]
        fn never_panics(s in "(stun|stuns|turn|turns|STUN|x)?:?\\PC{0,40}") {
            let _ = IceServerUrl::parse(&s);
        }
    }
}
