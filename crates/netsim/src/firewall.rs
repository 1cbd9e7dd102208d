//! [`Firewall`]: stateless packet filtering on a simulated link, by transport protocol and
//! direction, such as an enterprise network that lets only TCP out or a host that refuses
//! incoming TCP connections.
//!
//! A firewall is set per link ([`Network::set_firewall`](crate::Network::set_firewall)) and
//! applies before the link's conditions; what it drops is counted and traced as
//! [`DropReason::Firewall`](crate::DropReason::Firewall). TLS is TCP at this layer.

use rtcpeer_types::Protocol;

use crate::topology::Direction;

/// One filtering rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    /// UDP or TCP (TLS is TCP).
    protocol: Protocol,
    /// The direction it applies to; `None`: both.
    direction: Option<Direction>,
    /// Only connection requests (TCP SYN) match.
    syn_only: bool,
}

/// What a link refuses to carry. [`Firewall::default`] lets everything through.
///
/// ```
/// use rtcpeer_netsim::{Direction, Firewall};
/// use rtcpeer_types::Protocol;
///
/// // Only TCP gets through, and nobody outside may open a connection to the host.
/// let f = Firewall::default().block(Protocol::Udp).block_inbound_connections();
/// assert!(f.blocks(Protocol::Udp, Direction::Up, false));
/// assert!(f.blocks(Protocol::Tcp, Direction::Down, true));
/// assert!(!f.blocks(Protocol::Tcp, Direction::Down, false));
/// assert!(!f.blocks(Protocol::Tcp, Direction::Up, true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Firewall {
    rules: Vec<Rule>,
}

/// TLS travels as TCP.
fn wire_protocol(protocol: Protocol) -> Protocol {
    match protocol {
        Protocol::Tls => Protocol::Tcp,
        other => other,
    }
}

impl Firewall {
    /// Drops every packet of `protocol`, both ways.
    #[must_use]
    pub fn block(self, protocol: Protocol) -> Self {
        self.rule(protocol, None, false)
    }

    /// Drops packets of `protocol` coming toward the host or NAT ([`Direction::Down`]).
    #[must_use]
    pub fn block_inbound(self, protocol: Protocol) -> Self {
        self.rule(protocol, Some(Direction::Down), false)
    }

    /// Drops packets of `protocol` the host or NAT sends ([`Direction::Up`]).
    #[must_use]
    pub fn block_outbound(self, protocol: Protocol) -> Self {
        self.rule(protocol, Some(Direction::Up), false)
    }

    /// Drops TCP connection requests (SYN) coming toward the host or NAT, so that it can only
    /// open connections, never accept them.
    #[must_use]
    pub fn block_inbound_connections(self) -> Self {
        self.rule(Protocol::Tcp, Some(Direction::Down), true)
    }

    fn rule(mut self, protocol: Protocol, direction: Option<Direction>, syn_only: bool) -> Self {
        self.rules.push(Rule {
            protocol: wire_protocol(protocol),
            direction,
            syn_only,
        });
        self
    }

    /// Whether a packet of `protocol` going `direction` is dropped; `syn` marks a TCP
    /// connection request.
    pub fn blocks(&self, protocol: Protocol, direction: Direction, syn: bool) -> bool {
        let protocol = wire_protocol(protocol);
        self.rules.iter().any(|r| {
            r.protocol == protocol
                && r.direction.is_none_or(|d| d == direction)
                && (!r.syn_only || syn)
        })
    }

    /// Whether the firewall lets everything through.
    pub fn is_open(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_protocol_and_direction() {
        let open = Firewall::default();
        assert!(open.is_open());
        for p in [Protocol::Udp, Protocol::Tcp, Protocol::Tls] {
            for d in [Direction::Up, Direction::Down] {
                assert!(!open.blocks(p, d, false));
                assert!(!open.blocks(p, d, true));
            }
        }
        let f = Firewall::default().block(Protocol::Udp);
        assert!(f.blocks(Protocol::Udp, Direction::Up, false));
        assert!(f.blocks(Protocol::Udp, Direction::Down, false));
        assert!(!f.blocks(Protocol::Tcp, Direction::Down, false));
        let f = Firewall::default().block_inbound(Protocol::Tls);
        assert!(f.blocks(Protocol::Tcp, Direction::Down, false));
        assert!(f.blocks(Protocol::Tls, Direction::Down, true));
        assert!(!f.blocks(Protocol::Tcp, Direction::Up, false));
        let f = Firewall::default().block_outbound(Protocol::Tcp);
        assert!(f.blocks(Protocol::Tls, Direction::Up, false));
        assert!(!f.blocks(Protocol::Udp, Direction::Up, false));
        let f = Firewall::default().block_inbound_connections();
        assert!(f.blocks(Protocol::Tcp, Direction::Down, true));
        assert!(!f.blocks(Protocol::Tcp, Direction::Down, false));
        assert!(!f.blocks(Protocol::Tcp, Direction::Up, true));
        assert!(!f.is_open());
    }
}
