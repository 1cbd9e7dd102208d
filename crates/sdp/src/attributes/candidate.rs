//! ICE candidates in SDP (RFC 8839 §5.1): `a=candidate`, usable standalone for
//! `addIceCandidate`'s `candidate:...` strings, and `a=remote-candidates` (RFC 8839 §5.2).
//!
//! Extensions after the candidate type are kept in order; the common ones are typed
//! (`tcptype` from RFC 6544, and libwebrtc's `generation`, `ufrag`, `network-id`,
//! `network-cost`), any other name/value pair is kept as written.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use rtcpeer_types::Protocol;

use crate::ValueError;
use crate::lex::{Fields, digits, is_ice_chars, is_non_ws, is_token};

/// The candidate type after `typ` (RFC 8445 §5.1.1, W3C `RTCIceCandidateType`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateType {
    /// `host`
    Host,
    /// `srflx`: server reflexive.
    ServerReflexive,
    /// `prflx`: peer reflexive.
    PeerReflexive,
    /// `relay`: TURN relayed.
    Relay,
    /// Another token, kept as written.
    Other(String),
}

impl CandidateType {
    /// The SDP name.
    pub fn as_str(&self) -> &str {
        match self {
            CandidateType::Host => "host",
            CandidateType::ServerReflexive => "srflx",
            CandidateType::PeerReflexive => "prflx",
            CandidateType::Relay => "relay",
            CandidateType::Other(s) => s,
        }
    }

    fn from_token(s: &str) -> CandidateType {
        match s {
            "host" => CandidateType::Host,
            "srflx" => CandidateType::ServerReflexive,
            "prflx" => CandidateType::PeerReflexive,
            "relay" => CandidateType::Relay,
            other => CandidateType::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for CandidateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The RFC 6544 TCP candidate type (`tcptype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// `active`: opens connections.
    Active,
    /// `passive`: accepts connections.
    Passive,
    /// `so`: simultaneous open.
    So,
}

impl TcpType {
    /// The SDP name.
    pub fn as_str(self) -> &'static str {
        match self {
            TcpType::Active => "active",
            TcpType::Passive => "passive",
            TcpType::So => "so",
        }
    }

    fn from_token(s: &str) -> Option<TcpType> {
        match s {
            "active" => Some(TcpType::Active),
            "passive" => Some(TcpType::Passive),
            "so" => Some(TcpType::So),
            _ => None,
        }
    }
}

/// One `extension-att-name extension-att-value` pair after the candidate type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CandidateExtension {
    /// `tcptype <active|passive|so>` (RFC 6544 §4.5).
    TcpType(TcpType),
    /// `generation <n>` (libwebrtc).
    Generation(u32),
    /// `ufrag <ice-ufrag>`: the username fragment the candidate belongs to.
    Ufrag(String),
    /// `network-id <n>` (libwebrtc).
    NetworkId(u32),
    /// `network-cost <n>` (libwebrtc).
    NetworkCost(u32),
    /// Any other pair, kept as written. Its name must not be `raddr`/`rport` or the name of a
    /// typed variant with a value that variant accepts (it would parse back as that variant).
    Other {
        /// The extension name (a token).
        name: String,
        /// The value (visible characters).
        value: String,
    },
}

impl CandidateExtension {
    fn from_pair(name: &str, value: &str) -> Result<CandidateExtension, ValueError> {
        let typed = match name {
            "tcptype" => TcpType::from_token(value).map(CandidateExtension::TcpType),
            "generation" => digits(value).map(CandidateExtension::Generation),
            "ufrag" if is_ice_chars(value) => Some(CandidateExtension::Ufrag(value.to_owned())),
            "network-id" => digits(value).map(CandidateExtension::NetworkId),
            "network-cost" => digits(value).map(CandidateExtension::NetworkCost),
            _ => None,
        };
        if let Some(t) = typed {
            return Ok(t);
        }
        if !is_token(name) {
            return Err(ValueError::Invalid("extension name"));
        }
        if !is_non_ws(value) {
            return Err(ValueError::Invalid("extension value"));
        }
        Ok(CandidateExtension::Other {
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }
}

impl fmt::Display for CandidateExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CandidateExtension::TcpType(t) => write!(f, "tcptype {}", t.as_str()),
            CandidateExtension::Generation(g) => write!(f, "generation {g}"),
            CandidateExtension::Ufrag(u) => write!(f, "ufrag {u}"),
            CandidateExtension::NetworkId(n) => write!(f, "network-id {n}"),
            CandidateExtension::NetworkCost(n) => write!(f, "network-cost {n}"),
            CandidateExtension::Other { name, value } => write!(f, "{name} {value}"),
        }
    }
}

/// An ICE candidate (RFC 8839 §5.1 `candidate-attribute`).
///
/// `FromStr` accepts the attribute value with or without the `a=candidate:` or `candidate:`
/// prefix (as `addIceCandidate` receives it); `Display` writes the `candidate:...` form.
#[doc(alias = "RTCIceCandidate")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// The foundation (`ice-char`s).
    pub foundation: String,
    /// The component id: 1 for RTP, 2 for RTCP.
    pub component: u16,
    /// The transport as written (`udp`, `UDP`, `tcp`, ...); see [`Candidate::protocol`].
    pub transport: String,
    /// The priority.
    pub priority: u32,
    /// The connection address: an IP address or a host name (mDNS `*.local`).
    pub address: String,
    /// The port.
    pub port: u16,
    /// The candidate type (`typ`).
    pub candidate_type: CandidateType,
    /// `raddr`: the related address.
    pub related_address: Option<String>,
    /// `rport`: the related port.
    pub related_port: Option<u16>,
    /// The extensions after the type, in order.
    pub extensions: Vec<CandidateExtension>,
}

impl Candidate {
    /// A candidate without related address or extensions; the transport is written in lower
    /// case as browsers do.
    pub fn new(
        foundation: impl Into<String>,
        component: u16,
        protocol: Protocol,
        priority: u32,
        address: impl Into<String>,
        port: u16,
        candidate_type: CandidateType,
    ) -> Candidate {
        Candidate {
            foundation: foundation.into(),
            component,
            transport: protocol.as_str().to_owned(),
            priority,
            address: address.into(),
            port,
            candidate_type,
            related_address: None,
            related_port: None,
            extensions: Vec::new(),
        }
    }

    /// The same candidate with `raddr`/`rport`.
    pub fn with_related(mut self, address: impl Into<String>, port: u16) -> Candidate {
        self.related_address = Some(address.into());
        self.related_port = Some(port);
        self
    }

    /// The same candidate with an extension appended.
    pub fn with_extension(mut self, extension: CandidateExtension) -> Candidate {
        self.extensions.push(extension);
        self
    }

    /// The transport as a [`Protocol`] (`udp`/`tcp`, any letter case); `None` for others.
    pub fn protocol(&self) -> Option<Protocol> {
        if self.transport.eq_ignore_ascii_case("udp") {
            Some(Protocol::Udp)
        } else if self.transport.eq_ignore_ascii_case("tcp") {
            Some(Protocol::Tcp)
        } else {
            None
        }
    }

    /// The address as an IP address, if it is one (not an mDNS name).
    pub fn ip(&self) -> Option<IpAddr> {
        self.address.parse().ok()
    }

    /// Whether the address is an mDNS host name (RFC 8839 with draft-ietf-mmusic-mdns-ice).
    pub fn is_mdns(&self) -> bool {
        self.address.ends_with(".local")
    }

    /// The `tcptype` extension.
    pub fn tcp_type(&self) -> Option<TcpType> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::TcpType(t) => Some(*t),
            _ => None,
        })
    }

    /// The `generation` extension.
    pub fn generation(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::Generation(g) => Some(*g),
            _ => None,
        })
    }

    /// The `ufrag` extension (W3C `usernameFragment`).
    pub fn username_fragment(&self) -> Option<&str> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::Ufrag(u) => Some(u.as_str()),
            _ => None,
        })
    }

    /// The `network-id` extension.
    pub fn network_id(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::NetworkId(n) => Some(*n),
            _ => None,
        })
    }

    /// The `network-cost` extension.
    pub fn network_cost(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| match e {
            CandidateExtension::NetworkCost(n) => Some(*n),
            _ => None,
        })
    }

    /// Parses the attribute value (what follows `candidate:`), without prefixes or trimming.
    pub(crate) fn parse_value(s: &str) -> Result<Candidate, ValueError> {
        let mut f = Fields::new(s);
        let mut next = |what: &'static str| f.next_field().ok_or(ValueError::Missing(what));
        let foundation = next("foundation")?;
        if !is_ice_chars(foundation) {
            return Err(ValueError::Invalid("foundation"));
        }
        let component = digits(next("component-id")?).ok_or(ValueError::Invalid("component-id"))?;
        let transport = next("transport")?;
        if !is_token(transport) {
            return Err(ValueError::Invalid("transport"));
        }
        let priority = digits(next("priority")?).ok_or(ValueError::Invalid("priority"))?;
        let address = next("connection-address")?;
        if !is_non_ws(address) {
            return Err(ValueError::Invalid("connection-address"));
        }
        let port = digits(next("port")?).ok_or(ValueError::Invalid("port"))?;
        if next("typ")? != "typ" {
            return Err(ValueError::Invalid("typ"));
        }
        let candidate_type = next("candidate type")?;
        if !is_token(candidate_type) {
            return Err(ValueError::Invalid("candidate type"));
        }
        let mut c = Candidate {
            foundation: foundation.to_owned(),
            component,
            transport: transport.to_owned(),
            priority,
            address: address.to_owned(),
            port,
            candidate_type: CandidateType::from_token(candidate_type),
            related_address: None,
            related_port: None,
            extensions: Vec::new(),
        };
        while let Some(name) = f.next_field() {
            let value = f
                .next_field()
                .ok_or(ValueError::Missing("extension value"))?;
            let leading = c.extensions.is_empty();
            match name {
                "raddr" if leading && c.related_address.is_none() && c.related_port.is_none() => {
                    if !is_non_ws(value) {
                        return Err(ValueError::Invalid("raddr"));
                    }
                    c.related_address = Some(value.to_owned());
                }
                "rport" if leading && c.related_port.is_none() => {
                    c.related_port = Some(digits(value).ok_or(ValueError::Invalid("rport"))?);
                }
                _ => c
                    .extensions
                    .push(CandidateExtension::from_pair(name, value)?),
            }
        }
        Ok(c)
    }

    /// Writes the attribute value (what follows `candidate:`).
    pub(crate) fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport,
            self.priority,
            self.address,
            self.port,
            self.candidate_type
        )?;
        if let Some(a) = &self.related_address {
            write!(f, " raddr {a}")?;
        }
        if let Some(p) = self.related_port {
            write!(f, " rport {p}")?;
        }
        for e in &self.extensions {
            write!(f, " {e}")?;
        }
        Ok(())
    }
}

impl FromStr for Candidate {
    type Err = ValueError;

    /// Parses `a=candidate:...`, `candidate:...` or the bare value; surrounding whitespace and
    /// line endings are ignored.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
        let s = s.strip_prefix("a=").unwrap_or(s);
        let s = s.strip_prefix("candidate:").unwrap_or(s);
        Candidate::parse_value(s)
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("candidate:")?;
        self.fmt_value(f)
    }
}

/// One entry of `a=remote-candidates` (RFC 8839 §5.2): `<component> <address> <port>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemoteCandidate {
    /// The component id.
    pub component: u16,
    /// The connection address.
    pub address: String,
    /// The port.
    pub port: u16,
}

/// Parses the value of `a=remote-candidates`: one or more `<component> <address> <port>` triples.
pub(crate) fn parse_remote_candidates(s: &str) -> Result<Vec<RemoteCandidate>, ValueError> {
    let mut f = Fields::new(s);
    let mut out = Vec::new();
    while let Some(component) = f.next_field() {
        let component = digits(component).ok_or(ValueError::Invalid("component-id"))?;
        let address = f
            .next_field()
            .ok_or(ValueError::Missing("connection-address"))?;
        if !is_non_ws(address) {
            return Err(ValueError::Invalid("connection-address"));
        }
        let port = digits(f.next_field().ok_or(ValueError::Missing("port"))?)
            .ok_or(ValueError::Invalid("port"))?;
        out.push(RemoteCandidate {
            component,
            address: address.to_owned(),
            port,
        });
    }
    if out.is_empty() {
        return Err(ValueError::Missing("remote candidate"));
    }
    Ok(out)
}

/// Writes the value of `a=remote-candidates`.
pub(crate) fn fmt_remote_candidates(
    f: &mut fmt::Formatter<'_>,
    list: &[RemoteCandidate],
) -> fmt::Result {
    for (i, r) in list.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{} {} {}", r.component, r.address, r.port)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_trickle_candidate() {
        let s = "candidate:842163049 1 udp 1677729535 198.51.100.7 57395 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-id 1 network-cost 10";
        let c: Candidate = s.parse().unwrap();
        assert_eq!(c.foundation, "842163049");
        assert_eq!(c.component, 1);
        assert_eq!(c.protocol(), Some(Protocol::Udp));
        assert_eq!(c.priority, 1677729535);
        assert_eq!(c.ip(), Some("198.51.100.7".parse().unwrap()));
        assert_eq!(c.port, 57395);
        assert_eq!(c.candidate_type, CandidateType::ServerReflexive);
        assert_eq!(c.related_address.as_deref(), Some("0.0.0.0"));
        assert_eq!(c.related_port, Some(0));
        assert_eq!(c.generation(), Some(0));
        assert_eq!(c.username_fragment(), Some("EsAw"));
        assert_eq!(c.network_id(), Some(1));
        assert_eq!(c.network_cost(), Some(10));
        assert_eq!(c.to_string(), s);
    }

    #[test]
    fn prefixes_are_optional() {
        let bare = "1 1 UDP 2122252543 192.0.2.1 49203 typ host";
        let a: Candidate = bare.parse().unwrap();
        let b: Candidate = format!("a=candidate:{bare}\r\n").parse().unwrap();
        let c: Candidate = format!("candidate:{bare}").parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.transport, "UDP");
        assert_eq!(a.to_string(), format!("candidate:{bare}"));
    }

    #[test]
    fn tcp_mdns_and_unknown_extensions_keep_order() {
        let s =
            "candidate:3 1 tcp 1518280447 4f1a-b2.local 9 typ host foo bar tcptype active x-y 1";
        let c: Candidate = s.parse().unwrap();
        assert!(c.is_mdns());
        assert_eq!(c.ip(), None);
        assert_eq!(c.protocol(), Some(Protocol::Tcp));
        assert_eq!(c.tcp_type(), Some(TcpType::Active));
        assert_eq!(
            c.extensions[0],
            CandidateExtension::Other {
                name: "foo".into(),
                value: "bar".into()
            }
        );
        assert_eq!(c.to_string(), s);
    }

    #[test]
    fn rfc8839_example_relay() {
        // RFC 8839 §5.1 example form (relayed candidate with related address).
        let s = "candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998";
        let c: Candidate = s.parse().unwrap();
        assert_eq!(c.related_port, Some(8998));
        assert_eq!(c.to_string(), s);
        let built = Candidate::new(
            "2",
            1,
            Protocol::Udp,
            1694498815,
            "192.0.2.3",
            45664,
            CandidateType::ServerReflexive,
        )
        .with_related("10.0.1.1", 8998);
        assert_eq!(built.to_string(), s.replace("UDP", "udp"));
    }

    #[test]
    fn rejects_malformed_candidates() {
        for bad in [
            "",
            "candidate:",
            "1 1 udp 1 1.2.3.4 5",
            "1 1 udp 1 1.2.3.4 5 type host",
            "1 1 udp 1 1.2.3.4 70000 typ host",
            "1 1 udp 4294967296 1.2.3.4 5 typ host",
            "1 x udp 1 1.2.3.4 5 typ host",
            "1-2 1 udp 1 1.2.3.4 5 typ host",
            "1 1 udp 1 1.2.3.4 5 typ host generation",
            "1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4 rport x",
            "1 1 udp 1 1.2.3.4 5 typ host na\"me v",
        ] {
            assert!(bad.parse::<Candidate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn remote_candidates() {
        let l = parse_remote_candidates("1 192.0.2.3 45664 2 192.0.2.3 45665").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].component, 2);
        assert!(parse_remote_candidates("1 192.0.2.3").is_err());
        assert!(parse_remote_candidates("").is_err());
    }
}
