//! Names for the parts of a simulated network: hosts, interfaces, NATs, zones and links.
//!
//! The network is a tree. The root zone is [`Zone::Internet`]; every NAT owns a private zone
//! ([`Zone::Nat`]) and has its external side in its parent zone, so NATs nest. A host attaches to
//! one or more zones through interfaces, each with its own addresses and its own link (a pair of
//! one-way links, [`Direction::Up`] toward the zone and [`Direction::Down`] from it). A NAT's link
//! connects its external side to its parent zone.

use rtcpeer_types::define_id;

define_id!(
    /// A host (one [`crate::Endpoint`]) in a [`crate::Network`].
    HostId
);
define_id!(
    /// One interface of a host: its addresses in one zone and the link to that zone.
    IfaceId
);
define_id!(
    /// A NAT box in a [`crate::Network`].
    NatId
);

/// An addressing realm: the public Internet or the private network behind one NAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Zone {
    /// The public network at the root of the tree.
    Internet,
    /// The private network behind this NAT (the NAT is its default gateway).
    Nat(NatId),
}

impl From<NatId> for Zone {
    fn from(nat: NatId) -> Self {
        Zone::Nat(nat)
    }
}

/// A link, for setting its conditions, reading its statistics and choosing what to capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkId {
    /// The link of one host interface.
    Iface(IfaceId),
    /// The link of every interface of a host (statistics are summed).
    Host(HostId),
    /// The link between a NAT's external side and its parent zone.
    Nat(NatId),
}

impl From<IfaceId> for LinkId {
    fn from(id: IfaceId) -> Self {
        LinkId::Iface(id)
    }
}

impl From<HostId> for LinkId {
    fn from(id: HostId) -> Self {
        LinkId::Host(id)
    }
}

impl From<NatId> for LinkId {
    fn from(id: NatId) -> Self {
        LinkId::Nat(id)
    }
}

/// One direction of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// From the host (or NAT) toward its zone: what it sends.
    Up,
    /// From the zone toward the host (or NAT): what it receives.
    Down,
}
