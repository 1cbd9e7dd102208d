//! The event log of a simulation: what was sent, delivered, dropped (and why), duplicated,
//! translated by a NAT, and which timeouts fired, each stamped with virtual time.
//!
//! Two runs with the same seed produce the same trace, which is how determinism is tested and how
//! a failing run is inspected. Events also go to `tracing` at TRACE level (target `netsim`), with
//! addresses wrapped in [`rtcpeer_types::Pii`].

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use rtcpeer_types::{Pii, Protocol};

use crate::topology::{Direction, HostId, LinkId, NatId, Zone};

/// Why the network dropped a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DropReason {
    /// Lost by the link's loss model.
    Loss,
    /// Larger than the link MTU (or than an IP packet can be).
    Mtu,
    /// The link's bandwidth queue was full (tail drop).
    QueueFull,
    /// No host or NAT owns the destination, or source and destination families differ.
    NoRoute,
    /// The endpoint sent from an address its host does not have.
    BadSource,
    /// A NAT got an inbound datagram for an external port with no live mapping.
    NatNoMapping,
    /// A NAT's filtering behaviour refused an inbound datagram.
    NatFiltered,
    /// A datagram for the NAT's own external address while hairpinning is off.
    NatHairpinDisabled,
    /// A NAT had no free external port for a new mapping.
    NatPortsExhausted,
    /// A link's [`Firewall`](crate::Firewall) refused it.
    Firewall,
    /// TCP bytes for a simulated connection that is closed or not established (or a segment
    /// arriving after its connection ended).
    TcpNotConnected,
}

/// Where something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// At a host (sending or receiving).
    Host(HostId),
    /// On one direction of a link ([`LinkId::Iface`] or [`LinkId::Nat`]).
    Link(LinkId, Direction),
    /// In a zone's routing.
    Zone(Zone),
    /// Inside a NAT's translation.
    Nat(NatId),
}

/// A summary of one datagram: its 5-tuple at that point, length and a digest of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PacketInfo {
    /// The id the network gave the datagram when it was sent (copies keep it).
    pub id: u64,
    /// Transport protocol.
    pub protocol: Protocol,
    /// Source address at this point (after any NAT translation so far).
    pub source: SocketAddr,
    /// Destination address at this point.
    pub destination: SocketAddr,
    /// Payload length in bytes.
    pub len: usize,
    /// FNV-1a digest of the payload.
    pub digest: u64,
}

/// FNV-1a, 64 bit: a cheap, stable digest for telling payloads apart in traces.
pub(crate) fn digest(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TraceKind {
    /// A host's endpoint transmitted a datagram.
    Sent {
        /// The sender.
        host: HostId,
        /// The datagram.
        packet: PacketInfo,
    },
    /// A datagram was handed to a host's endpoint.
    Delivered {
        /// The receiver.
        host: HostId,
        /// The datagram, as the receiver sees it.
        packet: PacketInfo,
    },
    /// A datagram was dropped.
    Dropped {
        /// Where.
        place: Place,
        /// Why.
        reason: DropReason,
        /// The datagram.
        packet: PacketInfo,
    },
    /// A link duplicated a datagram.
    Duplicated {
        /// The link direction.
        place: Place,
        /// The datagram.
        packet: PacketInfo,
    },
    /// A NAT rewrote a datagram's addresses.
    Translated {
        /// The NAT.
        nat: NatId,
        /// The datagram before translation.
        before: PacketInfo,
        /// The datagram after translation.
        after: PacketInfo,
    },
    /// A host's timeout fired.
    Timeout {
        /// The host.
        host: HostId,
    },
}

/// One entry of the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceEvent {
    /// Virtual time since the start of the simulation.
    pub at: Duration,
    /// What happened.
    pub kind: TraceKind,
}

impl fmt::Display for TraceEvent {
    /// One line per event; addresses are shown in full (this is test output, not a log).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_event(f, self, false)
    }
}

/// A [`TraceEvent`] formatted for logs: addresses wrapped in [`Pii`].
pub(crate) struct Redacted<'a>(pub(crate) &'a TraceEvent);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_event(f, self.0, true)
    }
}

fn fmt_event(f: &mut fmt::Formatter<'_>, e: &TraceEvent, redact: bool) -> fmt::Result {
    let addr = |f: &mut fmt::Formatter<'_>, a: &SocketAddr| {
        if redact {
            write!(f, "{}", Pii(a))
        } else {
            write!(f, "{a}")
        }
    };
    let p = |f: &mut fmt::Formatter<'_>, p: &PacketInfo| {
        write!(f, "#{} {} ", p.id, p.protocol)?;
        addr(f, &p.source)?;
        f.write_str(" -> ")?;
        addr(f, &p.destination)?;
        write!(f, " len {}", p.len)
    };
    write!(f, "{:>12.6?} ", e.at)?;
    match &e.kind {
        TraceKind::Sent { host, packet } => {
            write!(f, "{host} sent ")?;
            p(f, packet)
        }
        TraceKind::Delivered { host, packet } => {
            write!(f, "{host} got ")?;
            p(f, packet)
        }
        TraceKind::Dropped {
            place,
            reason,
            packet,
        } => {
            write!(f, "drop {reason:?} at {place:?} ")?;
            p(f, packet)
        }
        TraceKind::Duplicated { place, packet } => {
            write!(f, "dup at {place:?} ")?;
            p(f, packet)
        }
        TraceKind::Translated { nat, before, after } => {
            write!(f, "{nat} translated ")?;
            p(f, before)?;
            f.write_str(" => ")?;
            addr(f, &after.source)?;
            f.write_str(" -> ")?;
            addr(f, &after.destination)
        }
        TraceKind::Timeout { host } => write!(f, "{host} timeout"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_known_values() {
        // Published FNV-1a 64-bit test values.
        assert_eq!(digest(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(digest(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(digest(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn display_is_one_line() {
        let packet = PacketInfo {
            id: 3,
            protocol: Protocol::Udp,
            source: "10.0.0.1:1".parse().unwrap(),
            destination: "192.0.2.1:2".parse().unwrap(),
            len: 4,
            digest: 0,
        };
        let e = TraceEvent {
            at: Duration::from_millis(1500),
            kind: TraceKind::Sent {
                host: HostId::new(0),
                packet,
            },
        };
        let s = e.to_string();
        assert!(
            s.contains("HostId(0) sent #3 udp 10.0.0.1:1 -> 192.0.2.1:2 len 4"),
            "{s}"
        );
        assert!(!s.contains('\n'));
        let r = Redacted(&e).to_string();
        assert!(
            r.contains("sent #3 udp [redacted] -> [redacted] len 4"),
            "{r}"
        );
    }
}
