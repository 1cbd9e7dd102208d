//! [`Candidate`]: an ICE candidate (RFC 8445 §5.1) and its SDP `candidate-attribute` form
//! (RFC 8839 §5.1), with the priority formula (RFC 8445 §5.1.2.1) and foundations (§5.1.1.3),
//! and for TCP candidates (RFC 6544) the `tcptype` roles, their pairing rule (§6.2) and the
//! local preference with its direction preference (§4.2).
//!
//! The parser accepts what browsers write: `candidate:` with or without an `a=` prefix, upper-
//! or lower-case transports (`UDP` from Firefox), the `raddr`/`rport`, `tcptype` (RFC 6544) and
//! the `generation`, `ufrag`, `network-id`, `network-cost` extensions of libwebrtc; any other
//! extension pair is kept and written back in order. Host names (mDNS `.local` candidates,
//! RFC 8839 §5.1 allows an FQDN) are reported as [`CandidateParseError::HostName`] by
//! [`Candidate::parse`]; [`Candidate::parse_allowing_mdns`] instead returns a `.local` name as a
//! [`RemoteCandidateInput::Mdns`] for the agent to resolve (draft-ietf-mmusic-mdns-ice-candidates).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use rtcpeer_mdns::LocalName;
use rtcpeer_types::Protocol;

/// The type of a candidate (RFC 8445 §5.1.1, `cand-type` of RFC 8839).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CandidateType {
    /// An address on a local interface.
    Host,
    /// The address a NAT mapped a host candidate to, learnt from a STUN server.
    ServerReflexive,
    /// An address learnt from a connectivity check (RFC 8445 §7.2.5.3.1, §7.3.1.3).
    PeerReflexive,
    /// An address allocated on a TURN server.
    Relayed,
}

impl CandidateType {
    /// The SDP name: `host`, `srflx`, `prflx`, `relay`.
    pub fn as_str(self) -> &'static str {
        match self {
            CandidateType::Host => "host",
            CandidateType::ServerReflexive => "srflx",
            CandidateType::PeerReflexive => "prflx",
            CandidateType::Relayed => "relay",
        }
    }

    /// The recommended type preference of RFC 8445 §5.1.2.2: host 126, peer-reflexive 110,
    /// server-reflexive 100, relayed 0.
    pub fn preference(self) -> u32 {
        match self {
            CandidateType::Host => 126,
            CandidateType::PeerReflexive => 110,
            CandidateType::ServerReflexive => 100,
            CandidateType::Relayed => 0,
        }
    }

    /// The type preference of a TCP candidate (RFC 6544 §4.2 leaves the values to the agent):
    /// below the UDP candidate of the same type, so that UDP pairs are preferred, as libwebrtc
    /// does (host 90, peer-reflexive 80, server-reflexive 65), but a direct TCP path above any
    /// relay (0).
    pub fn tcp_preference(self) -> u32 {
        match self {
            CandidateType::Host => 90,
            CandidateType::PeerReflexive => 80,
            CandidateType::ServerReflexive => 65,
            CandidateType::Relayed => 0,
        }
    }

    /// The type preference of a candidate of this type on `transport`.
    pub fn preference_on(self, transport: Protocol) -> u32 {
        match transport {
            Protocol::Udp => self.preference(),
            Protocol::Tcp | Protocol::Tls => self.tcp_preference(),
        }
    }
}

impl fmt::Display for CandidateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CandidateType {
    type Err = CandidateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "host" => Ok(CandidateType::Host),
            "srflx" => Ok(CandidateType::ServerReflexive),
            "prflx" => Ok(CandidateType::PeerReflexive),
            "relay" => Ok(CandidateType::Relayed),
            _ => Err(CandidateParseError::BadType),
        }
    }
}

/// The role of a TCP candidate (RFC 6544 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// Opens outgoing connections only.
    Active,
    /// Accepts incoming connections only.
    Passive,
    /// Simultaneous open.
    So,
}

impl TcpType {
    /// The SDP name: `active`, `passive`, `so`.
    pub fn as_str(self) -> &'static str {
        match self {
            TcpType::Active => "active",
            TcpType::Passive => "passive",
            TcpType::So => "so",
        }
    }

    /// Whether a local candidate of this type can be paired with a remote one of `remote`
    /// (RFC 6544 §6.2: active with passive, passive with active, S-O with S-O).
    pub fn pairs_with(self, remote: TcpType) -> bool {
        matches!(
            (self, remote),
            (TcpType::Active, TcpType::Passive)
                | (TcpType::Passive, TcpType::Active)
                | (TcpType::So, TcpType::So)
        )
    }

    /// The type of the other end of a connection: a peer-reflexive candidate learnt over a
    /// connection to a passive candidate is active, and the reverse (RFC 6544 §7.2.2).
    pub fn opposite(self) -> TcpType {
        match self {
            TcpType::Active => TcpType::Passive,
            TcpType::Passive => TcpType::Active,
            TcpType::So => TcpType::So,
        }
    }

    /// The recommended direction preference of a host (or relayed) TCP candidate (RFC 6544
    /// §4.2): active 6, passive 4, S-O 2.
    pub fn direction_preference(self) -> u16 {
        match self {
            TcpType::Active => 6,
            TcpType::Passive => 4,
            TcpType::So => 2,
        }
    }
}

/// RFC 6544 §4.2: the local preference of a TCP candidate, `2^13 * direction-pref +
/// other-pref`, with `other_preference` (the interface's rank) kept to its 13 bits.
pub fn tcp_local_preference(tcp_type: TcpType, other_preference: u16) -> u16 {
    (tcp_type.direction_preference() << 13) | (other_preference & 0x1fff)
}

/// Why a `candidate` line could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CandidateParseError {
    /// The line does not start with `candidate:`.
    #[error("not a candidate attribute")]
    NotCandidate,
    /// A mandatory field is missing.
    #[error("candidate line is missing the {0} field")]
    Missing(&'static str),
    /// The foundation is not 1 to 32 ice-chars.
    #[error("bad foundation")]
    BadFoundation,
    /// The component id is not a number from 1 to 256.
    #[error("bad component id")]
    BadComponent,
    /// The transport is neither UDP nor TCP.
    #[error("unsupported transport")]
    BadTransport,
    /// The priority is not a number from 1 to 2^32-1.
    #[error("bad priority")]
    BadPriority,
    /// The connection address is neither IPv4 nor IPv6.
    #[error("bad connection address")]
    BadAddress,
    /// The connection address is a host name (an mDNS `.local` name, RFC 8839 §5.1): the caller
    /// must resolve it first.
    #[error("candidate address is a host name")]
    HostName,
    /// A port is not a number from 0 to 65535.
    #[error("bad port")]
    BadPort,
    /// `typ` is missing or names no candidate type.
    #[error("bad candidate type")]
    BadType,
    /// `raddr` without `rport` or the reverse, or a bad related address.
    #[error("bad related address")]
    BadRelatedAddress,
    /// `tcptype` is not active, passive or so.
    #[error("bad tcptype")]
    BadTcpType,
    /// A numeric extension (`generation`, `network-id`, `network-cost`) is not a number.
    #[error("bad value for {0}")]
    BadExtension(&'static str),
    /// An extension name without a value.
    #[error("extension without a value")]
    DanglingExtension,
}

/// An ICE candidate: the fields of RFC 8839's `candidate-attribute`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Identifies candidates of the same type, base IP, server and transport (RFC 8445
    /// §5.1.1.3): 1 to 32 ice-chars.
    pub foundation: String,
    /// The component id: 1 for RTP (or everything, with rtcp-mux / bundle), 2 for RTCP.
    pub component: u16,
    /// UDP or TCP.
    pub transport: Protocol,
    /// The candidate priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// The transport address.
    pub address: SocketAddr,
    /// host, srflx, prflx or relay.
    pub candidate_type: CandidateType,
    /// `raddr`/`rport`: the base (srflx, prflx) or the mapped address (relay).
    pub related_address: Option<SocketAddr>,
    /// `tcptype` of a TCP candidate (RFC 6544).
    pub tcp_type: Option<TcpType>,
    /// `generation` (libwebrtc): the ICE generation, bumped by restarts.
    pub generation: Option<u32>,
    /// `ufrag` (libwebrtc, RFC 8840): the username fragment the candidate belongs to.
    pub ufrag: Option<String>,
    /// `network-id` (libwebrtc).
    pub network_id: Option<u32>,
    /// `network-cost` (libwebrtc).
    pub network_cost: Option<u32>,
    /// Other extension attributes, name and value, in order.
    pub extensions: Vec<(String, String)>,
    /// A local host candidate whose address is hidden behind an mDNS name
    /// (draft-ietf-mmusic-mdns-ice-candidates §3.1): the SDP form shows this name instead of
    /// the IP address, which stays in `address` for the agent. Never set by the parsers.
    /// (Boxed: candidates travel by value in events.)
    pub mdns_name: Option<Box<LocalName>>,
}

/// A remote candidate as signalled: with an IP address, or with an mDNS `.local` name still to
/// be resolved (draft-ietf-mmusic-mdns-ice-candidates §3.2). Made by
/// [`Candidate::parse_allowing_mdns`] and given to
/// [`IceAgent::add_remote_candidate_input`](crate::IceAgent::add_remote_candidate_input).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteCandidateInput {
    /// A candidate with an IP address, usable as is.
    Address(Candidate),
    /// A candidate whose connection address is an mDNS name; its `address` holds the port (the
    /// IP is unspecified until the name is resolved).
    Mdns {
        /// Every field but the IP address.
        candidate: Candidate,
        /// The `.local` name standing for the IP address.
        name: LocalName,
    },
}

/// RFC 8445 §5.1.2.1: `priority = 2^24 * type preference + 2^8 * local preference + (256 -
/// component id)`.
pub fn candidate_priority(type_preference: u32, local_preference: u16, component: u16) -> u32 {
    (type_preference.min(126) << 24)
        | (u32::from(local_preference) << 8)
        | (256u32.saturating_sub(u32::from(component.clamp(1, 256))) & 0xff)
}

/// A foundation for a local candidate (RFC 8445 §5.1.1.3): the same for candidates that share
/// type, base IP address, STUN/TURN server IP address and transport, different otherwise. It
/// is a 32-bit FNV-1a hash of those, written in decimal (as libwebrtc does), so it is stable
/// across runs and ICE restarts.
pub fn compute_foundation(
    candidate_type: CandidateType,
    base: IpAddr,
    server: Option<IpAddr>,
    transport: Protocol,
) -> String {
    let mut h = Fnv::new();
    h.write(candidate_type.as_str().as_bytes());
    write_ip(&mut h, base);
    match server {
        Some(ip) => write_ip(&mut h, ip),
        None => h.write(&[0xff]),
    }
    h.write(transport.as_str().as_bytes());
    h.0.to_string()
}

fn write_ip(h: &mut Fnv, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => h.write(&v4.octets()),
        IpAddr::V6(v6) => h.write(&v6.octets()),
    }
}

/// 32-bit FNV-1a.
struct Fnv(u32);

impl Fnv {
    fn new() -> Self {
        Fnv(0x811c_9dc5)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u32::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0193);
        }
    }
}

/// Whether `s` is 1 to 32 ice-chars (RFC 8839 §5.1 foundation).
fn valid_foundation(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

impl Candidate {
    /// A candidate with the given mandatory fields and no extensions.
    pub fn new(
        foundation: impl Into<String>,
        component: u16,
        transport: Protocol,
        priority: u32,
        address: SocketAddr,
        candidate_type: CandidateType,
    ) -> Self {
        Candidate {
            foundation: foundation.into(),
            component,
            transport,
            priority,
            address,
            candidate_type,
            related_address: None,
            tcp_type: None,
            generation: None,
            ufrag: None,
            network_id: None,
            network_cost: None,
            extensions: Vec::new(),
            mdns_name: None,
        }
    }

    /// Parses a `candidate:` attribute value (an optional `a=` prefix is accepted). A host name
    /// as connection address is [`CandidateParseError::HostName`]; see
    /// [`parse_allowing_mdns`](Self::parse_allowing_mdns) for `.local` names.
    pub fn parse(line: &str) -> Result<Self, CandidateParseError> {
        Self::parse_fields(line, false).map(|(c, _)| c)
    }

    /// Parses a `candidate:` attribute value whose connection address may also be an mDNS
    /// `<label>.local` name (draft-ietf-mmusic-mdns-ice-candidates §3.2.1 step 1), for
    /// [`IceAgent::add_remote_candidate_input`](crate::IceAgent::add_remote_candidate_input).
    /// Such a candidate comes back as [`RemoteCandidateInput::Mdns`], its address the
    /// unspecified IPv4 address with the signalled port; a host-name related address (`raddr`)
    /// is dropped, as it only informs. Other host names are still
    /// [`CandidateParseError::HostName`].
    pub fn parse_allowing_mdns(line: &str) -> Result<RemoteCandidateInput, CandidateParseError> {
        match Self::parse_fields(line, true)? {
            (candidate, None) => Ok(RemoteCandidateInput::Address(candidate)),
            (candidate, Some(name)) => {
                let name = LocalName::parse(&name).map_err(|_| CandidateParseError::HostName)?;
                Ok(RemoteCandidateInput::Mdns { candidate, name })
            }
        }
    }

    /// The parser; with `allow_host_name`, a host-name connection address is returned beside a
    /// candidate with the unspecified address, and a host-name `raddr` is dropped.
    fn parse_fields(
        line: &str,
        allow_host_name: bool,
    ) -> Result<(Self, Option<String>), CandidateParseError> {
        let line = line.trim();
        let line = line.strip_prefix("a=").unwrap_or(line);
        let rest = line
            .strip_prefix("candidate:")
            .ok_or(CandidateParseError::NotCandidate)?;
        let mut tokens = rest.split_ascii_whitespace();
        let mut next = |name| tokens.next().ok_or(CandidateParseError::Missing(name));
        let foundation = next("foundation")?;
        if !valid_foundation(foundation) {
            return Err(CandidateParseError::BadFoundation);
        }
        let component: u16 = next("component")?
            .parse()
            .map_err(|_| CandidateParseError::BadComponent)?;
        if !(1..=256).contains(&component) {
            return Err(CandidateParseError::BadComponent);
        }
        let transport = match next("transport")?.to_ascii_lowercase().as_str() {
            "udp" => Protocol::Udp,
            "tcp" => Protocol::Tcp,
            _ => return Err(CandidateParseError::BadTransport),
        };
        let priority: u32 = next("priority")?
            .parse()
            .map_err(|_| CandidateParseError::BadPriority)?;
        if priority == 0 {
            return Err(CandidateParseError::BadPriority);
        }
        let address = next("connection-address")?;
        let (ip, host_name) = match parse_ip(address) {
            Ok(ip) => (ip, None),
            Err(CandidateParseError::HostName) if allow_host_name => {
                (IpAddr::V4(Ipv4Addr::UNSPECIFIED), Some(address.to_owned()))
            }
            Err(e) => return Err(e),
        };
        let port = parse_port(next("port")?)?;
        if next("typ")? != "typ" {
            return Err(CandidateParseError::BadType);
        }
        let candidate_type: CandidateType = next("cand-type")?.parse()?;
        let mut c = Candidate::new(
            foundation,
            component,
            transport,
            priority,
            SocketAddr::new(ip, port),
            candidate_type,
        );
        let (mut raddr, mut rport) = (None, None);
        let mut raddr_hidden = false;
        while let Some(name) = tokens.next() {
            let value = tokens
                .next()
                .ok_or(CandidateParseError::DanglingExtension)?;
            match name {
                "raddr" => match parse_ip(value) {
                    Ok(ip) => raddr = Some(ip),
                    Err(CandidateParseError::HostName) if allow_host_name => raddr_hidden = true,
                    Err(CandidateParseError::HostName) => {
                        return Err(CandidateParseError::HostName);
                    }
                    Err(_) => return Err(CandidateParseError::BadRelatedAddress),
                },
                "rport" => {
                    rport = Some(
                        parse_port(value).map_err(|_| CandidateParseError::BadRelatedAddress)?,
                    )
                }
                "tcptype" => {
                    c.tcp_type = Some(match value {
                        "active" => TcpType::Active,
                        "passive" => TcpType::Passive,
                        "so" => TcpType::So,
                        _ => return Err(CandidateParseError::BadTcpType),
                    })
                }
                "generation" => c.generation = Some(parse_num(value, "generation")?),
                "ufrag" => c.ufrag = Some(value.to_owned()),
                "network-id" => c.network_id = Some(parse_num(value, "network-id")?),
                "network-cost" => c.network_cost = Some(parse_num(value, "network-cost")?),
                _ => c.extensions.push((name.to_owned(), value.to_owned())),
            }
        }
        c.related_address = match (raddr, rport) {
            (Some(ip), Some(port)) => Some(SocketAddr::new(ip, port)),
            (None, None) => None,
            (None, Some(_)) if raddr_hidden => None,
            _ => return Err(CandidateParseError::BadRelatedAddress),
        };
        Ok((c, host_name))
    }

    /// The `candidate:...` attribute value (without `a=`), as RFC 8839 §5.1 and libwebrtc write
    /// it.
    pub fn to_sdp_string(&self) -> String {
        self.to_string()
    }

    /// The base address a local candidate of this type sends from, as far as the candidate
    /// itself tells: the related address of a server- or peer-reflexive candidate, the address
    /// itself otherwise (RFC 8445 §5.1.1).
    pub fn base_hint(&self) -> SocketAddr {
        match self.candidate_type {
            CandidateType::ServerReflexive | CandidateType::PeerReflexive => {
                self.related_address.unwrap_or(self.address)
            }
            CandidateType::Host | CandidateType::Relayed => self.address,
        }
    }
}

fn parse_ip(s: &str) -> Result<IpAddr, CandidateParseError> {
    match s.parse::<IpAddr>() {
        Ok(ip) => Ok(ip),
        // RFC 8839 allows an FQDN; libwebrtc's mDNS candidates are `<uuid>.local`.
        Err(_)
            if s.contains('.')
                && !s.contains(':')
                && s.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            Err(CandidateParseError::HostName)
        }
        Err(_) => Err(CandidateParseError::BadAddress),
    }
}

fn parse_port(s: &str) -> Result<u16, CandidateParseError> {
    s.parse().map_err(|_| CandidateParseError::BadPort)
}

fn parse_num(s: &str, name: &'static str) -> Result<u32, CandidateParseError> {
    s.parse()
        .map_err(|_| CandidateParseError::BadExtension(name))
}

impl FromStr for Candidate {
    type Err = CandidateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Candidate::parse(s)
    }
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "candidate:{} {} {} {} ",
            self.foundation,
            self.component,
            self.transport.as_str(),
            self.priority,
        )?;
        match &self.mdns_name {
            Some(name) => write!(f, "{name}")?,
            None => write!(f, "{}", self.address.ip())?,
        }
        write!(f, " {} typ {}", self.address.port(), self.candidate_type)?;
        if let Some(r) = self.related_address {
            write!(f, " raddr {} rport {}", r.ip(), r.port())?;
        }
        if let Some(t) = self.tcp_type {
            write!(f, " tcptype {}", t.as_str())?;
        }
        if let Some(g) = self.generation {
            write!(f, " generation {g}")?;
        }
        if let Some(u) = &self.ufrag {
            write!(f, " ufrag {u}")?;
        }
        if let Some(n) = self.network_id {
            write!(f, " network-id {n}")?;
        }
        if let Some(n) = self.network_cost {
            write!(f, " network-cost {n}")?;
        }
        for (k, v) in &self.extensions {
            write!(f, " {k} {v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn priority_formula_rfc_8445_5_1_2_1() {
        // Host, local preference 65535, component 1: 126<<24 | 65535<<8 | 255.
        assert_eq!(candidate_priority(126, 65535, 1), 2_130_706_431);
        // The same for RTCP (component 2) is one lower.
        assert_eq!(candidate_priority(126, 65535, 2), 2_130_706_430);
        // srflx and relay.
        assert_eq!(candidate_priority(100, 65535, 1), 1_694_498_815);
        assert_eq!(candidate_priority(0, 65535, 1), 16_777_215);
        assert_eq!(candidate_priority(110, 0, 1), (110 << 24) + 255);
        // Type preferences of §5.1.2.2.
        assert_eq!(CandidateType::Host.preference(), 126);
        assert_eq!(CandidateType::PeerReflexive.preference(), 110);
        assert_eq!(CandidateType::ServerReflexive.preference(), 100);
        assert_eq!(CandidateType::Relayed.preference(), 0);
    }

    #[test]
    fn tcp_priorities_rfc_6544_4_2() {
        // direction-pref in the top three bits, other-pref in the low thirteen.
        assert_eq!(
            tcp_local_preference(TcpType::Active, 0x1fff),
            (6 << 13) | 0x1fff
        );
        assert_eq!(
            tcp_local_preference(TcpType::Passive, 0xffff),
            (4 << 13) | 0x1fff
        );
        assert_eq!(tcp_local_preference(TcpType::So, 5), (2 << 13) | 5);
        // On one interface: active above passive above S-O, whatever the other-pref.
        assert!(
            tcp_local_preference(TcpType::Active, 0)
                > tcp_local_preference(TcpType::Passive, 0x1fff)
        );
        assert!(
            tcp_local_preference(TcpType::Passive, 0) > tcp_local_preference(TcpType::So, 0x1fff)
        );
        // UDP host above any TCP host, TCP host above any relay, TCP prflx below UDP srflx.
        let tcp_host = CandidateType::Host.preference_on(Protocol::Tcp);
        assert_eq!(tcp_host, 90);
        assert!(candidate_priority(126, 0, 1) > candidate_priority(tcp_host, 65535, 1));
        assert!(candidate_priority(tcp_host, 0, 1) > candidate_priority(0, 65535, 1));
        assert!(
            CandidateType::PeerReflexive.preference_on(Protocol::Tcp)
                < CandidateType::ServerReflexive.preference_on(Protocol::Udp)
        );
        // Chrome's TCP host candidate: type preference 90.
        let chrome = Candidate::parse(CHROME_TCP).unwrap();
        assert_eq!(chrome.priority >> 24, tcp_host);
    }

    #[test]
    fn tcp_pairing_rule_rfc_6544_6_2() {
        use TcpType::*;
        let all = [Active, Passive, So];
        for l in all {
            for r in all {
                let expected = matches!((l, r), (Active, Passive) | (Passive, Active) | (So, So));
                assert_eq!(l.pairs_with(r), expected, "{l:?} {r:?}");
            }
            assert!(l.pairs_with(l.opposite()));
            assert_eq!(l.opposite().opposite(), l);
        }
    }

    #[test]
    fn an_mdns_name_stands_for_the_address_in_sdp() {
        let mut c = Candidate::parse(CHROME_HOST).unwrap();
        let name = LocalName::parse("1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local").unwrap();
        c.mdns_name = Some(Box::new(name.clone()));
        let line = c.to_string();
        assert_eq!(
            line,
            CHROME_HOST.replace(
                "192.168.0.196",
                "1f528a2c-36d4-4ffb-9a4d-51a8ad6ab0f3.local"
            )
        );
        assert!(!line.contains("192.168"));
        // The peer's side of it: a name to resolve, with every other field intact.
        match Candidate::parse_allowing_mdns(&line).unwrap() {
            RemoteCandidateInput::Mdns { candidate, name: n } => {
                assert_eq!(n, name);
                assert_eq!(candidate.address.port(), 46243);
                assert_eq!(candidate.priority, c.priority);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn foundations_follow_rfc_8445_5_1_1_3() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let s: IpAddr = "198.51.100.1".parse().unwrap();
        let f = |t, base, server| compute_foundation(t, base, server, Protocol::Udp);
        assert_eq!(
            f(CandidateType::Host, a, None),
            f(CandidateType::Host, a, None)
        );
        assert_ne!(
            f(CandidateType::Host, a, None),
            f(CandidateType::Host, b, None)
        );
        assert_ne!(
            f(CandidateType::Host, a, None),
            f(CandidateType::ServerReflexive, a, Some(s))
        );
        assert_ne!(
            f(CandidateType::ServerReflexive, a, Some(s)),
            f(CandidateType::ServerReflexive, a, Some(b))
        );
        assert_ne!(
            compute_foundation(CandidateType::Host, a, None, Protocol::Udp),
            compute_foundation(CandidateType::Host, a, None, Protocol::Tcp)
        );
        assert!(valid_foundation(&f(CandidateType::Relayed, a, Some(s))));
    }

    const CHROME_HOST: &str = "candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 ufrag 8Qk+ network-id 1 network-cost 10";
    const CHROME_SRFLX: &str = "candidate:842163049 1 udp 1677729535 203.0.113.4 58481 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag WbBI network-id 1 network-cost 10";
    const CHROME_TCP: &str = "candidate:2832475322 1 tcp 1518280447 192.168.0.196 9 typ host tcptype active generation 0 ufrag 8Qk+ network-id 1 network-cost 10";
    const CHROME_V6: &str = "candidate:3419985720 1 udp 2122262783 2001:db8::1c2b:4e2a 50345 typ host generation 0 ufrag 8Qk+ network-id 2";
    const CHROME_RELAY: &str = "candidate:3745539290 1 udp 41885695 198.51.100.9 61002 typ relay raddr 203.0.113.4 rport 58481 generation 0 ufrag WbBI network-id 1 network-cost 10";

    #[test]
    fn chrome_lines_round_trip_exactly() {
        for line in [
            CHROME_HOST,
            CHROME_SRFLX,
            CHROME_TCP,
            CHROME_V6,
            CHROME_RELAY,
        ] {
            let c = Candidate::parse(line).unwrap();
            assert_eq!(c.to_string(), line);
        }
        let c = Candidate::parse(CHROME_SRFLX).unwrap();
        assert_eq!(c.foundation, "842163049");
        assert_eq!(c.candidate_type, CandidateType::ServerReflexive);
        assert_eq!(c.related_address, Some("0.0.0.0:0".parse().unwrap()));
        assert_eq!(c.ufrag.as_deref(), Some("WbBI"));
        assert_eq!((c.network_id, c.network_cost), (Some(1), Some(10)));
        let t = Candidate::parse(CHROME_TCP).unwrap();
        assert_eq!(
            (t.transport, t.tcp_type),
            (Protocol::Tcp, Some(TcpType::Active))
        );
        let v6 = Candidate::parse(&format!("a={CHROME_V6}")).unwrap();
        assert_eq!(v6.address, "[2001:db8::1c2b:4e2a]:50345".parse().unwrap());
    }

    #[test]
    fn firefox_lines_parse_and_normalise_the_transport() {
        let ff = "candidate:0 1 UDP 2122252543 192.168.1.2 49836 typ host";
        let c = Candidate::parse(ff).unwrap();
        assert_eq!(c.transport, Protocol::Udp);
        assert_eq!(c.to_string(), ff.replace("UDP", "udp"));
        let tcp = "candidate:1 1 TCP 2105524479 192.168.1.2 9 typ host tcptype active";
        let c = Candidate::parse(tcp).unwrap();
        assert_eq!(c.tcp_type, Some(TcpType::Active));
        let srflx = "candidate:3 1 UDP 1686052863 203.0.113.8 49836 typ srflx raddr 192.168.1.2 rport 49836";
        assert_eq!(
            Candidate::parse(srflx).unwrap().related_address,
            Some("192.168.1.2:49836".parse().unwrap())
        );
        let unknown = "candidate:3 1 udp 1 203.0.113.8 1 typ host foo bar generation 2";
        let c = Candidate::parse(unknown).unwrap();
        assert_eq!(c.extensions, [("foo".to_owned(), "bar".to_owned())]);
        assert_eq!(Candidate::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn bad_lines_are_errors() {
        use CandidateParseError as E;
        let cases: &[(&str, E)] = &[
            ("foo", E::NotCandidate),
            ("candidate:", E::Missing("foundation")),
            ("candidate:1 1 udp", E::Missing("priority")),
            ("candidate:1 0 udp 1 1.2.3.4 5 typ host", E::BadComponent),
            ("candidate:1 257 udp 1 1.2.3.4 5 typ host", E::BadComponent),
            ("candidate:1 1 sctp 1 1.2.3.4 5 typ host", E::BadTransport),
            ("candidate:1 1 udp 0 1.2.3.4 5 typ host", E::BadPriority),
            (
                "candidate:1 1 udp 4294967296 1.2.3.4 5 typ host",
                E::BadPriority,
            ),
            ("candidate:1 1 udp 1 1.2.3 5 typ host", E::BadAddress),
            (
                "candidate:1 1 udp 1 4f2b5c6e-1d2a-4e9b-8c3f-0a1b2c3d4e5f.local 5 typ host",
                E::HostName,
            ),
            ("candidate:1 1 udp 1 1.2.3.4 65536 typ host", E::BadPort),
            ("candidate:1 1 udp 1 1.2.3.4 5 type host", E::BadType),
            ("candidate:1 1 udp 1 1.2.3.4 5 typ nat", E::BadType),
            (
                "candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr",
                E::DanglingExtension,
            ),
            (
                "candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4",
                E::BadRelatedAddress,
            ),
            (
                "candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4 x y",
                E::BadRelatedAddress,
            ),
            (
                "candidate:1 1 tcp 1 1.2.3.4 5 typ host tcptype both",
                E::BadTcpType,
            ),
            (
                "candidate:1 1 udp 1 1.2.3.4 5 typ host generation x",
                E::BadExtension("generation"),
            ),
            ("candidate:a-b 1 udp 1 1.2.3.4 5 typ host", E::BadFoundation),
        ];
        for (line, err) in cases {
            assert_eq!(Candidate::parse(line).as_ref().err(), Some(err), "{line}");
        }
    }

    fn arb_candidate() -> impl Strategy<Value = Candidate> {
        let addr = prop_oneof![
            any::<([u8; 4], u16)>().prop_map(|(ip, p)| SocketAddr::from((ip, p))),
            any::<([u16; 8], u16)>().prop_map(|(ip, p)| SocketAddr::from((ip, p))),
        ];
        (
            "[A-Za-z0-9+/]{1,32}",
            1u16..=256,
            prop_oneof![Just(Protocol::Udp), Just(Protocol::Tcp)],
            1u32..,
            addr.clone(),
            prop_oneof![
                Just(CandidateType::Host),
                Just(CandidateType::ServerReflexive),
                Just(CandidateType::PeerReflexive),
                Just(CandidateType::Relayed)
            ],
            proptest::option::of(addr),
            proptest::option::of(prop_oneof![
                Just(TcpType::Active),
                Just(TcpType::Passive),
                Just(TcpType::So)
            ]),
            (
                proptest::option::of(any::<u32>()),
                proptest::option::of("[A-Za-z0-9+/]{4,8}"),
                proptest::option::of(any::<u32>()),
                proptest::option::of(any::<u32>()),
                proptest::collection::vec(("x-[a-z]{1,5}", "[a-z0-9]{1,5}"), 0..3),
            ),
        )
            .prop_map(|(f, comp, tr, prio, addr, t, raddr, tcp, ext)| {
                let mut c = Candidate::new(f, comp, tr, prio, addr, t);
                c.related_address = raddr;
                c.tcp_type = tcp;
                (
                    c.generation,
                    c.ufrag,
                    c.network_id,
                    c.network_cost,
                    c.extensions,
                ) = ext;
                c
            })
    }

    proptest! {
        #[test]
        fn parse_of_format_is_identity(c in arb_candidate()) {
            prop_assert_eq!(Candidate::parse(&c.to_string()).unwrap(), c);
        }

        #[test]
        fn parse_never_panics(s in "candidate:[ -~]{0,120}") {
            let _ = Candidate::parse(&s);
        }
    }
}
