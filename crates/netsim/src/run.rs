//! Driving a [`Network`]: the event loop with its jumping virtual clock, and the routing of
//! datagrams hop by hop (host link up, zone router, NAT translation, link down, host).
//!
//! One [`Network::step`]: drain endpoints that got input, jump the clock to the earliest pending
//! arrival or endpoint deadline, deliver every datagram due by then (those scheduled before the
//! step; zero-delay follow-ups go to the next step at the same instant), drain again, fire due
//! timeouts, drain again. Hosts are visited in id order and arrivals in (time, scheduling) order,
//! so nothing depends on hash order.

use std::time::{Duration, Instant};

use rtcpeer_types::{Protocol, Receive, Transmit};

use crate::network::{Hop, Network, Owner, Packet, Target};
use crate::packet;
use crate::topology::{Direction, HostId, IfaceId, NatId, Zone};
use crate::trace::{DropReason, PacketInfo, Place, TraceKind};

/// Transmits taken from one endpoint per drain before moving on (a runaway endpoint then shows
/// up as a stall instead of a hang).
const MAX_DRAIN: usize = 1 << 20;

/// When a run gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// At this virtual instant.
    At(Instant),
    /// After this much virtual time from the start of the run.
    After(Duration),
}

impl From<Instant> for Deadline {
    fn from(at: Instant) -> Self {
        Deadline::At(at)
    }
}

impl From<Duration> for Deadline {
    fn from(d: Duration) -> Self {
        Deadline::After(d)
    }
}

/// Why a run stopped without its condition holding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The deadline came first (the clock now stands at the deadline).
    #[error("netsim: deadline reached at t+{at:?} before the condition held")]
    Deadline {
        /// Virtual time since the start.
        at: Duration,
    },
    /// Nothing is in flight and no endpoint has a deadline, so nothing can change any more.
    #[error(
        "netsim: network idle at t+{at:?} (nothing in flight, no timeouts) before the condition held"
    )]
    Idle {
        /// Virtual time since the start.
        at: Duration,
    },
    /// Too many steps without the clock advancing: an endpoint keeps asking for a timeout at
    /// or before now, or endpoints ping-pong over zero-delay links forever.
    #[error("netsim: stalled at t+{at:?} after {steps} steps without virtual time advancing")]
    Stalled {
        /// Virtual time since the start.
        at: Duration,
        /// Steps taken at that instant.
        steps: u64,
    },
}

impl Network {
    /// One step of the simulation. Returns `Ok(false)` if nothing was pending (the clock did not
    /// move), `Ok(true)` otherwise.
    pub fn step(&mut self) -> Result<bool, RunError> {
        self.drain_all();
        let Some(next) = self.next_event() else {
            return Ok(false);
        };
        if next > self.now {
            self.now = next;
            self.stalled_steps = 0;
        } else {
            self.stalled_steps += 1;
            if self.stalled_steps >= self.stall_limit {
                return Err(RunError::Stalled {
                    at: self.elapsed(),
                    steps: self.stalled_steps,
                });
            }
        }
        let now = self.now;
        let scheduled_before = self.seq;
        while let Some(entry) = self.queue.first_entry() {
            let &(at, seq) = entry.key();
            if at > now || seq >= scheduled_before {
                break;
            }
            let hop = entry.remove();
            self.arrive(hop);
        }
        self.drain_all();
        self.run_tcp_timers(now);
        self.drain_all();
        for i in 0..self.hosts.len() {
            let host = &mut self.hosts[i];
            if host.timeout.is_some_and(|t| t <= now) {
                host.timeout = None;
                host.dirty = true;
                host.stats.timeouts += 1;
                host.endpoint.handle_timeout(now);
                if self.tracing() {
                    self.emit(TraceKind::Timeout {
                        host: HostId::new(i as u64),
                    });
                }
            }
        }
        self.drain_all();
        Ok(true)
    }

    /// Runs until `done` holds (checked before every step), or fails at the deadline, when the
    /// network goes idle, or when it stalls. On a deadline the clock stops at the deadline.
    pub fn run_until(
        &mut self,
        mut done: impl FnMut(&mut Network) -> bool,
        deadline: impl Into<Deadline>,
    ) -> Result<(), RunError> {
        let deadline = self.deadline(deadline.into());
        loop {
            if done(self) {
                return Ok(());
            }
            self.drain_all();
            match self.next_event() {
                None => return Err(RunError::Idle { at: self.elapsed() }),
                Some(t) if t > deadline => {
                    self.now = self.now.max(deadline);
                    return Err(RunError::Deadline { at: self.elapsed() });
                }
                Some(_) => {
                    self.step()?;
                }
            }
        }
    }

    /// Runs for `duration` of virtual time: everything due by then happens, and the clock ends
    /// exactly `duration` later. Fails only if the network stalls.
    pub fn run_for(&mut self, duration: Duration) -> Result<(), RunError> {
        let deadline = self.now + duration;
        match self.run_until(|_| false, deadline) {
            Err(RunError::Deadline { .. }) => Ok(()),
            Err(RunError::Idle { .. }) => {
                self.now = deadline;
                Ok(())
            }
            other => other,
        }
    }

    /// Runs until nothing is in flight and no endpoint has a deadline; fails at the deadline.
    pub fn run_until_idle(&mut self, deadline: impl Into<Deadline>) -> Result<(), RunError> {
        match self.run_until(|_| false, deadline) {
            Err(RunError::Idle { .. }) => Ok(()),
            other => other,
        }
    }

    fn deadline(&self, d: Deadline) -> Instant {
        match d {
            Deadline::At(at) => at,
            Deadline::After(d) => self.now + d,
        }
    }

    /// The earliest pending arrival or endpoint deadline (not earlier than now).
    fn next_event(&self) -> Option<Instant> {
        let arrival = self.queue.keys().next().map(|&(at, _)| at);
        let timeout = self.hosts.iter().filter_map(|h| h.timeout).min();
        let next = [arrival, timeout, self.tcp.next_timer()]
            .into_iter()
            .flatten()
            .min()?;
        Some(next.max(self.now))
    }

    /// Drains every host that got input: sends its transmits and re-reads its deadline.
    fn drain_all(&mut self) {
        for i in 0..self.hosts.len() {
            if self.hosts[i].dirty {
                self.drain(HostId::new(i as u64));
            }
        }
    }

    fn drain(&mut self, id: HostId) {
        let i = id.get() as usize;
        let now = self.now;
        let mut drained = false;
        for _ in 0..MAX_DRAIN {
            let Some(host) = self.hosts.get_mut(i) else {
                return;
            };
            let Some(t) = host.endpoint.poll_transmit(now) else {
                drained = true;
                break;
            };
            self.send(id, t);
        }
        for _ in 0..MAX_DRAIN {
            let Some(host) = self.hosts.get_mut(i) else {
                return;
            };
            let Some(command) = host.endpoint.poll_tcp_command(now) else {
                break;
            };
            self.tcp_command(id, command);
        }
        if let Some(host) = self.hosts.get_mut(i) {
            host.dirty = !drained;
            host.timeout = host.endpoint.poll_timeout();
        }
    }

    /// Takes a transmit from a host onto its interface's link (or back to itself); TCP bytes of
    /// a simulated connection go into its stream ([`crate::tcp`]).
    fn send(&mut self, host: HostId, t: Transmit) {
        self.stats.sent += 1;
        if let Some(h) = self.hosts.get_mut(host.get() as usize) {
            h.stats.sent += 1;
        }
        if t.protocol != Protocol::Udp && self.tcp_write(host, &t) {
            return;
        }
        let id = self.next_packet;
        self.next_packet += 1;
        let packet = Packet {
            id,
            protocol: t.protocol,
            source: t.source,
            destination: t.destination,
            contents: t.contents,
            tcp: None,
        };
        self.send_packet(host, packet, None);
    }

    /// Sends a packet from a host: its source is resolved (an unspecified one becomes the host's
    /// first address of its family) unless `resolved` gives it already.
    pub(crate) fn send_packet(
        &mut self,
        host: HostId,
        mut packet: Packet,
        resolved: Option<std::net::SocketAddr>,
    ) {
        let source = self.resolve_source(host, resolved.unwrap_or(packet.source));
        if let Some((s, _)) = source {
            packet.source = s;
        }
        if self.tracing() {
            self.emit(TraceKind::Sent {
                host,
                packet: packet.info(),
            });
        }
        let Some((_, iface)) = source else {
            if let Some(h) = self.hosts.get_mut(host.get() as usize) {
                h.stats.dropped_bad_source += 1;
            }
            return self.drop_packet(Place::Host(host), DropReason::BadSource, &packet);
        };
        let ipv4 = packet.source.is_ipv4();
        if ipv4 != packet.destination.is_ipv4() || packet.destination.ip().is_unspecified() {
            return self.drop_packet(Place::Host(host), DropReason::NoRoute, &packet);
        }
        if packet.protocol == Protocol::Udp
            && !packet::fits_ip(packet.protocol, ipv4, packet.contents.len())
        {
            return self.drop_packet(Place::Host(host), DropReason::Mtu, &packet);
        }
        if self.host_addrs(host).contains(&packet.destination.ip()) {
            let now = self.now;
            return self.schedule(
                now,
                Hop {
                    target: Target::Loopback(host),
                    via: None,
                    packet,
                },
            );
        }
        let (link, zone) = match self.ifaces.get(iface.get() as usize) {
            Some(i) => (i.link, i.zone),
            None => return,
        };
        self.offer(link, Direction::Up, Target::Zone(zone), packet);
    }

    /// The host's source address (an unspecified one becomes the first address of its family)
    /// and the interface that has it.
    pub(crate) fn resolve_source(
        &self,
        host: HostId,
        source: std::net::SocketAddr,
    ) -> Option<(std::net::SocketAddr, IfaceId)> {
        let ip = source.ip();
        self.interfaces(host).iter().find_map(|&i| {
            let iface = self.ifaces.get(i.get() as usize)?;
            let addr = if ip.is_unspecified() {
                *iface.addrs.iter().find(|a| a.is_ipv4() == ip.is_ipv4())?
            } else {
                *iface.addrs.iter().find(|&&a| a == ip)?
            };
            Some((std::net::SocketAddr::new(addr, source.port()), i))
        })
    }

    /// Offers a datagram to one direction of a link and schedules its arrival(s) at `target`.
    fn offer(&mut self, link: usize, dir: Direction, target: Target, packet: Packet) {
        let ipv4 = packet.source.is_ipv4();
        let wire = packet::wire_len(packet.protocol, ipv4, packet.contents.len());
        let reliable = packet.protocol != Protocol::Udp;
        let now = self.now;
        let Some(pair) = self.links.get_mut(link) else {
            return;
        };
        let link_id = pair.id;
        let place = Place::Link(link_id, dir);
        let syn = packet.tcp.is_some_and(crate::tcp::Segment::is_syn);
        if pair.firewall.blocks(packet.protocol, dir, syn) {
            pair.dir(dir).stats.dropped_firewall += 1;
            return self.drop_packet(place, DropReason::Firewall, &packet);
        }
        let result = pair.dir(dir).offer(now, wire, reliable);
        if !matches!(result, Err(DropReason::Mtu)) {
            self.capture(link, &packet);
        }
        match result {
            Err(reason) => self.drop_packet(place, reason, &packet),
            Ok(arrivals) => {
                if let Some(at) = arrivals.copy {
                    self.stats.duplicated += 1;
                    if self.tracing() {
                        self.emit(TraceKind::Duplicated {
                            place,
                            packet: packet.info(),
                        });
                    }
                    let copy = Hop {
                        target,
                        via: Some((link, dir)),
                        packet: packet.clone(),
                    };
                    self.schedule(at, copy);
                }
                let hop = Hop {
                    target,
                    via: Some((link, dir)),
                    packet,
                };
                self.schedule(arrivals.first, hop);
            }
        }
    }

    fn schedule(&mut self, at: Instant, hop: Hop) {
        self.queue.insert((at, self.seq), hop);
        self.seq += 1;
    }

    fn capture(&mut self, link: usize, p: &Packet) {
        let Some(cap) = &mut self.capture else {
            return;
        };
        if !cap.wants(link) {
            return;
        }
        let ip_id = (p.id & 0xffff) as u16;
        if let Some(bytes) = packet::build(p.protocol, p.source, p.destination, &p.contents, ip_id)
        {
            cap.record(self.now - self.start, &bytes);
        }
    }

    pub(crate) fn drop_packet(&mut self, place: Place, reason: DropReason, packet: &Packet) {
        self.stats.count_drop(reason);
        if self.tracing() {
            self.emit(TraceKind::Dropped {
                place,
                reason,
                packet: packet.info(),
            });
        }
    }

    /// A scheduled datagram reached the end of a link.
    fn arrive(&mut self, hop: Hop) {
        if let Some((link, dir)) = hop.via
            && let Some(pair) = self.links.get_mut(link)
        {
            let l = pair.dir(dir);
            l.stats.delivered += 1;
            l.stats.bytes_delivered += packet::wire_len(
                hop.packet.protocol,
                hop.packet.source.is_ipv4(),
                hop.packet.contents.len(),
            ) as u64;
        }
        match hop.target {
            Target::Zone(zone) => self.route(zone, hop.packet, true),
            Target::Iface(iface) => {
                if let Some(host) = self.ifaces.get(iface.get() as usize).map(|i| i.host) {
                    self.deliver(host, hop.packet);
                }
            }
            Target::Loopback(host) => self.deliver(host, hop.packet),
            Target::NatOutside(nat) => self.nat_inbound(nat, hop.packet),
        }
    }

    /// Routes a datagram in a zone: to the interface or NAT that owns its destination, or out
    /// through the zone's NAT (only for datagrams from inside the zone).
    fn route(&mut self, zone: Zone, packet: Packet, from_inside: bool) {
        let owner = self
            .table(zone)
            .and_then(|t| t.get(&packet.destination.ip()).copied());
        match owner {
            Some(Owner::Iface(i)) => {
                if let Some(link) = self.ifaces.get(i.get() as usize).map(|i| i.link) {
                    self.offer(link, Direction::Down, Target::Iface(i), packet);
                }
            }
            Some(Owner::Nat(n)) => {
                if let Some(link) = self.nats.get(n.get() as usize).map(|n| n.link) {
                    self.offer(link, Direction::Down, Target::NatOutside(n), packet);
                }
            }
            None => match zone {
                Zone::Nat(n) if from_inside => self.nat_outbound(n, packet),
                _ => self.drop_packet(Place::Zone(zone), DropReason::NoRoute, &packet),
            },
        }
    }

    /// A datagram leaves a NAT's private zone.
    fn nat_outbound(&mut self, n: NatId, mut packet: Packet) {
        let now = self.now;
        let Some(node) = self.nats.get_mut(n.get() as usize) else {
            return;
        };
        let before = packet.clone();
        let result =
            node.nat
                .outbound(now, packet.protocol, &mut packet.source, packet.destination);
        let (link, parent) = (node.link, node.zone);
        match result {
            Err(reason) => self.drop_packet(Place::Nat(n), reason, &packet),
            Ok(kind) => {
                if self.tracing() {
                    self.emit(TraceKind::Translated {
                        nat: n,
                        before: before.info(),
                        after: packet.info(),
                    });
                }
                match kind {
                    crate::nat::Outbound::Forward => {
                        self.offer(link, Direction::Up, Target::Zone(parent), packet);
                    }
                    crate::nat::Outbound::Hairpin => self.nat_inbound(n, packet),
                }
            }
        }
    }

    /// A datagram reaches a NAT's external address (from outside, or hairpinned from inside).
    fn nat_inbound(&mut self, n: NatId, mut packet: Packet) {
        let now = self.now;
        let Some(node) = self.nats.get_mut(n.get() as usize) else {
            return;
        };
        let before = packet.clone();
        let result = node
            .nat
            .inbound(now, packet.protocol, packet.source, &mut packet.destination);
        match result {
            Err(reason) => self.drop_packet(Place::Nat(n), reason, &packet),
            Ok(()) => {
                if self.tracing() {
                    self.emit(TraceKind::Translated {
                        nat: n,
                        before: before.info(),
                        after: packet.info(),
                    });
                }
                self.route(Zone::Nat(n), packet, false);
            }
        }
    }

    /// A packet reached a host: a datagram for its endpoint, or a segment of a simulated TCP
    /// connection.
    fn deliver(&mut self, host: HostId, packet: Packet) {
        if packet.tcp.is_some() {
            return self.tcp_arrive(host, packet);
        }
        let id = packet.id;
        self.hand_over(
            host,
            id,
            Receive {
                protocol: packet.protocol,
                source: packet.source,
                destination: packet.destination,
                contents: packet.contents,
            },
        );
    }

    /// Hands a datagram (or a piece of a TCP stream) to a host's endpoint; `id` is the packet
    /// that brought it, for the trace.
    pub(crate) fn hand_over(&mut self, host: HostId, id: u64, rx: Receive) {
        let now = self.now;
        let info = self.tracing().then(|| PacketInfo {
            id,
            protocol: rx.protocol,
            source: rx.source,
            destination: rx.destination,
            len: rx.contents.len(),
            digest: crate::trace::digest(&rx.contents),
        });
        let Some(h) = self.hosts.get_mut(host.get() as usize) else {
            return;
        };
        h.stats.received += 1;
        h.dirty = true;
        h.endpoint.handle_receive(now, rx);
        self.stats.delivered += 1;
        if let Some(packet) = info {
            self.emit(TraceKind::Delivered { host, packet });
        }
    }
}
