//! IP packets around simulated datagrams: the wire size the links charge, and the IPv4 (RFC 791)
//! or IPv6 (RFC 8200) header plus UDP (RFC 768) or TCP (RFC 9293) header that pcap captures show.
//!
//! The simulation itself moves payloads with their 5-tuple; this module only synthesizes (and, for
//! reading captures back, parses) the headers a real network would have put around them. TCP
//! datagrams get a bare header (PSH+ACK, sequence numbers 0): enough for Wireshark to decode
//! ICE-TCP framing, not a TCP connection.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use rtcpeer_types::Protocol;

/// IPv4 header without options.
pub const IPV4_HEADER_LEN: usize = 20;
/// IPv6 fixed header.
pub const IPV6_HEADER_LEN: usize = 40;
/// UDP header.
pub const UDP_HEADER_LEN: usize = 8;
/// TCP header without options.
pub const TCP_HEADER_LEN: usize = 20;

const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;

/// Size of the IP packet carrying `payload_len` bytes: IP header, transport header, payload.
pub fn wire_len(protocol: Protocol, ipv4: bool, payload_len: usize) -> usize {
    let ip = if ipv4 {
        IPV4_HEADER_LEN
    } else {
        IPV6_HEADER_LEN
    };
    ip + transport_header_len(protocol) + payload_len
}

/// Whether `payload_len` bytes fit in one IP packet (IPv4 total length or IPv6 payload length of
/// at most 65535; no jumbograms).
pub fn fits_ip(protocol: Protocol, ipv4: bool, payload_len: usize) -> bool {
    let counted =
        transport_header_len(protocol) + payload_len + if ipv4 { IPV4_HEADER_LEN } else { 0 };
    counted <= usize::from(u16::MAX)
}

fn transport_header_len(protocol: Protocol) -> usize {
    match protocol {
        Protocol::Udp => UDP_HEADER_LEN,
        Protocol::Tcp | Protocol::Tls => TCP_HEADER_LEN,
    }
}

/// Builds the IP packet for a datagram, or `None` if the addresses are of different families or
/// the payload does not fit in one IP packet. `ip_id` fills the IPv4 identification field.
pub fn build(
    protocol: Protocol,
    source: SocketAddr,
    destination: SocketAddr,
    payload: &[u8],
    ip_id: u16,
) -> Option<Vec<u8>> {
    let ipv4 = source.is_ipv4();
    if ipv4 != destination.is_ipv4() || !fits_ip(protocol, ipv4, payload.len()) {
        return None;
    }
    let transport_len = transport_header_len(protocol) + payload.len();
    let len16 = u16::try_from(transport_len).ok()?;
    let mut p = Vec::with_capacity(wire_len(protocol, ipv4, payload.len()));
    let proto = match protocol {
        Protocol::Udp => IPPROTO_UDP,
        Protocol::Tcp | Protocol::Tls => IPPROTO_TCP,
    };
    match (source.ip(), destination.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = u16::try_from(IPV4_HEADER_LEN + transport_len).ok()?;
            p.extend_from_slice(&[0x45, 0]);
            p.extend_from_slice(&total.to_be_bytes());
            p.extend_from_slice(&ip_id.to_be_bytes());
            p.extend_from_slice(&[0x40, 0, 64, proto, 0, 0]); // DF, TTL 64, checksum later
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            let sum = checksum(&[&p[..IPV4_HEADER_LEN]]);
            p[10..12].copy_from_slice(&sum.to_be_bytes());
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            p.extend_from_slice(&[0x60, 0, 0, 0]);
            p.extend_from_slice(&len16.to_be_bytes());
            p.extend_from_slice(&[proto, 64]);
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
        }
        _ => return None,
    }
    let t = p.len();
    p.extend_from_slice(&source.port().to_be_bytes());
    p.extend_from_slice(&destination.port().to_be_bytes());
    let sum_at = match protocol {
        Protocol::Udp => {
            p.extend_from_slice(&len16.to_be_bytes());
            p.extend_from_slice(&[0, 0]);
            t + 6
        }
        Protocol::Tcp | Protocol::Tls => {
            p.extend_from_slice(&[0; 8]); // sequence and acknowledgment numbers
            p.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]); // offset 5, PSH+ACK
            t + 16
        }
    };
    p.extend_from_slice(payload);
    let pseudo = pseudo_header(source.ip(), destination.ip(), proto, transport_len);
    let mut sum = checksum(&[&pseudo, &p[t..]]);
    if sum == 0 && protocol == Protocol::Udp {
        sum = 0xffff; // RFC 768: a computed zero is sent as all ones
    }
    p[sum_at..sum_at + 2].copy_from_slice(&sum.to_be_bytes());
    Some(p)
}

/// A datagram read back from an IP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpDatagram {
    /// [`Protocol::Udp`] or [`Protocol::Tcp`] (TLS is not visible at this layer).
    pub protocol: Protocol,
    /// Source address and port.
    pub source: SocketAddr,
    /// Destination address and port.
    pub destination: SocketAddr,
    /// IPv4 identification field (0 for IPv6).
    pub ip_id: u16,
    /// The transport payload.
    pub payload: Vec<u8>,
}

/// Why an IP packet could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacketError {
    /// Shorter than its headers or its length fields say.
    #[error("truncated IP packet")]
    Truncated,
    /// Not IPv4 without options or IPv6.
    #[error("unsupported IP version or header")]
    UnsupportedIp,
    /// Neither UDP nor TCP.
    #[error("unsupported transport protocol {0}")]
    UnsupportedTransport(u8),
    /// A checksum does not verify.
    #[error("bad {0} checksum")]
    BadChecksum(&'static str),
}

/// Reads a packet [`build`] wrote (or any IPv4-without-options / IPv6-without-extension-headers
/// UDP or TCP packet), verifying the checksums.
pub fn parse(data: &[u8]) -> Result<IpDatagram, PacketError> {
    let first = *data.first().ok_or(PacketError::Truncated)?;
    let (src, dst, proto, ip_id, rest) = match first >> 4 {
        4 => {
            if first != 0x45 {
                return Err(PacketError::UnsupportedIp);
            }
            let h = data.get(..IPV4_HEADER_LEN).ok_or(PacketError::Truncated)?;
            if checksum(&[h]) != 0 {
                return Err(PacketError::BadChecksum("IPv4 header"));
            }
            let total = usize::from(be16(h, 2)?);
            let body = data
                .get(IPV4_HEADER_LEN..total)
                .ok_or(PacketError::Truncated)?;
            let s = Ipv4Addr::from(arr::<4>(h, 12)?);
            let d = Ipv4Addr::from(arr::<4>(h, 16)?);
            (IpAddr::V4(s), IpAddr::V4(d), h[9], be16(h, 4)?, body)
        }
        6 => {
            let h = data.get(..IPV6_HEADER_LEN).ok_or(PacketError::Truncated)?;
            let len = usize::from(be16(h, 4)?);
            let body = data
                .get(IPV6_HEADER_LEN..IPV6_HEADER_LEN + len)
                .ok_or(PacketError::Truncated)?;
            let s = Ipv6Addr::from(arr::<16>(h, 8)?);
            let d = Ipv6Addr::from(arr::<16>(h, 24)?);
            (IpAddr::V6(s), IpAddr::V6(d), h[6], 0, body)
        }
        _ => return Err(PacketError::UnsupportedIp),
    };
    let (protocol, header_len) = match proto {
        IPPROTO_UDP => (Protocol::Udp, UDP_HEADER_LEN),
        IPPROTO_TCP => {
            let off = rest.get(12).ok_or(PacketError::Truncated)?;
            (Protocol::Tcp, usize::from(off >> 4) * 4)
        }
        other => return Err(PacketError::UnsupportedTransport(other)),
    };
    let min = if protocol == Protocol::Udp {
        UDP_HEADER_LEN
    } else {
        TCP_HEADER_LEN
    };
    if header_len < min || rest.len() < header_len {
        return Err(PacketError::Truncated);
    }
    if protocol == Protocol::Udp && usize::from(be16(rest, 4)?) != rest.len() {
        return Err(PacketError::Truncated);
    }
    let pseudo = pseudo_header(src, dst, proto, rest.len());
    let udp_unchecked = protocol == Protocol::Udp && src.is_ipv4() && be16(rest, 6)? == 0;
    if !udp_unchecked && checksum(&[&pseudo, rest]) != 0 {
        return Err(PacketError::BadChecksum("transport"));
    }
    Ok(IpDatagram {
        protocol,
        source: SocketAddr::new(src, be16(rest, 0)?),
        destination: SocketAddr::new(dst, be16(rest, 2)?),
        ip_id,
        payload: rest.get(header_len..).unwrap_or_default().to_vec(),
    })
}

fn be16(b: &[u8], at: usize) -> Result<u16, PacketError> {
    Ok(u16::from_be_bytes(arr::<2>(b, at)?))
}

fn arr<const N: usize>(b: &[u8], at: usize) -> Result<[u8; N], PacketError> {
    b.get(at..at + N)
        .and_then(|s| s.try_into().ok())
        .ok_or(PacketError::Truncated)
}

/// The pseudo-header of the UDP/TCP checksum (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1).
fn pseudo_header(src: IpAddr, dst: IpAddr, proto: u8, len: usize) -> Vec<u8> {
    let mut p = Vec::with_capacity(40);
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            p.extend_from_slice(&[0, proto]);
            p.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
        }
        _ => {
            let v6 = |a: IpAddr| match a {
                IpAddr::V6(a) => a.octets(),
                IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
            };
            p.extend_from_slice(&v6(src));
            p.extend_from_slice(&v6(dst));
            p.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes());
            p.extend_from_slice(&[0, 0, 0, proto]);
        }
    }
    p
}

/// The Internet checksum (RFC 1071) over the concatenation of `parts`.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &b in *part {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(u16::from_be_bytes([hi, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc1071_example_sum() {
        // RFC 1071 §3: the one's complement sum of these bytes is 0xddf2.
        let bytes = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&[&bytes]), !0xddf2);
        // Splitting at an odd boundary gives the same result.
        assert_eq!(checksum(&[&bytes[..3], &bytes[3..]]), !0xddf2);
    }

    #[test]
    fn known_ipv4_udp_header() {
        let p = build(
            Protocol::Udp,
            "192.0.2.1:1000".parse().unwrap(),
            "198.51.100.2:2000".parse().unwrap(),
            b"hi",
            7,
        )
        .unwrap();
        assert_eq!(p.len(), 30);
        assert_eq!(&p[..10], &[0x45, 0, 0, 30, 0, 7, 0x40, 0, 64, 17]);
        assert_eq!(&p[20..26], &[0x03, 0xe8, 0x07, 0xd0, 0, 10]);
        assert_eq!(p.len(), wire_len(Protocol::Udp, true, 2));
    }

    #[test]
    fn families_must_match_and_size_is_bounded() {
        let v4: SocketAddr = "192.0.2.1:1".parse().unwrap();
        let v6: SocketAddr = "[2001:db8::1]:1".parse().unwrap();
        assert!(build(Protocol::Udp, v4, v6, b"", 0).is_none());
        assert!(build(Protocol::Udp, v4, v4, &vec![0; 65507], 0).is_some());
        assert!(build(Protocol::Udp, v4, v4, &vec![0; 65508], 0).is_none());
        assert!(build(Protocol::Udp, v6, v6, &vec![0; 65527], 0).is_some());
        assert!(build(Protocol::Udp, v6, v6, &vec![0; 65528], 0).is_none());
    }

    #[test]
    fn corrupt_packets_are_errors() {
        let p = build(
            Protocol::Udp,
            "192.0.2.1:1000".parse().unwrap(),
            "198.51.100.2:2000".parse().unwrap(),
            b"hello",
            1,
        )
        .unwrap();
        for cut in 0..p.len() {
            assert!(parse(&p[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad = p.clone();
        bad[30] ^= 1;
        assert_eq!(parse(&bad), Err(PacketError::BadChecksum("transport")));
        let mut bad = p;
        bad[8] = 1;
        assert_eq!(parse(&bad), Err(PacketError::BadChecksum("IPv4 header")));
        assert_eq!(parse(&[0x70]), Err(PacketError::UnsupportedIp));
    }

    fn addr_pair() -> impl Strategy<Value = (SocketAddr, SocketAddr)> {
        prop_oneof![
            (
                any::<[u8; 4]>(),
                any::<u16>(),
                any::<[u8; 4]>(),
                any::<u16>()
            )
                .prop_map(|(a, p, b, q)| (
                    SocketAddr::new(Ipv4Addr::from(a).into(), p),
                    SocketAddr::new(Ipv4Addr::from(b).into(), q)
                )),
            (
                any::<[u8; 16]>(),
                any::<u16>(),
                any::<[u8; 16]>(),
                any::<u16>()
            )
                .prop_map(|(a, p, b, q)| (
                    SocketAddr::new(Ipv6Addr::from(a).into(), p),
                    SocketAddr::new(Ipv6Addr::from(b).into(), q)
                )),
        ]
    }

    proptest! {
        #[test]
        fn parse_build_round_trip(
            (source, destination) in addr_pair(),
            tcp in any::<bool>(),
            ip_id in any::<u16>(),
            payload in proptest::collection::vec(any::<u8>(), 0..2000),
        ) {
            let protocol = if tcp { Protocol::Tcp } else { Protocol::Udp };
            let p = build(protocol, source, destination, &payload, ip_id).unwrap();
            prop_assert_eq!(p.len(), wire_len(protocol, source.is_ipv4(), payload.len()));
            let d = parse(&p).unwrap();
            prop_assert_eq!(d, IpDatagram {
                protocol,
                source,
                destination,
                ip_id: if source.is_ipv4() { ip_id } else { 0 },
                payload,
            });
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&data);
        }
    }
}
