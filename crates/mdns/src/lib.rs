//! Multicast DNS for ICE candidates, sans-IO (RFC 6762, draft-ietf-mmusic-mdns-ice-candidates).
//!
//! Browsers hide the addresses of their host candidates behind random `<uuid>.local` names. This
//! crate lets the ICE agent
//! - resolve such remote names: [`Resolver`] sends one-shot mDNS queries, retransmits them,
//!   matches answers, caches addresses for their TTL and reports [`ResolverEvent`]s;
//! - hide its own host addresses: [`Responder`] publishes [`LocalName`]s (random version 4 UUIDs
//!   from [`random_local_name`]), announces them and answers queries for them.
//!
//! Both are sans-IO machines (`handle_receive`, `handle_timeout`, `poll_transmit`,
//! `poll_timeout`, plus `poll_event` for the resolver): the runtime owns the sockets (the mDNS
//! socket on port 5353 joined to [`MDNS_IPV4`] / [`MDNS_IPV6`], or an ephemeral one for one-shot
//! queries), passes every datagram to both machines, and sends their [`rtcpeer_types::Transmit`]s
//! from the socket bound to each one's `source`.
//!
//! Underneath is a DNS message codec for what mDNS needs ([`Message`], [`Name`]): RFC 1035 §4
//! header, questions and records with name compression, A and AAAA records, and the mDNS
//! unicast-response and cache-flush bits. Decoding never panics on any input.

mod cache;
mod codec;
mod error;
mod local_name;
mod message;
mod name;
mod resolver;
mod responder;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

pub use codec::HEADER_LEN;
pub use error::{DecodeError, EncodeError, LocalNameError, NameError, PublishError, ResolveError};
pub use local_name::{LocalName, random_local_name};
pub use message::{Class, Flags, Header, Message, Question, Record, RecordData, RecordType};
pub use name::{Labels, MAX_LABEL_LEN, MAX_NAME_LEN, Name};
pub use resolver::{QueryId, Resolver, ResolverConfig, ResolverEvent, ResolverStats};
pub use responder::{DEFAULT_TTL, Responder, ResponderConfig, ResponderStats};

/// The mDNS UDP port (RFC 6762 §3).
pub const MDNS_PORT: u16 = 5353;
/// The IPv4 mDNS group 224.0.0.251 (RFC 6762 §3).
pub const MDNS_IPV4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);
/// The IPv6 mDNS group ff02::fb (RFC 6762 §3).
pub const MDNS_IPV6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);

/// The mDNS group address and port for a socket at `local`: 224.0.0.251:5353 for IPv4,
/// `[ff02::fb]:5353` for IPv6 (with `local`'s scope id, the link it sends on).
pub fn group_for(local: SocketAddr) -> SocketAddr {
    match local {
        SocketAddr::V4(_) => SocketAddr::new(IpAddr::V4(MDNS_IPV4), MDNS_PORT),
        SocketAddr::V6(v6) => {
            SocketAddr::V6(SocketAddrV6::new(MDNS_IPV6, MDNS_PORT, 0, v6.scope_id()))
        }
    }
}

/// Whether `addr` is an mDNS group address (either family), i.e. a datagram sent to it is
/// multicast to every mDNS host on the link.
pub fn is_mdns_group(addr: SocketAddr) -> bool {
    addr.port() == MDNS_PORT
        && (addr.ip() == IpAddr::V4(MDNS_IPV4) || addr.ip() == IpAddr::V6(MDNS_IPV6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        assert_eq!(
            group_for("192.168.1.2:40000".parse().unwrap()),
            "224.0.0.251:5353".parse().unwrap()
        );
        assert_eq!(
            group_for("[fe80::1%3]:5353".parse().unwrap()),
            "[ff02::fb%3]:5353".parse().unwrap()
        );
        assert!(is_mdns_group("224.0.0.251:5353".parse().unwrap()));
        assert!(is_mdns_group("[ff02::fb]:5353".parse().unwrap()));
        assert!(!is_mdns_group("224.0.0.251:53".parse().unwrap()));
        assert!(!is_mdns_group("10.0.0.1:5353".parse().unwrap()));
    }
}
