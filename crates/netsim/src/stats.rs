//! Counters kept by the simulated network: per link direction, per host, per NAT and in total.

use std::ops::AddAssign;

use crate::trace::DropReason;

/// Counters of one direction of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkStats {
    /// Datagrams offered to the link.
    pub sent: u64,
    /// Bytes (IP packet size) offered to the link.
    pub bytes_sent: u64,
    /// Datagrams that reached the far end (duplicates included).
    pub delivered: u64,
    /// Bytes (IP packet size) that reached the far end.
    pub bytes_delivered: u64,
    /// Datagrams lost by the loss model.
    pub lost: u64,
    /// Extra copies made by duplication.
    pub duplicated: u64,
    /// Datagrams reordered (held back by the reorder gap).
    pub reordered: u64,
    /// Datagrams dropped because they exceed the MTU.
    pub dropped_mtu: u64,
    /// Datagrams tail-dropped by a full bandwidth queue.
    pub dropped_queue: u64,
    /// Datagrams refused by the link's firewall.
    pub dropped_firewall: u64,
}

impl AddAssign for LinkStats {
    fn add_assign(&mut self, o: Self) {
        self.sent += o.sent;
        self.bytes_sent += o.bytes_sent;
        self.delivered += o.delivered;
        self.bytes_delivered += o.bytes_delivered;
        self.lost += o.lost;
        self.duplicated += o.duplicated;
        self.reordered += o.reordered;
        self.dropped_mtu += o.dropped_mtu;
        self.dropped_queue += o.dropped_queue;
        self.dropped_firewall += o.dropped_firewall;
    }
}

/// Counters of one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HostStats {
    /// Datagrams the endpoint transmitted.
    pub sent: u64,
    /// Datagrams handed to the endpoint.
    pub received: u64,
    /// Transmits whose source address is not one of the host's (dropped).
    pub dropped_bad_source: u64,
    /// Timeouts handed to the endpoint.
    pub timeouts: u64,
}

/// Counters of one NAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NatStats {
    /// Mappings created.
    pub mappings_created: u64,
    /// Mappings that expired (counted when the NAT notices).
    pub mappings_expired: u64,
    /// Datagrams translated on the way out.
    pub translated_outbound: u64,
    /// Datagrams translated on the way in (hairpinned ones included).
    pub translated_inbound: u64,
    /// Datagrams hairpinned back into the private zone.
    pub hairpinned: u64,
    /// Inbound datagrams for an external port with no live mapping.
    pub dropped_no_mapping: u64,
    /// Inbound datagrams refused by the filtering behaviour.
    pub dropped_filtered: u64,
    /// Datagrams to the NAT's own external address while hairpinning is off.
    pub dropped_hairpin: u64,
    /// Outbound datagrams dropped because no external port was free.
    pub dropped_ports_exhausted: u64,
}

/// Totals over the whole network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetStats {
    /// Datagrams transmitted by endpoints.
    pub sent: u64,
    /// Datagrams handed to endpoints (duplicates included).
    pub delivered: u64,
    /// Datagrams lost by link loss models.
    pub lost: u64,
    /// Extra copies made by link duplication.
    pub duplicated: u64,
    /// Datagrams dropped for exceeding an MTU (or the IP maximum).
    pub dropped_mtu: u64,
    /// Datagrams tail-dropped by full bandwidth queues.
    pub dropped_queue: u64,
    /// Datagrams with no route (unknown destination, address family mismatch).
    pub dropped_no_route: u64,
    /// Transmits from an address the host does not have.
    pub dropped_bad_source: u64,
    /// Datagrams dropped by NATs: no mapping, filtered, hairpinning off, or no free port.
    pub dropped_nat: u64,
    /// Of `dropped_nat`: refused by a NAT's filtering behaviour.
    pub dropped_nat_filter: u64,
    /// Datagrams refused by link firewalls.
    pub dropped_firewall: u64,
    /// TCP bytes written to, or arriving for, a simulated connection that is not open.
    pub dropped_tcp: u64,
}

impl NetStats {
    pub(crate) fn count_drop(&mut self, reason: DropReason) {
        match reason {
            DropReason::Loss => self.lost += 1,
            DropReason::Mtu => self.dropped_mtu += 1,
            DropReason::QueueFull => self.dropped_queue += 1,
            DropReason::NoRoute => self.dropped_no_route += 1,
            DropReason::BadSource => self.dropped_bad_source += 1,
            DropReason::NatFiltered => {
                self.dropped_nat += 1;
                self.dropped_nat_filter += 1;
            }
            DropReason::NatNoMapping
            | DropReason::NatHairpinDisabled
            | DropReason::NatPortsExhausted => self.dropped_nat += 1,
            DropReason::Firewall => self.dropped_firewall += 1,
            DropReason::TcpNotConnected => self.dropped_tcp += 1,
        }
    }
}
