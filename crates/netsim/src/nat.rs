//! A NAT box with the behaviours RFC 4787 names: mapping (§4.1), port assignment (§4.2),
//! mapping refresh and lifetime (§4.3), filtering (§5) and hairpinning (§6).
//!
//! This module owns the translation state (the mapping table) and its rules; the network
//! ([`crate::Network`]) decides when a datagram reaches the NAT's inside or outside and routes what
//! comes out. The classic names map as: full cone = endpoint-independent mapping and filtering;
//! (address-)restricted cone = EIM + address-dependent filtering; port-restricted cone = EIM +
//! address-and-port-dependent filtering; symmetric = address-and-port-dependent mapping and
//! filtering.
//!
//! Every mapping has its own external port, so a datagram arriving at an external port finds at
//! most one mapping. Mappings expire lazily: the NAT notices an expired mapping when it looks it
//! up or needs its port.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use rtcpeer_types::{Protocol, Rng};

use crate::stats::NatStats;
use crate::trace::DropReason;

/// How a NAT reuses a mapping for datagrams from the same internal address and port
/// (RFC 4787 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MappingBehavior {
    /// One mapping for every destination (REQ-1's recommendation).
    EndpointIndependent,
    /// One mapping per destination IP address.
    AddressDependent,
    /// One mapping per destination IP address and port.
    AddressAndPortDependent,
}

/// Which inbound datagrams a NAT lets through a mapping (RFC 4787 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilteringBehavior {
    /// From anyone.
    EndpointIndependent,
    /// Only from IP addresses the internal endpoint has sent to through this mapping.
    AddressDependent,
    /// Only from IP addresses and ports the internal endpoint has sent to through this mapping.
    AddressAndPortDependent,
}

/// How a NAT picks the external port of a new mapping (RFC 4787 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortAssignment {
    /// Keep the internal port when it is free in the range, else pick at random.
    Preserve,
    /// A random free port in the range.
    Random,
    /// The next free port after the previously assigned one (predictable, as many NATs do).
    Sequential,
}

/// The behaviour of a NAT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatConfig {
    /// The NAT's external address (in its parent zone). Its family is the family the NAT
    /// translates; datagrams of the other family are dropped as unroutable.
    pub external: IpAddr,
    /// Mapping behaviour.
    pub mapping: MappingBehavior,
    /// Filtering behaviour.
    pub filtering: FilteringBehavior,
    /// Port assignment.
    pub port_assignment: PortAssignment,
    /// Idle time after which a mapping expires (RFC 4787 REQ-5 asks for at least 2 minutes and
    /// recommends 5; real NATs often use less). Default: 5 minutes.
    pub mapping_lifetime: Duration,
    /// Whether inbound datagrams refresh a mapping (outbound ones always do, REQ-6). Default: no.
    pub refresh_on_inbound: bool,
    /// Whether datagrams from inside to the NAT's own external address are looped back in
    /// (REQ-9). Default: yes.
    pub hairpinning: bool,
    /// External ports the NAT assigns. Default: `1024..=65535`.
    pub ports: RangeInclusive<u16>,
}

impl NatConfig {
    /// A NAT with the given mapping and filtering behaviours and default everything else (port
    /// preservation, 5-minute mappings, hairpinning on).
    pub fn new(external: IpAddr, mapping: MappingBehavior, filtering: FilteringBehavior) -> Self {
        NatConfig {
            external,
            mapping,
            filtering,
            port_assignment: PortAssignment::Preserve,
            mapping_lifetime: Duration::from_secs(300),
            refresh_on_inbound: false,
            hairpinning: true,
            ports: 1024..=65535,
        }
    }

    /// Full cone: endpoint-independent mapping and filtering.
    pub fn full_cone(external: IpAddr) -> Self {
        Self::new(
            external,
            MappingBehavior::EndpointIndependent,
            FilteringBehavior::EndpointIndependent,
        )
    }

    /// (Address-)restricted cone: endpoint-independent mapping, address-dependent filtering.
    pub fn restricted_cone(external: IpAddr) -> Self {
        Self::new(
            external,
            MappingBehavior::EndpointIndependent,
            FilteringBehavior::AddressDependent,
        )
    }

    /// Port-restricted cone: endpoint-independent mapping, address-and-port-dependent filtering.
    pub fn port_restricted_cone(external: IpAddr) -> Self {
        Self::new(
            external,
            MappingBehavior::EndpointIndependent,
            FilteringBehavior::AddressAndPortDependent,
        )
    }

    /// Symmetric: address-and-port-dependent mapping and filtering, random ports.
    pub fn symmetric(external: IpAddr) -> Self {
        NatConfig {
            port_assignment: PortAssignment::Random,
            ..Self::new(
                external,
                MappingBehavior::AddressAndPortDependent,
                FilteringBehavior::AddressAndPortDependent,
            )
        }
    }

    /// Sets the port assignment.
    #[must_use]
    pub fn port_assignment(mut self, p: PortAssignment) -> Self {
        self.port_assignment = p;
        self
    }

    /// Sets the mapping lifetime.
    #[must_use]
    pub fn mapping_lifetime(mut self, lifetime: Duration) -> Self {
        self.mapping_lifetime = lifetime;
        self
    }

    /// Sets whether inbound datagrams refresh mappings.
    #[must_use]
    pub fn refresh_on_inbound(mut self, on: bool) -> Self {
        self.refresh_on_inbound = on;
        self
    }

    /// Sets hairpinning on or off.
    #[must_use]
    pub fn hairpinning(mut self, on: bool) -> Self {
        self.hairpinning = on;
        self
    }

    /// Sets the external port range.
    #[must_use]
    pub fn ports(mut self, ports: RangeInclusive<u16>) -> Self {
        self.ports = ports;
        self
    }
}

/// Which destinations share a mapping, as its key records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MappingScope {
    /// Every destination (endpoint-independent mapping).
    Any,
    /// Destinations with this IP address (address-dependent mapping).
    Address(IpAddr),
    /// This destination only (address-and-port-dependent mapping).
    AddressAndPort(SocketAddr),
}

/// A live NAT mapping, for tests to inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatMapping {
    /// Transport protocol.
    pub protocol: Protocol,
    /// The internal address and port.
    pub internal: SocketAddr,
    /// The external address and port it maps to.
    pub external: SocketAddr,
    /// The destinations that share it.
    pub scope: MappingScope,
    /// Remote endpoints the internal side has sent to through it (what filtering allows).
    pub contacted: Vec<SocketAddr>,
    /// When it expires unless refreshed.
    pub expires: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    protocol: Protocol,
    internal: SocketAddr,
    scope: MappingScope,
}

#[derive(Debug)]
struct Mapping {
    key: Key,
    contacted: BTreeSet<SocketAddr>,
    expires: Instant,
}

/// What an outbound translation leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outbound {
    /// Forward to the parent zone.
    Forward,
    /// The destination is the NAT's own external address: translate it inbound and loop back.
    Hairpin,
}

/// A NAT's translation state.
#[derive(Debug)]
pub(crate) struct Nat {
    config: NatConfig,
    rng: Rng,
    by_key: BTreeMap<Key, u16>,
    by_port: BTreeMap<(Protocol, u16), Mapping>,
    next_port: u16,
    pub(crate) stats: NatStats,
}

/// Random tries before a linear search for a free port.
const RANDOM_TRIES: usize = 64;

impl Nat {
    pub(crate) fn new(config: NatConfig, rng: Rng) -> Self {
        let next_port = *config.ports.start();
        Nat {
            config,
            rng,
            by_key: BTreeMap::new(),
            by_port: BTreeMap::new(),
            next_port,
            stats: NatStats::default(),
        }
    }

    pub(crate) fn config(&self) -> &NatConfig {
        &self.config
    }

    pub(crate) fn external_ip(&self) -> IpAddr {
        self.config.external
    }

    /// Translates a datagram from inside: finds or creates the mapping, rewrites `source` to the
    /// external address and records `destination` as contacted.
    pub(crate) fn outbound(
        &mut self,
        now: Instant,
        protocol: Protocol,
        source: &mut SocketAddr,
        destination: SocketAddr,
    ) -> Result<Outbound, DropReason> {
        let ext = self.config.external;
        if source.is_ipv4() != ext.is_ipv4() || destination.is_ipv4() != ext.is_ipv4() {
            return Err(DropReason::NoRoute);
        }
        let hairpin = destination.ip() == ext;
        if hairpin && !self.config.hairpinning {
            self.stats.dropped_hairpin += 1;
            return Err(DropReason::NatHairpinDisabled);
        }
        let scope = match self.config.mapping {
            MappingBehavior::EndpointIndependent => MappingScope::Any,
            MappingBehavior::AddressDependent => MappingScope::Address(destination.ip()),
            MappingBehavior::AddressAndPortDependent => MappingScope::AddressAndPort(destination),
        };
        let key = Key {
            protocol,
            internal: *source,
            scope,
        };
        let port = match self.live_port(now, &key) {
            Some(port) => port,
            None => {
                let Some(port) = self.assign_port(now, protocol, source.port()) else {
                    self.stats.dropped_ports_exhausted += 1;
                    return Err(DropReason::NatPortsExhausted);
                };
                self.by_key.insert(key.clone(), port);
                self.by_port.insert(
                    (protocol, port),
                    Mapping {
                        key,
                        contacted: BTreeSet::new(),
                        expires: now,
                    },
                );
                self.stats.mappings_created += 1;
                port
            }
        };
        if let Some(m) = self.by_port.get_mut(&(protocol, port)) {
            m.expires = now + self.config.mapping_lifetime;
            m.contacted.insert(destination);
        }
        *source = SocketAddr::new(ext, port);
        self.stats.translated_outbound += 1;
        Ok(if hairpin {
            self.stats.hairpinned += 1;
            Outbound::Hairpin
        } else {
            Outbound::Forward
        })
    }

    /// Translates a datagram arriving at the external address: finds the mapping of its port,
    /// applies the filtering behaviour and rewrites `destination` to the internal address.
    pub(crate) fn inbound(
        &mut self,
        now: Instant,
        protocol: Protocol,
        source: SocketAddr,
        destination: &mut SocketAddr,
    ) -> Result<(), DropReason> {
        let port = destination.port();
        if destination.ip() != self.config.external || !self.is_live(now, protocol, port) {
            self.stats.dropped_no_mapping += 1;
            return Err(DropReason::NatNoMapping);
        }
        let Some(m) = self.by_port.get_mut(&(protocol, port)) else {
            self.stats.dropped_no_mapping += 1;
            return Err(DropReason::NatNoMapping);
        };
        let allowed = match self.config.filtering {
            FilteringBehavior::EndpointIndependent => true,
            FilteringBehavior::AddressDependent => {
                m.contacted.iter().any(|c| c.ip() == source.ip())
            }
            FilteringBehavior::AddressAndPortDependent => m.contacted.contains(&source),
        };
        if !allowed {
            self.stats.dropped_filtered += 1;
            return Err(DropReason::NatFiltered);
        }
        if self.config.refresh_on_inbound {
            m.expires = now + self.config.mapping_lifetime;
        }
        *destination = m.key.internal;
        self.stats.translated_inbound += 1;
        Ok(())
    }

    /// The live mappings, in (protocol, external port) order.
    pub(crate) fn mappings(&self, now: Instant) -> Vec<NatMapping> {
        self.by_port
            .iter()
            .filter(|(_, m)| m.expires > now)
            .map(|(&(protocol, port), m)| NatMapping {
                protocol,
                internal: m.key.internal,
                external: SocketAddr::new(self.config.external, port),
                scope: m.key.scope,
                contacted: m.contacted.iter().copied().collect(),
                expires: m.expires,
            })
            .collect()
    }

    /// The external port of the live mapping for `key`, evicting it if it expired.
    fn live_port(&mut self, now: Instant, key: &Key) -> Option<u16> {
        let port = *self.by_key.get(key)?;
        self.is_live(now, key.protocol, port).then_some(port)
    }

    /// Whether `port` holds a live mapping; an expired one is evicted.
    fn is_live(&mut self, now: Instant, protocol: Protocol, port: u16) -> bool {
        match self.by_port.get(&(protocol, port)) {
            None => false,
            Some(m) if m.expires > now => true,
            Some(_) => {
                if let Some(m) = self.by_port.remove(&(protocol, port)) {
                    self.by_key.remove(&m.key);
                }
                self.stats.mappings_expired += 1;
                false
            }
        }
    }

    /// Picks a free external port for a new mapping.
    fn assign_port(&mut self, now: Instant, protocol: Protocol, internal_port: u16) -> Option<u16> {
        let (lo, hi) = (*self.config.ports.start(), *self.config.ports.end());
        if lo > hi {
            return None;
        }
        let assignment = self.config.port_assignment;
        if assignment == PortAssignment::Preserve
            && self.config.ports.contains(&internal_port)
            && !self.is_live(now, protocol, internal_port)
        {
            return Some(internal_port);
        }
        match assignment {
            PortAssignment::Preserve | PortAssignment::Random => {
                for _ in 0..RANDOM_TRIES {
                    let p = self.random_port(lo, hi);
                    if !self.is_live(now, protocol, p) {
                        return Some(p);
                    }
                }
                let start = self.random_port(lo, hi);
                self.scan(now, protocol, start)
            }
            PortAssignment::Sequential => {
                let start = if self.config.ports.contains(&self.next_port) {
                    self.next_port
                } else {
                    lo
                };
                let p = self.scan(now, protocol, start)?;
                self.next_port = if p == hi { lo } else { p + 1 };
                Some(p)
            }
        }
    }

    fn random_port(&mut self, lo: u16, hi: u16) -> u16 {
        let p = self.rng.range_u64(u64::from(lo), u64::from(hi) + 1);
        u16::try_from(p).unwrap_or(lo)
    }

    /// The first free port from `start` upward, wrapping within the range.
    fn scan(&mut self, now: Instant, protocol: Protocol, start: u16) -> Option<u16> {
        let (lo, hi) = (*self.config.ports.start(), *self.config.ports.end());
        let mut p = start;
        for _ in 0..=(u32::from(hi) - u32::from(lo)) {
            if !self.is_live(now, protocol, p) {
                return Some(p);
            }
            p = if p == hi { lo } else { p + 1 };
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UDP: Protocol = Protocol::Udp;

    fn start() -> Instant {
        crate::clock::start_instant()
    }

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn nat(config: NatConfig) -> Nat {
        Nat::new(config, Rng::from_seed(1))
    }

    fn out(n: &mut Nat, now: Instant, from: &str, to: &str) -> Result<SocketAddr, DropReason> {
        let mut s = sa(from);
        n.outbound(now, UDP, &mut s, sa(to)).map(|_| s)
    }

    fn inb(
        n: &mut Nat,
        now: Instant,
        from: &str,
        to: SocketAddr,
    ) -> Result<SocketAddr, DropReason> {
        let mut d = to;
        n.inbound(now, UDP, sa(from), &mut d).map(|()| d)
    }

    #[test]
    fn endpoint_independent_mapping_reuses_port() {
        let t = start();
        let mut n = nat(NatConfig::full_cone("203.0.113.1".parse().unwrap()));
        let a = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:3478").unwrap();
        let b = out(&mut n, t, "10.0.0.2:5000", "198.51.100.9:80").unwrap();
        assert_eq!(a, sa("203.0.113.1:5000"), "port preserved");
        assert_eq!(a, b);
        assert_eq!(n.stats.mappings_created, 1);
    }

    #[test]
    fn address_dependent_mapping_per_ip() {
        let t = start();
        let c = NatConfig::new(
            "203.0.113.1".parse().unwrap(),
            MappingBehavior::AddressDependent,
            FilteringBehavior::AddressDependent,
        );
        let mut n = nat(c);
        let a = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:1").unwrap();
        let b = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:2").unwrap();
        let c = out(&mut n, t, "10.0.0.2:5000", "192.0.2.2:1").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn address_and_port_dependent_mapping_per_endpoint() {
        let t = start();
        let mut n = nat(NatConfig::symmetric("203.0.113.1".parse().unwrap()));
        let a = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:1").unwrap();
        let b = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:2").unwrap();
        let a2 = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:1").unwrap();
        assert_ne!(a, b);
        assert_eq!(a, a2);
        assert_eq!(n.mappings(t).len(), 2);
    }

    #[test]
    fn filtering_behaviours() {
        let t = start();
        let ext: IpAddr = "203.0.113.1".parse().unwrap();
        for (filtering, same_ip_other_port, other_ip) in [
            (FilteringBehavior::EndpointIndependent, true, true),
            (FilteringBehavior::AddressDependent, true, false),
            (FilteringBehavior::AddressAndPortDependent, false, false),
        ] {
            let mut n = nat(NatConfig::new(
                ext,
                MappingBehavior::EndpointIndependent,
                filtering,
            ));
            let m = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:3478").unwrap();
            assert_eq!(inb(&mut n, t, "192.0.2.1:3478", m), Ok(sa("10.0.0.2:5000")));
            assert_eq!(
                inb(&mut n, t, "192.0.2.1:3479", m).is_ok(),
                same_ip_other_port,
                "{filtering:?}"
            );
            assert_eq!(
                inb(&mut n, t, "192.0.2.99:3478", m).is_ok(),
                other_ip,
                "{filtering:?}"
            );
        }
    }

    #[test]
    fn unknown_port_has_no_mapping() {
        let t = start();
        let mut n = nat(NatConfig::full_cone("203.0.113.1".parse().unwrap()));
        assert_eq!(
            inb(&mut n, t, "192.0.2.1:1", sa("203.0.113.1:4000")),
            Err(DropReason::NatNoMapping)
        );
        assert_eq!(n.stats.dropped_no_mapping, 1);
    }

    #[test]
    fn mappings_expire_and_refresh_outbound() {
        let t = start();
        let c = NatConfig::full_cone("203.0.113.1".parse().unwrap())
            .mapping_lifetime(Duration::from_secs(30));
        let mut n = nat(c);
        let m = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:1").unwrap();
        // Refreshed at 20 s, so alive at 45 s.
        out(
            &mut n,
            t + Duration::from_secs(20),
            "10.0.0.2:5000",
            "192.0.2.1:1",
        )
        .unwrap();
        assert!(inb(&mut n, t + Duration::from_secs(45), "192.0.2.1:1", m).is_ok());
        // Inbound does not refresh by default: gone at 50 s.
        assert_eq!(
            inb(&mut n, t + Duration::from_secs(50), "192.0.2.1:1", m),
            Err(DropReason::NatNoMapping)
        );
        assert_eq!(n.stats.mappings_expired, 1);
        assert!(n.mappings(t + Duration::from_secs(50)).is_empty());
    }

    #[test]
    fn inbound_refresh_when_configured() {
        let t = start();
        let c = NatConfig::full_cone("203.0.113.1".parse().unwrap())
            .mapping_lifetime(Duration::from_secs(30))
            .refresh_on_inbound(true);
        let mut n = nat(c);
        let m = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:1").unwrap();
        for s in [20, 40, 60] {
            assert!(inb(&mut n, t + Duration::from_secs(s), "192.0.2.1:1", m).is_ok());
        }
    }

    #[test]
    fn port_preservation_falls_back_on_collision() {
        let t = start();
        let mut n = nat(NatConfig::full_cone("203.0.113.1".parse().unwrap()));
        let a = out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:1").unwrap();
        let b = out(&mut n, t, "10.0.0.3:5000", "192.0.2.1:1").unwrap();
        assert_eq!(a.port(), 5000);
        assert_ne!(b.port(), 5000);
        assert!(b.port() >= 1024);
    }

    #[test]
    fn sequential_ports_and_exhaustion() {
        let t = start();
        let c = NatConfig::symmetric("203.0.113.1".parse().unwrap())
            .port_assignment(PortAssignment::Sequential)
            .ports(40000..=40002);
        let mut n = nat(c);
        let ports: Vec<u16> = (1..=3)
            .map(|i| {
                out(&mut n, t, "10.0.0.2:5000", &format!("192.0.2.1:{i}"))
                    .unwrap()
                    .port()
            })
            .collect();
        assert_eq!(ports, [40000, 40001, 40002]);
        assert_eq!(
            out(&mut n, t, "10.0.0.2:5000", "192.0.2.1:4"),
            Err(DropReason::NatPortsExhausted)
        );
        // Once the mappings expire their ports are reused.
        let later = t + Duration::from_secs(301);
        assert_eq!(
            out(&mut n, later, "10.0.0.2:5000", "192.0.2.1:4")
                .unwrap()
                .port(),
            40000
        );
    }

    #[test]
    fn hairpin_detection_and_refusal() {
        let t = start();
        let ext: IpAddr = "203.0.113.1".parse().unwrap();
        let mut on = nat(NatConfig::full_cone(ext));
        let mut s = sa("10.0.0.2:5000");
        assert_eq!(
            on.outbound(t, UDP, &mut s, sa("203.0.113.1:6000")),
            Ok(Outbound::Hairpin)
        );
        let mut off = nat(NatConfig::full_cone(ext).hairpinning(false));
        let mut s = sa("10.0.0.2:5000");
        assert_eq!(
            off.outbound(t, UDP, &mut s, sa("203.0.113.1:6000")),
            Err(DropReason::NatHairpinDisabled)
        );
        assert_eq!(off.stats.mappings_created, 0);
    }

    #[test]
    fn wrong_family_is_unroutable() {
        let t = start();
        let mut n = nat(NatConfig::full_cone("203.0.113.1".parse().unwrap()));
        assert_eq!(
            out(&mut n, t, "[fd00::2]:5000", "[2001:db8::1]:1"),
            Err(DropReason::NoRoute)
        );
    }
}
