//! [`Network`]: the simulated world. This file owns its topology (hosts, interfaces, NATs,
//! zones, links), setting it up, and reading its state (endpoints, statistics, NAT mappings,
//! traces, captures). Driving it (the event loop and routing) is in [`crate::run`].

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtcpeer_types::{Protocol, Rng};

use crate::capture::{Capture, CaptureScope};
use crate::conditions::LinkConditions;
use crate::endpoint::Endpoint;
use crate::firewall::Firewall;
use crate::link::Link;
use crate::nat::{Nat, NatConfig, NatMapping};
use crate::stats::{HostStats, LinkStats, NatStats, NetStats};
use crate::tcp::{Segment, TcpState};
use crate::topology::{Direction, HostId, IfaceId, LinkId, NatId, Zone};
use crate::trace::{PacketInfo, TraceEvent, TraceKind, digest};

/// Trace events printed when a test panics with trace recording on.
const PANIC_TRACE_TAIL: usize = 50;

/// Consecutive steps without virtual time advancing before [`RunError::Stalled`](crate::RunError).
pub(crate) const DEFAULT_STALL_LIMIT: u64 = 1_000_000;

/// Why the topology could not be changed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// No such host.
    #[error("unknown host {0}")]
    UnknownHost(HostId),
    /// No such interface.
    #[error("unknown interface {0}")]
    UnknownIface(IfaceId),
    /// No such NAT (also for a [`Zone::Nat`] that does not exist).
    #[error("unknown NAT {0}")]
    UnknownNat(NatId),
    /// An interface needs at least one address.
    #[error("an interface needs at least one address")]
    NoAddress,
    /// The address is unspecified, multicast or otherwise not a unicast host address.
    #[error("{0} is not a unicast address")]
    NotUnicast(IpAddr),
    /// Another interface or NAT in the zone, or another interface of the host, has the address.
    #[error("{addr} is already in use in {zone:?}")]
    AddressInUse {
        /// The address.
        addr: IpAddr,
        /// The zone.
        zone: Zone,
    },
    /// The NAT's port range is empty.
    #[error("the NAT port range is empty")]
    EmptyPortRange,
}

/// A callback for every trace event.
pub(crate) type TraceHook = Box<dyn FnMut(&TraceEvent)>;

/// Who owns an address in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Iface(IfaceId),
    Nat(NatId),
}

pub(crate) struct Host {
    pub(crate) name: String,
    pub(crate) endpoint: Box<dyn Endpoint>,
    pub(crate) ifaces: Vec<IfaceId>,
    /// The endpoint's last reported deadline.
    pub(crate) timeout: Option<Instant>,
    /// The endpoint got input since it was last drained.
    pub(crate) dirty: bool,
    pub(crate) stats: HostStats,
}

pub(crate) struct Iface {
    pub(crate) host: HostId,
    pub(crate) zone: Zone,
    pub(crate) addrs: Vec<IpAddr>,
    pub(crate) link: usize,
}

pub(crate) struct NatNode {
    pub(crate) name: String,
    /// The zone its external side is in.
    pub(crate) zone: Zone,
    pub(crate) nat: Nat,
    pub(crate) link: usize,
    /// Routing table of its private zone.
    pub(crate) inside: BTreeMap<IpAddr, Owner>,
}

pub(crate) struct LinkPair {
    pub(crate) id: LinkId,
    pub(crate) up: Link,
    pub(crate) down: Link,
    pub(crate) firewall: Firewall,
}

impl LinkPair {
    pub(crate) fn dir(&mut self, d: Direction) -> &mut Link {
        match d {
            Direction::Up => &mut self.up,
            Direction::Down => &mut self.down,
        }
    }
}

/// A datagram in flight.
#[derive(Debug, Clone)]
pub(crate) struct Packet {
    pub(crate) id: u64,
    pub(crate) protocol: Protocol,
    pub(crate) source: SocketAddr,
    pub(crate) destination: SocketAddr,
    pub(crate) contents: Bytes,
    /// A segment of a simulated TCP connection ([`crate::tcp`]); `None` for datagrams.
    pub(crate) tcp: Option<Segment>,
}

impl Packet {
    pub(crate) fn info(&self) -> PacketInfo {
        PacketInfo {
            id: self.id,
            protocol: self.protocol,
            source: self.source,
            destination: self.destination,
            len: self.contents.len(),
            digest: digest(&self.contents),
        }
    }
}

/// Where a datagram in flight is going next.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// A zone's router, arriving from a child below.
    Zone(Zone),
    /// A host interface (deliver to the endpoint).
    Iface(IfaceId),
    /// A NAT's external side.
    NatOutside(NatId),
    /// Back to the sending host (it sent to one of its own addresses).
    Loopback(HostId),
}

/// A scheduled arrival.
#[derive(Debug)]
pub(crate) struct Hop {
    pub(crate) target: Target,
    /// The link (index, direction) it crossed, for delivery counts.
    pub(crate) via: Option<(usize, Direction)>,
    pub(crate) packet: Packet,
}

/// The simulated network: hosts running [`Endpoint`]s, NATs, links with impairments, and a
/// virtual clock that jumps to the next event.
///
/// All randomness comes from one [`Rng`] seeded with the seed given at creation; links and NATs
/// get generators forked from it when they are created, and every collection is ordered, so the
/// same seed and the same setup replay the same run. If the thread panics while the network is
/// alive (a failing test), dropping it prints the seed and the virtual time, and the last trace
/// events if recording was on.
///
/// ```
/// use std::time::Duration;
/// use rtcpeer_netsim::{Echo, LinkConditions, NatConfig, Network, Probe, Zone, probe::udp};
///
/// let mut net = Network::new(rtcpeer_netsim::seed());
/// let nat = net.add_nat("home", Zone::Internet, NatConfig::port_restricted_cone("203.0.113.1".parse()?))?;
/// let client = net.add_host("client", Zone::Nat(nat), &["10.0.0.2".parse()?], Probe::new())?;
/// let server = net.add_host("stun", Zone::Internet, &["192.0.2.1".parse()?], Echo::new())?;
/// net.set_link(client, LinkConditions::with_delay(Duration::from_millis(20)))?;
///
/// net.endpoint_mut::<Probe>(client).unwrap()
///     .send(udp("10.0.0.2:5000".parse()?, "192.0.2.1:3478".parse()?, "hello"));
/// net.run_until(|n| !n.endpoint::<Probe>(client).unwrap().received().is_empty(), Duration::from_secs(1))?;
///
/// let (_, reply) = &net.endpoint::<Probe>(client).unwrap().received()[0];
/// assert_eq!(Echo::decode(&reply.contents), Some("203.0.113.1:5000".parse()?));
/// assert_eq!(net.elapsed(), Duration::from_millis(40));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Network {
    pub(crate) seed: u64,
    pub(crate) rng: Rng,
    pub(crate) start: Instant,
    pub(crate) now: Instant,
    pub(crate) hosts: Vec<Host>,
    pub(crate) ifaces: Vec<Iface>,
    pub(crate) nats: Vec<NatNode>,
    /// Routing table of the Internet zone.
    pub(crate) internet: BTreeMap<IpAddr, Owner>,
    pub(crate) links: Vec<LinkPair>,
    /// Datagrams in flight, by arrival time and then scheduling order.
    pub(crate) queue: BTreeMap<(Instant, u64), Hop>,
    pub(crate) seq: u64,
    pub(crate) next_packet: u64,
    pub(crate) stats: NetStats,
    pub(crate) trace: Option<Vec<TraceEvent>>,
    pub(crate) hook: Option<TraceHook>,
    pub(crate) capture: Option<Capture>,
    pub(crate) stall_limit: u64,
    pub(crate) stalled_steps: u64,
    pub(crate) tcp: TcpState,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("seed", &self.seed)
            .field("elapsed", &self.elapsed())
            .field("hosts", &self.hosts.len())
            .field("nats", &self.nats.len())
            .field("in_flight", &self.queue.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Network {
    /// An empty network seeded with `seed`, its clock starting now (the one real-clock read,
    /// [`crate::clock::start_instant`]). Use [`crate::seed()`] for a seed that `NETSIM_SEED` can fix.
    pub fn new(seed: u64) -> Self {
        Self::with_start(seed, crate::clock::start_instant())
    }

    /// An empty network seeded with `seed` whose virtual clock starts at `start`.
    pub fn with_start(seed: u64, start: Instant) -> Self {
        Network {
            seed,
            rng: Rng::from_seed(seed),
            start,
            now: start,
            hosts: Vec::new(),
            ifaces: Vec::new(),
            nats: Vec::new(),
            internet: BTreeMap::new(),
            links: Vec::new(),
            queue: BTreeMap::new(),
            seq: 0,
            next_packet: 0,
            stats: NetStats::default(),
            trace: None,
            hook: None,
            capture: None,
            stall_limit: DEFAULT_STALL_LIMIT,
            stalled_steps: 0,
            tcp: TcpState::new(seed),
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The instant the simulation started at.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Virtual time elapsed since the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// A generator forked from the network's, to seed an endpoint's machine reproducibly.
    pub fn fork_rng(&mut self) -> Rng {
        self.rng.fork()
    }

    /// Sets how many consecutive steps may pass without virtual time advancing before a run
    /// reports [`RunError::Stalled`](crate::RunError::Stalled) (default one million).
    pub fn set_stall_limit(&mut self, steps: u64) {
        self.stall_limit = steps.max(1);
    }

    // ---- topology ------------------------------------------------------------------------

    /// Adds a NAT whose external side (with `config.external`) is in `zone`. Its private zone is
    /// `Zone::Nat(id)`; its link (external side to `zone`) starts perfect.
    pub fn add_nat(
        &mut self,
        name: &str,
        zone: Zone,
        config: NatConfig,
    ) -> Result<NatId, SetupError> {
        if config.ports.is_empty() {
            return Err(SetupError::EmptyPortRange);
        }
        self.check_addrs(zone, None, &[config.external])?;
        let id = NatId::new(self.nats.len() as u64);
        let link = self.new_link(LinkId::Nat(id));
        let external = config.external;
        let nat = Nat::new(config, self.rng.fork());
        self.nats.push(NatNode {
            name: name.to_owned(),
            zone,
            nat,
            link,
            inside: BTreeMap::new(),
        });
        if let Some(table) = self.table_mut(zone) {
            table.insert(external, Owner::Nat(id));
        }
        Ok(id)
    }

    /// Adds a host running `endpoint`, with one interface in `zone` holding `addrs`.
    pub fn add_host(
        &mut self,
        name: &str,
        zone: Zone,
        addrs: &[IpAddr],
        endpoint: impl Endpoint,
    ) -> Result<HostId, SetupError> {
        self.check_addrs(zone, None, addrs)?;
        let id = HostId::new(self.hosts.len() as u64);
        self.hosts.push(Host {
            name: name.to_owned(),
            endpoint: Box::new(endpoint),
            ifaces: Vec::new(),
            timeout: None,
            dirty: true,
            stats: HostStats::default(),
        });
        self.add_interface(id, zone, addrs)?;
        Ok(id)
    }

    /// Adds an interface to `host` in `zone` with `addrs` (for multi-homed hosts, e.g. IPv4
    /// behind a NAT and public IPv6). Its link starts perfect.
    pub fn add_interface(
        &mut self,
        host: HostId,
        zone: Zone,
        addrs: &[IpAddr],
    ) -> Result<IfaceId, SetupError> {
        self.check_addrs(zone, Some(host), addrs)?;
        let id = IfaceId::new(self.ifaces.len() as u64);
        let link = self.new_link(LinkId::Iface(id));
        if let Some(table) = self.table_mut(zone) {
            for &a in addrs {
                table.insert(a, Owner::Iface(id));
            }
        }
        self.ifaces.push(Iface {
            host,
            zone,
            addrs: addrs.to_vec(),
            link,
        });
        if let Some(h) = self.hosts.get_mut(host.get() as usize) {
            h.ifaces.push(id);
        }
        Ok(id)
    }

    /// Sets the conditions of both directions of a link (for [`LinkId::Host`], of every interface
    /// of the host).
    pub fn set_link(
        &mut self,
        link: impl Into<LinkId>,
        conditions: LinkConditions,
    ) -> Result<(), SetupError> {
        let link = link.into();
        self.set_link_direction(link, Direction::Up, conditions.clone())?;
        self.set_link_direction(link, Direction::Down, conditions)
    }

    /// Sets the conditions of one direction of a link.
    pub fn set_link_direction(
        &mut self,
        link: impl Into<LinkId>,
        direction: Direction,
        conditions: LinkConditions,
    ) -> Result<(), SetupError> {
        for i in self.link_indices(link.into())? {
            if let Some(l) = self.links.get_mut(i) {
                l.dir(direction).set_conditions(conditions.clone());
            }
        }
        Ok(())
    }

    /// Sets the firewall of a link (for [`LinkId::Host`], of every interface of the host),
    /// replacing the one it had.
    pub fn set_firewall(
        &mut self,
        link: impl Into<LinkId>,
        firewall: Firewall,
    ) -> Result<(), SetupError> {
        for i in self.link_indices(link.into())? {
            if let Some(l) = self.links.get_mut(i) {
                l.firewall = firewall.clone();
            }
        }
        Ok(())
    }

    /// The conditions of one direction of a link (of the first interface, for a host).
    pub fn link_conditions(
        &self,
        link: impl Into<LinkId>,
        direction: Direction,
    ) -> Option<LinkConditions> {
        let i = *self.link_indices(link.into()).ok()?.first()?;
        let l = self.links.get(i)?;
        Some(match direction {
            Direction::Up => l.up.conditions().clone(),
            Direction::Down => l.down.conditions().clone(),
        })
    }

    // ---- endpoints and state ---------------------------------------------------------------

    /// The endpoint of `host`, if it is a `T`.
    pub fn endpoint<T: Endpoint>(&self, host: HostId) -> Option<&T> {
        let h = self.hosts.get(host.get() as usize)?;
        let any: &dyn Any = h.endpoint.as_ref();
        any.downcast_ref()
    }

    /// The endpoint of `host`, if it is a `T`, to command it. The network drains its transmits
    /// and re-reads its timeout before the next step.
    pub fn endpoint_mut<T: Endpoint>(&mut self, host: HostId) -> Option<&mut T> {
        let h = self.hosts.get_mut(host.get() as usize)?;
        h.dirty = true;
        let any: &mut dyn Any = h.endpoint.as_mut();
        any.downcast_mut()
    }

    /// The name a host was added with.
    pub fn host_name(&self, host: HostId) -> Option<&str> {
        Some(self.hosts.get(host.get() as usize)?.name.as_str())
    }

    /// The interfaces of a host, in the order they were added.
    pub fn interfaces(&self, host: HostId) -> &[IfaceId] {
        self.hosts
            .get(host.get() as usize)
            .map_or(&[], |h| h.ifaces.as_slice())
    }

    /// Every address of a host, interface by interface.
    pub fn host_addrs(&self, host: HostId) -> Vec<IpAddr> {
        self.interfaces(host)
            .iter()
            .filter_map(|i| self.ifaces.get(i.get() as usize))
            .flat_map(|i| i.addrs.iter().copied())
            .collect()
    }

    /// The name a NAT was added with.
    pub fn nat_name(&self, nat: NatId) -> Option<&str> {
        Some(self.nats.get(nat.get() as usize)?.name.as_str())
    }

    /// A NAT's configuration (its external address is `config.external`).
    pub fn nat_config(&self, nat: NatId) -> Option<&NatConfig> {
        Some(self.nats.get(nat.get() as usize)?.nat.config())
    }

    /// A NAT's live mappings at the current virtual time.
    pub fn nat_mappings(&self, nat: NatId) -> Vec<NatMapping> {
        self.nats
            .get(nat.get() as usize)
            .map_or_else(Vec::new, |n| n.nat.mappings(self.now))
    }

    /// Totals over the whole network.
    pub fn stats(&self) -> NetStats {
        self.stats
    }

    /// Counters of one direction of a link (summed over the interfaces for [`LinkId::Host`]).
    pub fn link_stats(&self, link: impl Into<LinkId>, direction: Direction) -> Option<LinkStats> {
        let mut sum = LinkStats::default();
        for i in self.link_indices(link.into()).ok()? {
            let l = self.links.get(i)?;
            sum += match direction {
                Direction::Up => l.up.stats,
                Direction::Down => l.down.stats,
            };
        }
        Some(sum)
    }

    /// Counters of a host.
    pub fn host_stats(&self, host: HostId) -> Option<HostStats> {
        Some(self.hosts.get(host.get() as usize)?.stats)
    }

    /// Counters of a NAT.
    pub fn nat_stats(&self, nat: NatId) -> Option<NatStats> {
        Some(self.nats.get(nat.get() as usize)?.nat.stats)
    }

    /// Datagrams in flight.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    // ---- tracing and capture -----------------------------------------------------------------

    /// Starts (`true`) or stops (`false`, discarding it) recording the event log.
    pub fn record_trace(&mut self, on: bool) {
        self.trace = on.then(Vec::new);
    }

    /// The recorded events (empty unless [`record_trace`](Self::record_trace) is on).
    pub fn trace(&self) -> &[TraceEvent] {
        self.trace.as_deref().unwrap_or_default()
    }

    /// Takes the recorded events, leaving recording on if it was.
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        self.trace.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Calls `hook` with every event as it happens (replacing any previous hook).
    pub fn set_trace_hook(&mut self, hook: impl FnMut(&TraceEvent) + 'static) {
        self.hook = Some(Box::new(hook));
    }

    /// Removes the trace hook.
    pub fn clear_trace_hook(&mut self) {
        self.hook = None;
    }

    /// Starts writing a pcap capture (replacing any running one, which is finished first and its
    /// result discarded). Write errors stop the capture and are reported by
    /// [`finish_capture`](Self::finish_capture).
    pub fn start_capture(
        &mut self,
        writer: impl Write + 'static,
        scope: CaptureScope,
    ) -> io::Result<()> {
        let links = match scope {
            CaptureScope::Everywhere => None,
            CaptureScope::Links(ids) => {
                let mut set = BTreeSet::new();
                for id in ids {
                    let idx = self
                        .link_indices(id)
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
                    set.extend(idx);
                }
                Some(set)
            }
        };
        if let Some(old) = self.capture.take() {
            let _ = old.finish();
        }
        self.capture = Some(Capture::new(Box::new(writer), links)?);
        Ok(())
    }

    /// Stops the capture, flushes it and returns how many packets it recorded (0 if none ran),
    /// or the first write error.
    pub fn finish_capture(&mut self) -> io::Result<u64> {
        self.capture.take().map_or(Ok(0), Capture::finish)
    }

    // ---- internals -----------------------------------------------------------------------------

    fn new_link(&mut self, id: LinkId) -> usize {
        let up = Link::new(self.rng.fork());
        let down = Link::new(self.rng.fork());
        self.links.push(LinkPair {
            id,
            up,
            down,
            firewall: Firewall::default(),
        });
        self.links.len() - 1
    }

    pub(crate) fn table(&self, zone: Zone) -> Option<&BTreeMap<IpAddr, Owner>> {
        match zone {
            Zone::Internet => Some(&self.internet),
            Zone::Nat(n) => self.nats.get(n.get() as usize).map(|n| &n.inside),
        }
    }

    fn table_mut(&mut self, zone: Zone) -> Option<&mut BTreeMap<IpAddr, Owner>> {
        match zone {
            Zone::Internet => Some(&mut self.internet),
            Zone::Nat(n) => self.nats.get_mut(n.get() as usize).map(|n| &mut n.inside),
        }
    }

    /// Checks that `addrs` can be added to `zone` (for `host`, if it already exists).
    fn check_addrs(
        &self,
        zone: Zone,
        host: Option<HostId>,
        addrs: &[IpAddr],
    ) -> Result<(), SetupError> {
        let table = match zone {
            Zone::Internet => &self.internet,
            Zone::Nat(n) => {
                &self
                    .nats
                    .get(n.get() as usize)
                    .ok_or(SetupError::UnknownNat(n))?
                    .inside
            }
        };
        if let Some(h) = host
            && self.hosts.get(h.get() as usize).is_none()
        {
            return Err(SetupError::UnknownHost(h));
        }
        if addrs.is_empty() {
            return Err(SetupError::NoAddress);
        }
        let own = host.map(|h| self.host_addrs(h)).unwrap_or_default();
        for (i, &addr) in addrs.iter().enumerate() {
            if addr.is_unspecified() || addr.is_multicast() || is_broadcast(addr) {
                return Err(SetupError::NotUnicast(addr));
            }
            let nat_external = match zone {
                Zone::Nat(n) => self
                    .nats
                    .get(n.get() as usize)
                    .is_some_and(|n| n.nat.external_ip() == addr),
                Zone::Internet => false,
            };
            if table.contains_key(&addr)
                || own.contains(&addr)
                || addrs
                    .get(..i)
                    .is_some_and(|earlier| earlier.contains(&addr))
                || nat_external
            {
                return Err(SetupError::AddressInUse { addr, zone });
            }
        }
        Ok(())
    }

    /// The link indices a [`LinkId`] names.
    pub(crate) fn link_indices(&self, link: LinkId) -> Result<Vec<usize>, SetupError> {
        match link {
            LinkId::Iface(i) => self
                .ifaces
                .get(i.get() as usize)
                .map(|i| vec![i.link])
                .ok_or(SetupError::UnknownIface(i)),
            LinkId::Nat(n) => self
                .nats
                .get(n.get() as usize)
                .map(|n| vec![n.link])
                .ok_or(SetupError::UnknownNat(n)),
            LinkId::Host(h) => {
                let host = self
                    .hosts
                    .get(h.get() as usize)
                    .ok_or(SetupError::UnknownHost(h))?;
                Ok(host
                    .ifaces
                    .iter()
                    .filter_map(|i| self.ifaces.get(i.get() as usize))
                    .map(|i| i.link)
                    .collect())
            }
        }
    }

    /// Records a trace event (log, hook, `tracing`).
    pub(crate) fn emit(&mut self, kind: TraceKind) {
        let event = TraceEvent {
            at: self.elapsed(),
            kind,
        };
        tracing::trace!(target: "netsim", "{}", crate::trace::Redacted(&event));
        if let Some(t) = &mut self.trace {
            t.push(event);
        }
        if let Some(h) = &mut self.hook {
            h(&event);
        }
    }

    /// Whether anyone listens to trace events (building them costs a payload digest).
    pub(crate) fn tracing(&self) -> bool {
        self.trace.is_some()
            || self.hook.is_some()
            || tracing::enabled!(target: "netsim", tracing::Level::TRACE)
    }
}

fn is_broadcast(addr: IpAddr) -> bool {
    matches!(addr, IpAddr::V4(a) if a.is_broadcast())
}

impl Drop for Network {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        eprintln!(
            "{} at virtual time t+{:?}",
            crate::seed::rerun_hint(self.seed),
            self.elapsed()
        );
        let trace = self.trace();
        if !trace.is_empty() {
            let names: Vec<String> = self
                .hosts
                .iter()
                .enumerate()
                .map(|(i, h)| format!("HostId({i})={}", h.name))
                .collect();
            eprintln!(
                "netsim: last {} trace events ({})",
                trace.len().min(PANIC_TRACE_TAIL),
                names.join(", ")
            );
            for e in &trace[trace.len().saturating_sub(PANIC_TRACE_TAIL)..] {
                eprintln!("  {e}");
            }
        }
    }
}
