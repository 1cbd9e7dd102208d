//! Helpers for the simulated-network tests: netsim has no multicast, so a link is modelled as a
//! hub host that copies every datagram sent to an mDNS group to every other host on the link.
//!
//! A host's adapter ([`MdnsHost`]) rewrites a transmit to 224.0.0.251:5353 or [ff02::fb]:5353 into
//! a unicast datagram to the hub; the hub ([`Hub`]) sends a copy to each other member, prefixed
//! with the original source address; the member's adapter strips the prefix and hands its
//! machines a `Receive` from the original source to the group, as a real multicast socket would.
//! Both hops cross the simulated links, so loss and delay apply to multicast too.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use bytes::{BufMut, Bytes, BytesMut};
use rtcpeer_mdns::{Resolver, ResolverEvent, Responder, group_for, is_mdns_group};
use rtcpeer_netsim::{Endpoint, HostId, Network};
use rtcpeer_types::{Protocol, Receive, Transmit};

/// Addresses of the hub host.
pub const HUB_IP: &str = "10.0.0.254";
pub const HUB_IP6: &str = "fd00::fe";
/// Port the hub listens on and sends from.
pub const HUB_PORT: u16 = 5353;

/// The hub's address in the family of `peer`.
pub fn hub_addr(peer: SocketAddr) -> SocketAddr {
    let ip = if peer.is_ipv4() { HUB_IP } else { HUB_IP6 };
    SocketAddr::new(ip.parse().unwrap(), HUB_PORT)
}

pub fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// The original source, in front of the payload: family byte, address, port.
fn encapsulate(source: SocketAddr, payload: &[u8]) -> Bytes {
    let mut b = BytesMut::with_capacity(19 + payload.len());
    match source.ip() {
        IpAddr::V4(a) => {
            b.put_u8(4);
            b.put_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            b.put_u8(6);
            b.put_slice(&a.octets());
        }
    }
    b.put_u16(source.port());
    b.put_slice(payload);
    b.freeze()
}

fn decapsulate(b: &Bytes) -> Option<(SocketAddr, Bytes)> {
    let (ip, rest): (IpAddr, usize) = match *b.first()? {
        4 => (<[u8; 4]>::try_from(b.get(1..5)?).ok()?.into(), 5),
        6 => (<[u8; 16]>::try_from(b.get(1..17)?).ok()?.into(), 17),
        _ => return None,
    };
    let port = u16::from_be_bytes(b.get(rest..rest + 2)?.try_into().ok()?);
    Some((SocketAddr::new(ip, port), b.slice(rest + 2..)))
}

/// The link's multicast: copies what members send to every other member.
#[derive(Debug, Default)]
pub struct Hub {
    /// Member host addresses.
    pub members: Vec<IpAddr>,
    out: Vec<Transmit>,
    /// Datagrams fanned out.
    pub forwarded: u64,
}

impl Hub {
    pub fn new(members: &[IpAddr]) -> Self {
        Hub {
            members: members.to_vec(),
            ..Hub::default()
        }
    }
}

impl Endpoint for Hub {
    fn handle_receive(&mut self, _now: Instant, rx: Receive) {
        self.forwarded += 1;
        let contents = encapsulate(rx.source, &rx.contents);
        for &m in &self.members {
            if m != rx.source.ip() && m.is_ipv4() == rx.source.is_ipv4() {
                self.out.push(Transmit {
                    protocol: Protocol::Udp,
                    source: hub_addr(rx.source),
                    destination: SocketAddr::new(m, HUB_PORT),
                    contents: contents.clone(),
                });
            }
        }
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }
}

/// One host's mDNS machines behind the hub adapter.
#[derive(Debug, Default)]
pub struct MdnsHost {
    pub resolver: Option<Resolver>,
    pub responder: Option<Responder>,
    /// Resolver events with the time they were polled.
    pub events: Vec<(Instant, ResolverEvent)>,
    /// Every datagram handed to the machines (after the hub's unwrapping).
    pub received: Vec<(Instant, Receive)>,
    /// Raw datagrams to send as they are (for injecting garbage).
    pub inject: Vec<Transmit>,
}

impl MdnsHost {
    pub fn resolver(resolver: Resolver) -> Self {
        MdnsHost {
            resolver: Some(resolver),
            ..MdnsHost::default()
        }
    }

    pub fn responder(responder: Responder) -> Self {
        MdnsHost {
            responder: Some(responder),
            ..MdnsHost::default()
        }
    }

    /// Moves the resolver's events into `events`.
    pub fn collect_events(&mut self, now: Instant) {
        if let Some(r) = self.resolver.as_mut() {
            while let Some(e) = r.poll_event() {
                self.events.push((now, e));
            }
        }
    }
}

impl Endpoint for MdnsHost {
    fn handle_receive(&mut self, now: Instant, rx: Receive) {
        let rx = if rx.source == hub_addr(rx.source) {
            let Some((source, contents)) = decapsulate(&rx.contents) else {
                return;
            };
            Receive {
                protocol: rx.protocol,
                source,
                destination: group_for(source),
                contents,
            }
        } else {
            rx
        };
        self.received.push((now, rx.clone()));
        if let Some(r) = self.responder.as_mut() {
            r.handle_receive(now, &rx);
        }
        if let Some(r) = self.resolver.as_mut() {
            r.handle_receive(now, &rx);
        }
        self.collect_events(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some(r) = self.responder.as_mut() {
            r.handle_timeout(now);
        }
        if let Some(r) = self.resolver.as_mut() {
            r.handle_timeout(now);
        }
        self.collect_events(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.collect_events(now);
        let t = self
            .inject
            .pop()
            .or_else(|| self.responder.as_mut()?.poll_transmit())
            .or_else(|| self.resolver.as_mut()?.poll_transmit())?;
        Some(if is_mdns_group(t.destination) {
            Transmit {
                destination: hub_addr(t.source),
                ..t
            }
        } else {
            t
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        let a = self.responder.as_ref().and_then(Responder::poll_timeout);
        let b = self.resolver.as_ref().and_then(Resolver::poll_timeout);
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

pub fn host(net: &Network, h: HostId) -> &MdnsHost {
    net.endpoint::<MdnsHost>(h).expect("an mDNS host")
}

pub fn host_mut(net: &mut Network, h: HostId) -> &mut MdnsHost {
    net.endpoint_mut::<MdnsHost>(h).expect("an mDNS host")
}

pub fn resolver_mut(net: &mut Network, h: HostId) -> &mut Resolver {
    host_mut(net, h).resolver.as_mut().expect("a resolver")
}

pub fn responder_mut(net: &mut Network, h: HostId) -> &mut Responder {
    host_mut(net, h).responder.as_mut().expect("a responder")
}
